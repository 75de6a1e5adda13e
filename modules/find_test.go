package modules

import (
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// find's filters over a real tree: patterns, excludes, regex, file types,
// hidden, recursion and depth, age, size, contains, a missing path.
func TestFind(t *testing.T) {
	env, dir := testEnv(t)
	root := filepath.Join(dir, "logs")
	old := time.Now().Add(-72 * time.Hour)
	for name, content := range map[string]string{
		"app.log": "ok\n", "app.log.1": "ERROR disk\n", "app.log.2.gz": "zz", ".hidden.log": "x\n",
		"sub/deep.log": "ERROR deep\n", "sub/more/deeper.log": "y\n", "big.log": string(make([]byte, 3000)),
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, content, 0o644)
		if name == "app.log.1" || name == "sub/deep.log" {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Symlink("app.log", filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	find := func(args map[string]any) []string {
		t.Helper()
		args["paths"] = root
		r := run(t, env, "find", args)
		mustOK(t, r, false)
		var got []string
		for _, f := range r["files"].([]any) {
			rel, _ := filepath.Rel(root, f.(map[string]any)["path"].(string))
			got = append(got, rel)
		}
		if r["matched"] != len(got) {
			t.Errorf("matched %v, files %d", r["matched"], len(got))
		}
		return got
	}
	for _, c := range []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{}, []string{"app.log", "app.log.1", "app.log.2.gz", "big.log"}},
		{map[string]any{"patterns": "*.log"}, []string{"app.log", "big.log"}},
		{map[string]any{"patterns": []any{"*.log", "*.gz"}, "excludes": "big*"}, []string{"app.log", "app.log.2.gz"}},
		{map[string]any{"patterns": `app\.log\.\d`, "use_regex": true}, []string{"app.log.1", "app.log.2.gz"}},
		{map[string]any{"patterns": "*.log", "hidden": true}, []string{".hidden.log", "app.log", "big.log"}},
		{map[string]any{"patterns": "*.log", "recurse": true}, []string{"app.log", "big.log", "sub/deep.log", "sub/more/deeper.log"}},
		{map[string]any{"patterns": "*.log", "recurse": true, "depth": 2}, []string{"app.log", "big.log", "sub/deep.log"}},
		{map[string]any{"file_type": "directory", "recurse": true}, []string{"sub", "sub/more"}},
		{map[string]any{"file_type": "link"}, []string{"current"}},
		{map[string]any{"age": "2d", "recurse": true}, []string{"app.log.1", "sub/deep.log"}},
		{map[string]any{"age": "-1d"}, []string{"app.log", "app.log.2.gz", "big.log"}},
		{map[string]any{"size": "2k"}, []string{"big.log"}},
		{map[string]any{"size": "-10b"}, []string{"app.log", "app.log.2.gz"}},
		{map[string]any{"contains": "^ERROR", "recurse": true}, []string{"app.log.1", "sub/deep.log"}},
	} {
		if got := find(c.args); !slices.Equal(got, c.want) {
			t.Errorf("find %v = %v, want %v", c.args, got, c.want)
		}
	}
	r := run(t, env, "find", map[string]any{"paths": []any{root, filepath.Join(dir, "nope")}, "patterns": "app.log", "get_checksum": true})
	mustOK(t, r, false)
	if _, ok := r["skipped_paths"].(map[string]any)[filepath.Join(dir, "nope")]; !ok {
		t.Errorf("skipped_paths = %v", r["skipped_paths"])
	}
	if f := r["files"].([]any)[0].(map[string]any); f["checksum"] != fmt.Sprintf("%x", sha1.Sum([]byte("ok\n"))) {
		t.Errorf("checksum = %v", f["checksum"])
	}
}
