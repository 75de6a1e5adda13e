package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSysctl installs a sysctl that keeps the running values in files
// under dir/proc (one per key, as /proc/sys prints them), logs its
// arguments to dir/log, and fails as the real one for unknown keys; keys
// with a file under dir/readonly fail to be set the way Linux reports it
// (exit 0, "Read-only file system" on stderr).
func fakeSysctl(t *testing.T, env *Env, dir string, running map[string]string) {
	t.Helper()
	for _, d := range []string{"proc", "readonly"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range running {
		writeFile(t, filepath.Join(dir, "proc", k), v+"\n", 0o644)
	}
	fakeBin(t, env, "sysctl", `D=`+ShellQuote(dir)+`
echo "$*" >> "$D/log"
mode=
while [ $# -gt 0 ]; do
	case $1 in
	-e) ;;
	-n) mode=n ;;
	-w) mode=w ;;
	-p) mode=p ;;
	*) break ;;
	esac
	shift
done
set_key() {
	if [ -f "$D/readonly/$1" ]; then echo "sysctl: setting key \"$1\": Read-only file system" >&2; return; fi
	if [ ! -f "$D/proc/$1" ] && [ ! -f "$D/new-ok" ]; then echo "sysctl: cannot stat /proc/sys/$1: No such file or directory" >&2; exit 255; fi
	printf '%s\n' "$2" > "$D/proc/$1"; echo "$1 = $2"
}
case $mode in
n) [ -f "$D/proc/$1" ] || { echo "sysctl: cannot stat /proc/sys/$1: No such file or directory" >&2; exit 255; }; cat "$D/proc/$1" ;;
w) set_key "${1%%=*}" "${1#*=}" ;;
p) while IFS= read -r l; do case $l in ''|'#'*|';'*) continue ;; esac; set_key "${l%%=*}" "${l#*=}"; done < "$1" ;;
esac
`)
	writeFile(t, filepath.Join(dir, "new-ok"), "", 0o644)
}

// sysctlCalls are the fake's invocations after the first (the module's
// read of the running value, checked here).
func sysctlCalls(t *testing.T, dir, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	calls := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if calls[0] != "-e -n "+name {
		t.Fatalf("first call %q, want the module's -e -n %s", calls[0], name)
	}
	return calls[1:]
}

// The file contents, changed and commands (FILE for the sysctl file) were
// produced by the module's SysctlModule (ansible.posix
// plugins/modules/sysctl.py at f392e407f9c4) run with python3 on the same
// input, arguments and running value.
var sysctlGolden = []struct {
	name    string
	input   string
	args    map[string]any
	running string // "" = unknown key
	want    string
	changed bool
	calls   []string
}{
	{"append to file", "# tuning\nvm.swappiness = 60\n", map[string]any{"name": "net.ipv4.ip_forward", "value": "1"}, "0",
		"# tuning\nvm.swappiness=60\nnet.ipv4.ip_forward=1\n", true, []string{"-p FILE"}},
	{"replace and normalise lines", "# tuning\n  vm.swappiness = 60\n\nkernel.panic=3\n", map[string]any{"name": "vm.swappiness", "value": "10"}, "60",
		"# tuning\nvm.swappiness=10\n\nkernel.panic=3\n", true, []string{"-p FILE"}},
	{"same value, running value equal", "vm.swappiness=10\n", map[string]any{"name": "vm.swappiness", "value": "10"}, "10",
		"vm.swappiness=10\n", false, nil},
	{"same value, running differs: reload", "vm.swappiness = 10\n", map[string]any{"name": "vm.swappiness", "value": " 10 "}, "60",
		"vm.swappiness = 10\n", true, []string{"-p FILE"}},
	{"same value, running differs, reload off", "vm.swappiness=10\n", map[string]any{"name": "vm.swappiness", "value": "10", "reload": false}, "60",
		"vm.swappiness=10\n", false, nil},
	{"sysctl_set only proc", "vm.swappiness=10\n", map[string]any{"name": "vm.swappiness", "value": "10", "reload": false, "sysctl_set": true}, "60",
		"vm.swappiness=10\n", true, []string{"-w vm.swappiness=10"}},
	{"sysctl_set with whitespace values", "", map[string]any{"name": "net.ipv4.tcp_rmem", "value": "4096  87380   6291456", "sysctl_set": true, "ignoreerrors": true}, "4096\t87380\t6291456",
		"net.ipv4.tcp_rmem=4096  87380   6291456\n", true, []string{"-e -p FILE"}},
	{"boolean words", "net.ipv4.ip_forward=0\n", map[string]any{"name": "net.ipv4.ip_forward", "value": "Yes"}, "0",
		"net.ipv4.ip_forward=1\n", true, []string{"-p FILE"}},
	{"duplicates dropped, last value read", "a.b=1\nvm.x=1\na.b=2\nvm.x=2\n", map[string]any{"name": "vm.x", "value": "2"}, "2",
		"a.b=1\nvm.x=1\na.b=2\nvm.x=2\n", false, nil},
	{"duplicates dropped on write", "a.b=1\nvm.x=1\na.b=2\nvm.x=2\n", map[string]any{"name": "vm.x", "value": "3"}, "2",
		"a.b=1\nvm.x=3\n", true, []string{"-p FILE"}},
	{"unknown running value, sysctl_set", "vm.x=5\n", map[string]any{"name": "vm.x", "value": "5", "sysctl_set": true, "reload": false}, "",
		"vm.x=5\n", true, nil},
	{"absent removes", "# c\nvm.x = 1\nvm.y=2\n", map[string]any{"name": "vm.x", "state": "absent"}, "1",
		"# c\nvm.y=2\n", true, []string{"-p FILE"}},
	{"absent with the same value", "vm.x=1\nvm.y=2\n", map[string]any{"name": "vm.x", "value": "1", "state": "absent"}, "1",
		"vm.y=2\n", true, []string{"-p FILE"}},
	{"absent missing", "vm.y=2\n", map[string]any{"name": "vm.x", "state": "absent"}, "1",
		"vm.y=2\n", false, nil},
	{"unknown running value", "vm.x=5\n", map[string]any{"name": "vm.x", "value": "5"}, "",
		"vm.x=5\n", true, []string{"-p FILE"}},
	{"CRLF and comments kept stripped", "  # c\r\n;d\r\nvm.x= 5\r\nnoequals\r\n", map[string]any{"name": "vm.y", "value": "off"}, "1",
		"# c\n;d\nvm.x=5\nnoequals\nvm.y=0\n", true, []string{"-p FILE"}},
}

func TestSysctlGolden(t *testing.T) {
	for _, c := range sysctlGolden {
		t.Run(c.name, func(t *testing.T) {
			env, dir := testEnv(t)
			state := filepath.Join(dir, ".sysctl")
			running := map[string]string{}
			if c.running != "" {
				running[strings.TrimSpace(c.args["name"].(string))] = c.running
			}
			fakeSysctl(t, env, state, running)
			f := filepath.Join(dir, "sysctl.conf")
			writeFile(t, f, c.input, 0o640)
			args := map[string]any{"sysctl_file": f}
			for k, v := range c.args {
				args[k] = v
			}
			r := run(t, env, "ansible.posix.sysctl", args)
			mustOK(t, r, c.changed)
			if len(r) != 2 {
				t.Fatalf("result %v: the module returns changed only", r)
			}
			if got := readFile(t, f); got != c.want {
				t.Fatalf("file\n%q\nwant\n%q", got, c.want)
			}
			if fileMode(t, f) != 0o640 {
				t.Fatalf("mode not kept: %o", fileMode(t, f))
			}
			calls := sysctlCalls(t, state, strings.TrimSpace(c.args["name"].(string)))
			if strings.Join(calls, "|") != strings.ReplaceAll(strings.Join(c.calls, "|"), "FILE", f) {
				t.Fatalf("calls %q, want %q", calls, c.calls)
			}
		})
	}
}

func TestSysctlSetWriteReload(t *testing.T) {
	env, dir := testEnv(t)
	state := filepath.Join(dir, ".sysctl")
	fakeSysctl(t, env, state, map[string]string{"vm.swappiness": "60"})
	cc := &countConn{Conn: env.Conn}
	env.Conn = cc
	f := filepath.Join(dir, "sysctl.d", "90-drover.conf")
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"name": "vm.swappiness", "value": 5, "sysctl_set": true, "sysctl_file": f}
	// Check mode: the read only.
	env.Check = true
	mustOK(t, run(t, env, "sysctl", args), true)
	if _, err := os.Stat(f); !os.IsNotExist(err) || cc.runs != 1 {
		t.Fatalf("check mode wrote the file or ran %d sessions", cc.runs)
	}
	if c := sysctlCalls(t, state, "vm.swappiness"); len(c) != 0 {
		t.Fatalf("check mode ran %q", c)
	}
	env.Check = false
	cc.runs = 0
	os.Remove(filepath.Join(state, "log"))
	mustOK(t, run(t, env, "sysctl", args), true)
	if cc.runs != 2 {
		t.Fatalf("%d sessions, want 2 (read, then set+write+reload)", cc.runs)
	}
	if got := readFile(t, f); got != "vm.swappiness=5\n" {
		t.Fatalf("file %q", got)
	}
	if fileMode(t, f) != 0o666&^umaskOf(t) {
		t.Fatalf("new file mode %o", fileMode(t, f))
	}
	want := []string{"-e -n vm.swappiness", "-w vm.swappiness=5", "-p " + f}
	if c := sysctlCalls(t, state, "vm.swappiness"); strings.Join(c, "|") != strings.Join(want[1:], "|") {
		t.Fatalf("calls %q, want %q", c, want[1:])
	}
	if got := readFile(t, filepath.Join(state, "proc", "vm.swappiness")); got != "5\n" {
		t.Fatalf("running value %q", got)
	}
	// Idempotent: one session.
	cc.runs = 0
	mustOK(t, run(t, env, "sysctl", args), false)
	if cc.runs != 1 {
		t.Fatalf("unchanged: %d sessions", cc.runs)
	}
}

func umaskOf(t *testing.T) os.FileMode {
	t.Helper()
	p := filepath.Join(t.TempDir(), "u")
	if err := os.WriteFile(p, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	return 0o666 &^ fileMode(t, p)
}

func TestSysctlFailures(t *testing.T) {
	env, dir := testEnv(t)
	state := filepath.Join(dir, ".sysctl")
	fakeSysctl(t, env, state, map[string]string{"kernel.ro": "1", "vm.x": "1"})
	writeFile(t, filepath.Join(state, "readonly", "kernel.ro"), "", 0o644)
	f := filepath.Join(dir, "sysctl.conf")
	writeFile(t, f, "vm.x=1\n", 0o644)
	// sysctl -w exits 0 but says the key is read-only: the module fails
	// before it writes the file.
	r := run(t, env, "sysctl", map[string]any{"name": "kernel.ro", "value": "0", "sysctl_set": true, "sysctl_file": f})
	mustFail(t, r, `setting kernel.ro failed: sysctl: setting key "kernel.ro": Read-only file system`)
	if readFile(t, f) != "vm.x=1\n" {
		t.Fatal("file written after a failed set")
	}
	// The reload fails on a key the kernel does not know; the file is
	// already written, as with the module.
	os.Remove(filepath.Join(state, "new-ok"))
	r = run(t, env, "sysctl", map[string]any{"name": "vm.nope", "value": "3", "sysctl_file": f})
	mustFail(t, r, "Failed to reload sysctl: vm.x = 1\nsysctl: cannot stat /proc/sys/vm.nope: No such file or directory\n")
	if readFile(t, f) != "vm.x=1\nvm.nope=3\n" {
		t.Fatalf("file %q", readFile(t, f))
	}
	// ignoreerrors passes -e to -w and -p (the fake ignores it; the
	// module's check of the exit status and stderr stays).
	writeFile(t, f, "vm.x=1\n", 0o644)
	os.Remove(filepath.Join(state, "log"))
	mustOK(t, run(t, env, "sysctl", map[string]any{"name": "vm.x", "value": "2", "ignoreerrors": true, "sysctl_set": true, "sysctl_file": f}), true)
	if c := sysctlCalls(t, state, "vm.x"); strings.Join(c, "|") != "-e -w vm.x=2|-e -p "+f {
		t.Fatalf("calls %q", c)
	}
}

func TestSysctlArgs(t *testing.T) {
	for _, n := range []string{"sysctl", "ansible.posix.sysctl"} {
		if _, ok := Lookup(n); !ok {
			t.Fatalf("%s not registered", n)
		}
	}
	m, _ := Lookup("sysctl")
	s := m.Schema()
	if s.Args["reload"].Default != true || s.Args["sysctl_file"].Default != "/etc/sysctl.conf" || s.Args["sysctl_set"].Default != false {
		t.Error("defaults differ from the module's")
	}
	if _, ok := s.Unsupported["mode"]; !ok {
		t.Error("mode not refused")
	}
	env, dir := testEnv(t)
	fakeSysctl(t, env, filepath.Join(dir, ".sysctl"), nil)
	f := filepath.Join(dir, "sysctl.conf")
	mustFail(t, run(t, env, "sysctl", map[string]any{"name": "vm.x", "sysctl_file": f}), "state is present but all of the following are missing: value")
	mustFail(t, run(t, env, "sysctl", map[string]any{"name": "", "value": "1", "sysctl_file": f}), "name cannot be blank")
	mustFail(t, run(t, env, "sysctl", map[string]any{"key": "vm.x", "val": "", "sysctl_file": f}), "value cannot be blank")
	// Aliases, a YAML boolean, and the name stripped.
	mustOK(t, run(t, env, "sysctl", map[string]any{"key": " vm.x ", "val": true, "reload": false, "sysctl_file": f}), true)
	if got := readFile(t, f); got != "vm.x=1\n" {
		t.Fatalf("file %q", got)
	}
	for _, c := range []struct {
		in   any
		want string
	}{{"on", "1"}, {"OFF", "0"}, {false, "0"}, {" 4 5 ", "4 5"}, {7, "7"}, {1.5, "1.5"}, {"yes ", "yes"}} {
		if got := sysctlValue(c.in); got != c.want {
			t.Errorf("value %#v: %q, want %q", c.in, got, c.want)
		}
	}
}
