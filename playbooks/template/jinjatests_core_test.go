package template

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCoreTests: expected values from ansible-core 2.14.
func TestCoreTests(t *testing.T) {
	e := New()
	cases := []struct {
		expr string
		want bool
	}{
		{"[0, '', 'no'] is any", true},
		{"[0, '', None, [], {}] is any", false},
		{"[] is any", false},
		{"[] is all", true},
		{"[1, 'no', 'false', [0]] is all", true},
		{"[1, 0] is all", false},
		{"'abc' is all", true},
		{"{'a': 1} is any", true},
		{"[false, 0.0] is any", false},
		{"[0.1] is all", true},
		{"[0, 1] is ansible.builtin.any", true},
		{"{'started': 1} is started", true},
		{"{'started': 0} is started", false},
		{"{'started': true} is started", true},
		{"{'started': '1'} is started", false},
		{"{'changed': true} is started", true},
		{"{'finished': 1, 'started': 1} is finished", true},
		{"{'finished': 0} is finished", false},
		{"{'rc': 0} is finished", true},
		{"{'finished': 1.0} is finished", true},
		{"'/etc' is abs", true},
		{"'etc' is abs", false},
		{"'' is abs", false},
		{"'//x' is is_abs", true},
		{"'/etc' is not abs", false},
	}
	for _, c := range cases {
		got, err := e.Truth(c.expr, nil)
		if err != nil || got != c.want {
			t.Errorf("Truth(%q) = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
	for _, expr := range []string{"[] is finished", "'x' is started", "1 is any", "none is all", "1 is abs", "x is file"} {
		if got, err := e.Truth(expr, nil); err == nil {
			t.Errorf("Truth(%q) = %v, want an error", expr, got)
		}
	}
}

// TestFileTests: the path tests look at the controller's file system, as
// os.path.isfile, isdir, exists, lexists, islink and samefile do.
func TestFileTests(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	sub := filepath.Join(dir, "d")
	link := filepath.Join(dir, "l")
	broken := filepath.Join(dir, "b")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "none"), broken); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"file": file, "sub": sub, "link": link, "broken": broken, "missing": filepath.Join(dir, "none")}
	e := New()
	want := map[string][5]bool{ // file, directory, exists, link, link_exists
		"file":    {true, false, true, false, true},
		"sub":     {false, true, true, false, true},
		"link":    {true, false, true, true, true},
		"broken":  {false, false, false, true, true},
		"missing": {false, false, false, false, false},
	}
	tests := []string{"file", "directory", "exists", "link", "link_exists"}
	aliases := map[string]string{"file": "is_file", "directory": "is_dir", "link": "is_link"}
	for v, w := range want {
		for i, test := range tests {
			for _, name := range []string{test, aliases[test], "ansible.builtin." + test} {
				if name == "" {
					continue
				}
				got, err := e.Truth(v+" is "+name, vars)
				if err != nil || got != w[i] {
					t.Errorf("%s is %s = %v, %v; want %v", v, name, got, err, w[i])
				}
			}
		}
	}
	if ok, err := e.Truth("link is same_file(file) and file is not same_file(sub)", vars); err != nil || !ok {
		t.Errorf("same_file = %v, %v", ok, err)
	}
	if _, err := e.Truth("missing is same_file(file)", vars); err == nil {
		t.Errorf("same_file of a missing path: want an error, as os.path.samefile raises")
	}
	// A file test on a template's variable: checks the controller.
	if got, err := e.RenderString("{{ 'yes' if file is file else 'no' }}", vars); err != nil || got != "yes" {
		t.Errorf("RenderString = %q, %v", got, err)
	}
}
