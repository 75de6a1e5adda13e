package lookup

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWithLookups(t *testing.T) {
	for _, c := range []struct {
		kind string
		in   any
		want string // JSON of the items, or "error: <substring>"
	}{
		{"list", []any{[]any{1, 2}, 3}, `[[1,2],3]`},
		{"items", []any{[]any{1, []any{2}}, 3}, `[1,[2],3]`},
		{"items", "one", `["one"]`},
		{"items", nil, `[]`},
		{"indexed_items", []any{"a", []any{"b", "c"}}, `[[0,"a"],[1,"b"],[2,"c"]]`},
		{"dict", map[string]any{"b": 2, "a": map[string]any{"x": 1}}, `[{"key":"a","value":{"x":1}},{"key":"b","value":2}]`},
		{"dict", []any{1}, "error: expects a dict"},
		{"together", []any{[]any{"a", "b", "c"}, []any{1, 2}}, `[["a",1],["b",2],["c",null]]`},
		{"nested", []any{[]any{"a", "b"}, []any{1, 2}, "z"}, `[["a",1,"z"],["a",2,"z"],["b",1,"z"],["b",2,"z"]]`},
		{"nested", []any{[]any{"a"}, []any{}}, `null`},
		{"subelements", []any{[]any{
			map[string]any{"name": "alice", "keys": []any{"k1", "k2"}},
			map[string]any{"name": "bob", "keys": []any{"k3"}},
		}, "keys"}, `[[{"keys":["k1","k2"],"name":"alice"},"k1"],[{"keys":["k1","k2"],"name":"alice"},"k2"],[{"keys":["k3"],"name":"bob"},"k3"]]`},
		{"subelements", []any{[]any{map[string]any{"name": "carol"}}, "keys"}, "error: item 0 has no key \"keys\""},
		{"subelements", []any{[]any{map[string]any{"name": "carol"}, map[string]any{"ssh": map[string]any{"keys": []any{"k"}}}}, "ssh.keys", map[string]any{"skip_missing": true}},
			`[[{"ssh":{"keys":["k"]}},"k"]]`},
		{"sequence", "start=1 end=3", `["1","2","3"]`},
		{"sequence", "count=3 start=0 stride=5 format=web%02d", `["web00","web05","web10"]`},
		{"sequence", "4-8/2:host%s", `["host4","host6","host8"]`},
		{"sequence", "3", `["1","2","3"]`},
		{"sequence", "start=0x0a end=0x0c format=%x", `["a","b","c"]`},
		{"sequence", "start=5 end=1 stride=-2", `["5","3","1"]`},
		{"sequence", "count=0", `null`},
		{"sequence", "start=5 end=1", "error: the stride must be negative"},
		{"sequence", "end=3 count=2", "error: not both"},
		{"sequence", "start=1 finish=3", "error: unknown key \"finish\""},
		{"sequence", "end=3 format=%d-%d", "error: exactly one"},
		{"sequence", "count=1 format=%", "error: exactly one"},
		{"sequence", "count=2 format=100%%-%5.1f%%", `["100%-  1.0%","100%-  2.0%"]`},
		{"sequence", "count=1 format=%i/%%", `["1/%"]`},
		{"fancy", []any{}, "error: no lookup named 'fancy'"},
	} {
		got, err := Run(c.kind, Terms(c.in), Options{Dir: "."})
		if want, ok := strings.CutPrefix(c.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("with_%s %v: err %v, want one containing %q", c.kind, c.in, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("with_%s %v: %v", c.kind, c.in, err)
			continue
		}
		b, _ := json.Marshal(got)
		if string(b) != c.want {
			t.Errorf("with_%s %v = %s, want %s", c.kind, c.in, b, c.want)
		}
	}
}

// with_fileglob finds relative patterns in the task file's files/, its
// role's files/, then its own directory, and returns regular files only,
// sorted, as absolute paths.
func TestWithFileglob(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b, a := mk("roles/web/files/conf.d/b.conf"), mk("roles/web/files/conf.d/a.conf")
	mk("roles/web/tasks/local.conf")
	if err := os.Mkdir(filepath.Join(root, "roles/web/files/conf.d/dir.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	task := filepath.Join(root, "roles/web/tasks/main.yml")
	got, err := Run("fileglob", []any{"conf.d/*.conf", "*.conf", "nothing/*"}, Options{Dir: filepath.Dir(task)})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{a, b, filepath.Join(root, "roles/web/tasks/local.conf")}
	if gb, wb := mustJSON(t, got), mustJSON(t, want); gb != wb {
		t.Errorf("fileglob = %s, want %s", gb, wb)
	}
	abs, err := Run("fileglob", Terms(filepath.Join(root, "roles/web/files/conf.d/b*")), Options{Dir: "."})
	if err != nil || mustJSON(t, abs) != mustJSON(t, []any{b}) {
		t.Errorf("absolute fileglob = %v, %v", abs, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
