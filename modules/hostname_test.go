package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// hostnameHost installs fakes of hostnamectl, hostname, uname, getent and
// systemctl keeping the names in files of state (never the machine's),
// logging calls to state/log, and points the module's host paths into
// the test directory (/etc/hostname: state/etc-hostname; the systemd
// canary: state/run-systemd, absent; os-release: state/os-release).
func hostnameHost(t *testing.T) (*Env, string) {
	t.Helper()
	env, dir := testEnv(t)
	s := filepath.Join(dir, "state")
	if err := os.Mkdir(s, 0o755); err != nil {
		t.Fatal(err)
	}
	oldFile, oldCanaries, oldRelease := hostnameFile, hostnameSystemdCanaries, hostnameOSRelease
	hostnameFile = filepath.Join(s, "etc-hostname")
	hostnameSystemdCanaries = []string{filepath.Join(s, "run-systemd") + "/"}
	hostnameOSRelease = []string{filepath.Join(s, "os-release")}
	t.Cleanup(func() { hostnameFile, hostnameSystemdCanaries, hostnameOSRelease = oldFile, oldCanaries, oldRelease })
	fakeBin(t, env, "hostnamectl", `S=`+s+`; echo "hostnamectl $*" >> $S/log
case "$*" in
"--transient status") cat $S/transient ;;
"--static status") cat $S/static ;;
"--pretty --static set-hostname "*) printf '%s\n' "$4" > $S/static ;;
"--transient set-hostname "*) printf '%s\n' "$3" > $S/transient ;;
*) echo "hostnamectl: bad call" >&2; exit 1 ;;
esac
`)
	fakeBin(t, env, "hostname", `S=`+s+`; echo "hostname $*" >> $S/log
case $1 in
"") cat $S/running ;;
-F) cat "$2" > $S/running ;;
*) echo "$1" > $S/running ;;
esac
`)
	fakeBin(t, env, "uname", `S=`+s+`; [ "$1" = -n ] || exit 1
if [ -f $S/transient ]; then cat $S/transient; else cat $S/running; fi
`)
	// getfqdn's look-ups: getaddrinfo (ahosts) of the name, then
	// gethostbyaddr (hosts) of its first address.
	fakeBin(t, env, "getent", `case $1/$2 in
ahosts/web01|ahosts/web01.example.com) printf '10.0.0.1        STREAM web01.example.com\n10.0.0.1        DGRAM\n' ;;
hosts/10.0.0.1) echo "10.0.0.1        web01.example.com web01" ;;
*) exit 2 ;; esac
`)
	fakeBin(t, env, "systemctl", "exit 0\n")
	return env, s
}

func hostnameLog(t *testing.T, s string) string {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(s, "log"))
	return string(b)
}

// systemd (also use: debian, and detected when systemd runs the host):
// hostnamectl sets the static (and pretty) name first, then the transient
// one, only what differs; check mode sets nothing; facts and diff as
// Ansible's.
func TestHostnameSystemd(t *testing.T) {
	env, s := hostnameHost(t)
	writeFile(t, filepath.Join(s, "static"), "old\n", 0o644)
	writeFile(t, filepath.Join(s, "transient"), "localhost\n", 0o644)
	web := map[string]any{"name": "web01.example.com", "use": "systemd"}

	env.Check = true
	r := run(t, env, "hostname", web)
	mustOK(t, r, true)
	if strings.Contains(hostnameLog(t, s), "set-hostname") {
		t.Fatalf("check mode set the name: %q", hostnameLog(t, s))
	}
	if d := r["diff"].(map[string]any); d["before"] != "hostname = localhost\n" || d["after"] != "hostname = web01.example.com\n" {
		t.Fatalf("diff %v", d)
	}
	env.Check = false

	r = run(t, env, "ansible.builtin.hostname", web)
	mustOK(t, r, true)
	if got := hostnameLog(t, s); !strings.HasSuffix(got, "hostnamectl --pretty --static set-hostname web01.example.com\nhostnamectl --transient set-hostname web01.example.com\n") {
		t.Fatalf("calls %q", got)
	}
	want := map[string]any{"ansible_hostname": "web01", "ansible_nodename": "web01.example.com", "ansible_fqdn": "web01.example.com", "ansible_domain": "example.com"}
	if !reflect.DeepEqual(r["ansible_facts"], want) || r["name"] != "web01.example.com" {
		t.Fatalf("result %v", r)
	}
	mustOK(t, run(t, env, "hostname", web), false)

	// Only the transient name differs: only it is set.
	writeFile(t, filepath.Join(s, "transient"), "other\n", 0o644)
	writeFile(t, filepath.Join(s, "log"), "", 0o644)
	mustOK(t, run(t, env, "hostname", map[string]any{"name": "web01.example.com", "use": "debian"}), true)
	if got := hostnameLog(t, s); strings.Contains(got, "--static set-hostname") || !strings.Contains(got, "--transient set-hostname web01.example.com") {
		t.Fatalf("calls %q", got)
	}

	// Detected: systemctl and the running systemd's directory.
	if err := os.Mkdir(filepath.Join(s, "run-systemd"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustOK(t, run(t, env, "hostname", map[string]any{"name": "web02"}), true)
	if got := readFile(t, filepath.Join(s, "static")); got != "web02\n" {
		t.Fatalf("static name %q", got)
	}
	mustFail(t, run(t, env, "hostname", map[string]any{"name": strings.Repeat("a", 65), "use": "systemd"}), "name cannot be longer than 64 characters")
}

// The file strategies: generic writes /etc/hostname ("NAME\n") and runs
// hostname NAME; alpine runs hostname -F /etc/hostname after writing it;
// a Debian without systemd gets Ansible's file strategy (the file only).
// Strategies drover does not implement, or an undetectable host, fail.
func TestHostnameFile(t *testing.T) {
	env, s := hostnameHost(t)
	etc := filepath.Join(s, "etc-hostname")
	writeFile(t, etc, "old\n", 0o640)
	writeFile(t, filepath.Join(s, "running"), "old\n", 0o644)

	r := run(t, env, "hostname", map[string]any{"name": "web01", "use": "generic"})
	mustOK(t, r, true)
	if got := readFile(t, etc); got != "web01\n" || fileMode(t, etc) != 0o640 {
		t.Fatalf("/etc/hostname %q mode %o", got, fileMode(t, etc))
	}
	if got := hostnameLog(t, s); got != "hostname \nhostname web01\n" {
		t.Fatalf("calls %q", got)
	}
	if f := r["ansible_facts"].(map[string]any); f["ansible_hostname"] != "web01" || f["ansible_fqdn"] != "web01.example.com" || f["ansible_domain"] != "example.com" {
		t.Fatalf("facts %v", f)
	}
	mustOK(t, run(t, env, "hostname", map[string]any{"name": "web01", "use": "generic"}), false)

	writeFile(t, filepath.Join(s, "log"), "", 0o644)
	r = run(t, env, "hostname", map[string]any{"name": "alp", "use": "alpine"})
	mustOK(t, r, true)
	if got := readFile(t, etc) + readFile(t, filepath.Join(s, "running")); got != "alp\nalp\n" {
		t.Fatalf("/etc/hostname and running name %q", got)
	}
	if got := hostnameLog(t, s); got != "hostname -F "+etc+"\n" {
		t.Fatalf("calls %q", got)
	}

	// Detected Debian without systemd: the file only.
	writeFile(t, filepath.Join(s, "os-release"), "NAME=\"Debian GNU/Linux\"\nID=debian\n", 0o644)
	writeFile(t, filepath.Join(s, "log"), "", 0o644)
	env.Check = true
	mustOK(t, run(t, env, "hostname", map[string]any{"name": "deb"}), true)
	if got := readFile(t, etc); got != "alp\n" {
		t.Fatalf("check mode wrote %q", got)
	}
	env.Check = false
	r = run(t, env, "hostname", map[string]any{"name": "deb"})
	mustOK(t, r, true)
	if got := readFile(t, etc); got != "deb\n" || hostnameLog(t, s) != "" {
		t.Fatalf("/etc/hostname %q, calls %q", got, hostnameLog(t, s))
	}
	if d := r["diff"].(map[string]any); d["before"] != "hostname = alp\n" {
		t.Fatalf("diff %v", d)
	}
	mustOK(t, run(t, env, "hostname", map[string]any{"name": "deb"}), false)

	writeFile(t, filepath.Join(s, "os-release"), "ID=centos\n", 0o644)
	mustFail(t, run(t, env, "hostname", map[string]any{"name": "x"}), `distribution (os-release ID "centos"): set use`)
	mustFail(t, run(t, env, "hostname", map[string]any{"name": "x", "use": "redhat"}), "use=redhat is not supported by drover")
	if got := readFile(t, etc); got != "deb\n" {
		t.Fatalf("a refused strategy wrote %q", got)
	}
}
