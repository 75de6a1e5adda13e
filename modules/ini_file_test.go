package modules

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iniCase is one ini_file run on a file. want, changed and msg were
// produced by the module's own do_ini (community.general
// plugins/modules/ini_file.py, the version with modify_inactive_option and
// section_has_values) run with python3 on the same input and arguments.
type iniCase struct {
	name    string
	input   string
	missing bool // the file does not exist
	args    map[string]any
	want    string // the file after, as do_ini leaves it
	changed bool
	msg     string
	fail    string // the module fails with this message
}

var iniGolden = []iniCase{
	{name: "replace value", input: "[drinks]\nfav = lemonade\ntemp = cold\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "water"}, want: "[drinks]\nfav = water\ntemp = cold\n", changed: true, msg: "option changed"},
	{name: "same value is OK", input: "[drinks]\nfav = lemonade\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "lemonade"}, want: "[drinks]\nfav = lemonade\n", changed: false, msg: "OK"},
	{name: "spaces normalised", input: "[drinks]\nfav=lemonade\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "lemonade"}, want: "[drinks]\nfav = lemonade\n", changed: true, msg: "option changed"},
	{name: "ignore_spaces keeps line", input: "[drinks]\nfav=lemonade\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "lemonade", "ignore_spaces": true}, want: "[drinks]\nfav=lemonade\n", changed: false, msg: "OK"},
	{name: "ignore_spaces still changes value", input: "[drinks]\nfav=lemonade\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "tea", "ignore_spaces": true}, want: "[drinks]\nfav = tea\n", changed: true, msg: "option changed"},
	{name: "no_extra_spaces", input: "[drinks]\nfav = lemonade\n", args: map[string]any{"section": "drinks", "option": "temp", "value": "cold", "no_extra_spaces": true}, want: "[drinks]\nfav = lemonade\ntemp=cold\n", changed: true, msg: "option added"},
	{name: "insert after last option before blanks and comments", input: "[a]\nx = 1\n\n# about b\n\n[b]\ny = 2\n", args: map[string]any{"section": "a", "option": "z", "value": "3"}, want: "[a]\nx = 1\nz = 3\n\n# about b\n\n[b]\ny = 2\n", changed: true, msg: "option added"},
	{name: "new section appended", input: "[a]\nx = 1\n", args: map[string]any{"section": "b", "option": "opt", "value": "v"}, want: "[a]\nx = 1\n[b]\nopt = v\n", changed: true, msg: "section and option added"},
	{name: "new section after trailing blank line", input: "[a]\nx = 1\n\n", args: map[string]any{"section": "b", "option": "opt", "value": "v"}, want: "[a]\nx = 1\n\n[b]\nopt = v\n", changed: true, msg: "section and option added"},
	{name: "no section goes before first section", input: "# top\n[a]\nx = 1\n", args: map[string]any{"option": "y", "value": "2"}, want: "y = 2\n# top\n[a]\nx = 1\n", changed: true, msg: "option added"},
	{name: "no section replaces top option", input: "y = 1\n[a]\ny = 1\n", args: map[string]any{"option": "y", "value": "2"}, want: "y = 2\n[a]\ny = 1\n", changed: true, msg: "option changed"},
	{name: "missing file with section", missing: true, args: map[string]any{"section": "s", "option": "o", "value": "v"}, want: "\n[s]\no = v\n", changed: true, msg: "section and option added"},
	{name: "missing file without section", missing: true, args: map[string]any{"option": "o", "value": "v"}, want: "o = v\n\n", changed: true, msg: "option added"},
	{name: "empty file", input: "", args: map[string]any{"section": "s", "option": "o", "value": "v"}, want: "\n[s]\no = v\n", changed: true, msg: "section and option added"},
	{name: "missing final newline added", input: "[a]\nx = 1", args: map[string]any{"section": "a", "option": "x", "value": "1"}, want: "[a]\nx = 1\n", changed: true, msg: "OK"},
	{name: "commented option activated", input: "[Journal]\n#Storage=auto\n#Compress=yes\n", args: map[string]any{"section": "Journal", "option": "Storage", "value": "persistent"}, want: "[Journal]\nStorage = persistent\n#Compress=yes\n", changed: true, msg: "option changed"},
	{name: "semicolon comment activated", input: "[a]\n; x = 1\n", args: map[string]any{"section": "a", "option": "x", "value": "2"}, want: "[a]\nx = 2\n", changed: true, msg: "option changed"},
	{name: "indented comment activated", input: "[a]\n  # x = 1\n", args: map[string]any{"section": "a", "option": "x", "value": "2"}, want: "[a]\nx = 2\n", changed: true, msg: "option changed"},
	{name: "modify_inactive_option false keeps comment", input: "[Journal]\n#Storage=auto\n#Compress=yes\n", args: map[string]any{"section": "Journal", "option": "Storage", "value": "persistent", "modify_inactive_option": false}, want: "[Journal]\nStorage = persistent\n#Storage=auto\n#Compress=yes\n", changed: true, msg: "option added"},
	{name: "commented and active: comment replaced, active removed", input: "[a]\n#x = 1\nx = 2\n", args: map[string]any{"section": "a", "option": "x", "value": "3"}, want: "[a]\nx = 3\n", changed: true, msg: "option changed"},
	{name: "exclusive values", input: "[d]\nbev = coke\nbev = tea\nbev = milk\n", args: map[string]any{"section": "d", "option": "bev", "values": []any{"coke", "pepsi"}}, want: "[d]\nbev = coke\nbev = pepsi\n", changed: true, msg: "option changed"},
	{name: "exclusive values already there", input: "[d]\nbev = coke\nbev = pepsi\n", args: map[string]any{"section": "d", "option": "bev", "values": []any{"pepsi", "coke"}}, want: "[d]\nbev = coke\nbev = pepsi\n", changed: false, msg: "OK"},
	{name: "values deduplicated and appended in order", input: "[d]\n", args: map[string]any{"section": "d", "option": "bev", "values": []any{"a", "b", "a", "c"}}, want: "[d]\nbev = a\nbev = b\nbev = c\n", changed: true, msg: "option added"},
	{name: "non-exclusive adds value", input: "[d]\nbev = coke\n", args: map[string]any{"section": "d", "option": "bev", "value": "juice", "exclusive": false}, want: "[d]\nbev = coke\nbev = juice\n", changed: true, msg: "option added"},
	{name: "non-exclusive existing value", input: "[d]\nbev = coke\nbev = juice\n", args: map[string]any{"section": "d", "option": "bev", "value": "juice", "exclusive": false}, want: "[d]\nbev = coke\nbev = juice\n", changed: false, msg: "OK"},
	{name: "absent exclusive removes all", input: "[d]\nbev = coke\n# bev = x\nbev = tea\nother = 1\n", args: map[string]any{"section": "d", "option": "bev", "state": "absent"}, want: "[d]\n# bev = x\nother = 1\n", changed: true, msg: "option changed"},
	{name: "absent non-exclusive removes the value", input: "[d]\nbev = coke\nbev = tea\n", args: map[string]any{"section": "d", "option": "bev", "value": "tea", "state": "absent", "exclusive": false}, want: "[d]\nbev = coke\n", changed: true, msg: "option changed"},
	{name: "absent option not there", input: "[d]\nbev = coke\n", args: map[string]any{"section": "d", "option": "nope", "state": "absent"}, want: "[d]\nbev = coke\n", changed: false, msg: "OK"},
	{name: "absent section", input: "[a]\nx = 1\n[b]\ny = 2\n\n[c]\nz = 3\n", args: map[string]any{"section": "b", "state": "absent"}, want: "[a]\nx = 1\n[c]\nz = 3\n", changed: true, msg: "section removed"},
	{name: "absent section missing", input: "[a]\nx = 1\n", args: map[string]any{"section": "b", "state": "absent"}, want: "[a]\nx = 1\n", changed: false, msg: "OK"},
	{name: "absent without section nor option", input: "x = 1\n[a]\ny = 2\n", args: map[string]any{"state": "absent"}, want: "y = 2\n", changed: true, msg: "section removed"},
	{name: "absent option without section", input: "x = 1\n[a]\nx = 2\n", args: map[string]any{"option": "x", "state": "absent"}, want: "[a]\nx = 2\n", changed: true, msg: "option changed"},
	{name: "allow_no_value adds bare option", input: "[mysqld]\nport = 3306\n", args: map[string]any{"section": "mysqld", "option": "skip-name-resolve", "allow_no_value": true}, want: "[mysqld]\nport = 3306\nskip-name-resolve\n", changed: true, msg: "option added"},
	{name: "allow_no_value bare option there", input: "[mysqld]\nskip-name-resolve\nport = 3306\n", args: map[string]any{"section": "mysqld", "option": "skip-name-resolve", "allow_no_value": true}, want: "[mysqld]\nskip-name-resolve\nport = 3306\n", changed: false, msg: "OK"},
	{name: "allow_no_value only section", input: "[a]\n", args: map[string]any{"section": "b", "allow_no_value": true}, want: "[a]\n[b]\n", changed: true, msg: "only section added"},
	{name: "empty value", input: "[a]\nx = 1\n", args: map[string]any{"section": "a", "option": "x", "value": ""}, want: "[a]\nx = \n", changed: true, msg: "option changed"},
	{name: "CRLF rewritten as LF on change", input: "[a]\r\nx = 1\r\ny = 2\r\n", args: map[string]any{"section": "a", "option": "x", "value": "5"}, want: "[a]\nx = 5\ny = 2\n", changed: true, msg: "option changed"},
	{name: "CRLF untouched without change", input: "[a]\r\nx = 1\r\n", args: map[string]any{"section": "a", "option": "x", "value": "1"}, want: "[a]\nx = 1\n", changed: false, msg: "OK"},
	{name: "BOM dropped on change", input: "\ufeff[a]\nx = 1\n", args: map[string]any{"section": "a", "option": "x", "value": "2"}, want: "[a]\nx = 2\n", changed: true, msg: "option changed"},
	{name: "spaced section header", input: "[ drinks ]\nfav = tea\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "coffee"}, want: "[ drinks ]\nfav = coffee\n", changed: true, msg: "option changed"},
	{name: "header with comment", input: "[drinks] ; comment\nfav = tea\n", args: map[string]any{"section": "drinks", "option": "fav", "value": "coffee"}, want: "[drinks] ; comment\nfav = coffee\n", changed: true, msg: "option changed"},
	{name: "first of duplicated sections", input: "[a]\nx = 1\n[a]\nx = 2\n", args: map[string]any{"section": "a", "option": "x", "value": "3"}, want: "[a]\nx = 3\n[a]\nx = 2\n", changed: true, msg: "option changed"},
	{name: "option prefix not matched", input: "[a]\nfoo_bar = 1\n", args: map[string]any{"section": "a", "option": "foo", "value": "2"}, want: "[a]\nfoo_bar = 1\nfoo = 2\n", changed: true, msg: "option added"},
	{name: "tabs around equals", input: "[a]\nx\t=\t1\n", args: map[string]any{"section": "a", "option": "x", "value": "1"}, want: "[a]\nx = 1\n", changed: true, msg: "option changed"},
	{name: "regex characters in option", input: "[a]\nx.y[0] = 1\nxzy[0] = 1\n", args: map[string]any{"section": "a", "option": "x.y[0]", "value": "2"}, want: "[a]\nx.y[0] = 2\nxzy[0] = 1\n", changed: true, msg: "option changed"},
	{name: "other section untouched", input: "[a]\nx = 1\n[b]\nx = 1\n", args: map[string]any{"section": "b", "option": "x", "value": "9"}, want: "[a]\nx = 1\n[b]\nx = 9\n", changed: true, msg: "option changed"},
	{name: "section_has_values picks section", input: "[Peer]\nAllowedIPs = 10.0.0.1/32\nPublicKey = aaa\n\n[Peer]\nAllowedIPs = 10.0.0.2/32\nPublicKey = bbb\n", args: map[string]any{"section": "Peer", "option": "PublicKey", "value": "ccc", "section_has_values": []any{map[string]any{"option": "AllowedIPs", "value": "10.0.0.2/32"}}}, want: "[Peer]\nAllowedIPs = 10.0.0.1/32\nPublicKey = aaa\n\n[Peer]\nAllowedIPs = 10.0.0.2/32\nPublicKey = ccc\n", changed: true, msg: "option changed"},
	{name: "section_has_values adds new section", input: "[Peer]\nAllowedIPs = 10.0.0.1/32\nPublicKey = aaa\n", args: map[string]any{"section": "Peer", "option": "PublicKey", "value": "ddd", "section_has_values": []any{map[string]any{"option": "AllowedIPs", "value": "10.0.0.3/32"}, map[string]any{"option": "Endpoint", "values": []any{"a:1", "b:2"}}}}, want: "[Peer]\nAllowedIPs = 10.0.0.1/32\nPublicKey = aaa\n[Peer]\nAllowedIPs = 10.0.0.3/32\nEndpoint = a:1\nEndpoint = b:2\nPublicKey = ddd\n", changed: true, msg: "section and option added"},
	{name: "section_has_values absent removes section", input: "[Interface]\nAddress = 10.0.0.254\n\n[Peer]\nAllowedIPs = 10.0.0.1/32\n\n[Peer]\nAllowedIPs = 10.0.0.2/32\n", args: map[string]any{"section": "Peer", "state": "absent", "section_has_values": []any{map[string]any{"option": "AllowedIPs", "value": "10.0.0.1/32"}}}, want: "[Interface]\nAddress = 10.0.0.254\n\n[Peer]\nAllowedIPs = 10.0.0.2/32\n", changed: true, msg: "section removed"},
	{name: "value without option and existing section", input: "[a]\nx = 1\n", args: map[string]any{"section": "a", "value": "2"}, fail: "MODULE FAILURE: TypeError: decoding to str: need a bytes-like object, NoneType found"},
	{name: "value without option and new section", input: "[a]\nx = 1\n", args: map[string]any{"section": "b", "value": "2"}, want: "[a]\nx = 1\n[b]\n", changed: true, msg: "only section added"},
	{name: "absent on empty file", input: "", args: map[string]any{"section": "a", "state": "absent"}, want: "\n", changed: false, msg: "OK"},
	{name: "absent on missing file", missing: true, args: map[string]any{"section": "a", "option": "x", "state": "absent"}, want: "\n", changed: false, msg: "OK"},
	{name: "present without value fails", input: "[a]\n", args: map[string]any{"section": "a", "option": "x"}, fail: "Parameter 'value(s)' must be defined if state=present and allow_no_value=False."},
}

// TestIniFileGolden runs every case twice through the module, first in
// check mode with diff (nothing written, the diff's after is the Python
// module's content), then for real (the file is the Python module's
// content when it reports a change, and untouched otherwise).
func TestIniFileGolden(t *testing.T) {
	for _, c := range iniGolden {
		t.Run(c.name, func(t *testing.T) {
			env, dir := testEnv(t)
			p := filepath.Join(dir, "conf", "f.ini")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if !c.missing {
				writeFile(t, p, c.input, 0o640)
			}
			args := func() map[string]any {
				a := map[string]any{"path": p}
				for k, v := range c.args {
					a[k] = v
				}
				return a
			}
			env.Check, env.Diff = true, true
			r := run(t, env, "community.general.ini_file", args())
			if c.fail != "" {
				mustFail(t, r, c.fail)
				if r.Msg() != c.fail {
					t.Fatalf("msg %q, want %q", r.Msg(), c.fail)
				}
				return
			}
			mustOK(t, r, c.changed)
			if r.Msg() != c.msg {
				t.Fatalf("check: msg %q, want %q", r.Msg(), c.msg)
			}
			d, _ := r["diff"].(map[string]any)
			if d == nil || d["after"] != c.want || d["after_header"] != p+" (content)" {
				t.Fatalf("check: diff %#v, want after %q", d, c.want)
			}
			assertIniFile(t, p, c.missing, c.input)

			env.Check, env.Diff = false, false
			r = run(t, env, "ini_file", args())
			mustOK(t, r, c.changed)
			if r.Msg() != c.msg || r["path"] != p {
				t.Fatalf("msg %q path %v, want %q", r.Msg(), r["path"], c.msg)
			}
			if _, ok := r["diff"]; ok {
				t.Fatalf("diff without --diff: %v", r)
			}
			if c.changed {
				assertIniFile(t, p, false, c.want)
				if !c.missing && fileMode(t, p) != 0o640 {
					t.Fatalf("mode not kept: %o", fileMode(t, p))
				}
			} else {
				assertIniFile(t, p, c.missing, c.input)
			}
		})
	}
}

func assertIniFile(t *testing.T, p string, missing bool, want string) {
	t.Helper()
	if missing {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s exists", p)
		}
		return
	}
	if got := readFile(t, p); got != want {
		t.Fatalf("content\n%q\nwant\n%q", got, want)
	}
}

// countConn counts the sessions a module opens.
type countConn struct {
	Conn
	runs, uploads int
}

func (c *countConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*ExecResult, error) {
	c.runs++
	return c.Conn.Run(ctx, cmd, stdin)
}

func (c *countConn) Upload(ctx context.Context, path string, r io.Reader, mode os.FileMode) error {
	c.uploads++
	return c.Conn.Upload(ctx, path, r, mode)
}

func TestIniFileOneReadOneWrite(t *testing.T) {
	env, dir := testEnv(t)
	cc := &countConn{Conn: env.Conn}
	env.Conn = cc
	p := filepath.Join(dir, "a.ini")
	writeFile(t, p, "[a]\nx = 1\n", 0o644)
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "option": "x", "value": "1"}), false)
	if cc.runs != 1 || cc.uploads != 0 {
		t.Fatalf("unchanged: %d sessions, %d uploads; want 1, 0", cc.runs, cc.uploads)
	}
	cc.runs = 0
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "option": "x", "value": "2"}), true)
	if cc.runs != 2 || cc.uploads != 0 {
		t.Fatalf("changed: %d sessions, %d uploads; want 2, 0", cc.runs, cc.uploads)
	}
	if got := readFile(t, p); got != "[a]\nx = 2\n" {
		t.Fatalf("content %q", got)
	}
}

func TestIniFileCreateFalseAndDirs(t *testing.T) {
	env, dir := testEnv(t)
	p := filepath.Join(dir, "missing.ini")
	r := run(t, env, "ini_file", map[string]any{"dest": p, "section": "a", "option": "x", "value": "1", "create": false})
	mustFail(t, r, "Destination "+p+" does not exist!")
	if r["rc"] != 257 {
		t.Fatalf("rc %v", r["rc"])
	}
	// create (the default) makes the parent directories too.
	q := filepath.Join(dir, "new", "sub", "f.ini")
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": q, "section": "a", "option": "x", "value": "1", "mode": "0600"}), true)
	if got := readFile(t, q); got != "\n[a]\nx = 1\n" {
		t.Fatalf("content %q", got)
	}
	if fileMode(t, q) != 0o600 {
		t.Fatalf("mode %o", fileMode(t, q))
	}
	// Nothing to do on a missing file creates nothing.
	z := filepath.Join(dir, "absent.ini")
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": z, "section": "a", "state": "absent", "mode": "0600"}), false)
	if _, err := os.Stat(z); !os.IsNotExist(err) {
		t.Fatal("absent created the file")
	}
}

func TestIniFileAttributesBackup(t *testing.T) {
	env, dir := testEnv(t)
	p := filepath.Join(dir, "a.ini")
	writeFile(t, p, "[a]\nx = 1\n", 0o644)
	args := map[string]any{"path": p, "section": "a", "option": "x", "value": "1", "mode": "0600"}
	// The module sets attributes outside check mode only.
	env.Check = true
	mustOK(t, run(t, env, "ini_file", args), false)
	if fileMode(t, p) != 0o644 {
		t.Fatal("check mode changed the mode")
	}
	env.Check = false
	r := run(t, env, "ini_file", args)
	mustOK(t, r, true)
	if r.Msg() != "OK" || r["mode"] != "0600" || fileMode(t, p) != 0o600 {
		t.Fatalf("attributes: %v, mode %o", r, fileMode(t, p))
	}
	mustOK(t, run(t, env, "ini_file", args), false)

	r = run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "option": "x", "value": "2", "backup": true})
	mustOK(t, r, true)
	b, _ := r["backup_file"].(string)
	if b == "" || !strings.HasPrefix(b, p+".") || readFile(t, b) != "[a]\nx = 1\n" {
		t.Fatalf("backup_file %q: %v", b, r)
	}
	if readFile(t, p) != "[a]\nx = 2\n" || fileMode(t, p) != 0o600 {
		t.Fatalf("content %q mode %o", readFile(t, p), fileMode(t, p))
	}
}

func TestIniFileFollow(t *testing.T) {
	env, dir := testEnv(t)
	real := filepath.Join(dir, "real.ini")
	link := filepath.Join(dir, "link.ini")
	writeFile(t, real, "[a]\nx = 1\n", 0o644)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": link, "section": "a", "option": "x", "value": "2", "follow": true}), true)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("follow replaced the link")
	}
	if got := readFile(t, real); got != "[a]\nx = 2\n" {
		t.Fatalf("target %q", got)
	}
	// Without follow the module reads through the link but replaces the
	// link itself with the new file.
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": link, "section": "a", "option": "x", "value": "3"}), true)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatal("without follow the link stayed")
	}
	if readFile(t, real) != "[a]\nx = 2\n" || readFile(t, link) != "[a]\nx = 3\n" {
		t.Fatalf("real %q link %q", readFile(t, real), readFile(t, link))
	}
}

func TestIniFileArgs(t *testing.T) {
	for _, n := range []string{"ini_file", "community.general.ini_file"} {
		if _, ok := Lookup(n); !ok {
			t.Fatalf("%s not registered", n)
		}
	}
	m, _ := Lookup("ini_file")
	s := m.Schema()
	for _, a := range []string{"path", "section", "section_has_values", "option", "value", "values", "state", "exclusive",
		"no_extra_spaces", "ignore_spaces", "allow_no_value", "modify_inactive_option", "create", "backup", "follow", "mode", "owner", "group"} {
		if _, ok := s.Args[a]; !ok {
			t.Errorf("argument %s missing", a)
		}
	}
	if s.Args["create"].Default != true || s.Args["exclusive"].Default != true || s.Args["modify_inactive_option"].Default != true {
		t.Error("defaults differ from the module's")
	}
	if _, ok := s.Unsupported["unsafe_writes"]; !ok {
		t.Error("unsafe_writes not refused")
	}
	env, dir := testEnv(t)
	p := filepath.Join(dir, "a.ini")
	writeFile(t, p, "[a]\n", 0o644)
	mustFail(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "option": "x", "value": "1", "values": []any{"2"}}), "mutually exclusive")
	mustFail(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "section_has_values": []any{map[string]any{"value": "1"}}, "state": "absent"}),
		"missing required arguments: option found in section_has_values")
	mustFail(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "section_has_values": []any{map[string]any{"option": "o", "value": "1", "values": []any{"2"}}}, "state": "absent"}),
		"mutually exclusive: value|values")
	// values as a comma-separated string, booleans rendered as Python's str.
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "option": "x", "values": "1,2"}), true)
	mustOK(t, run(t, env, "ini_file", map[string]any{"path": p, "section": "a", "option": "y", "value": true}), true)
	if got := readFile(t, p); got != "[a]\nx = 1\nx = 2\ny = True\n" {
		t.Fatalf("content %q", got)
	}
}
