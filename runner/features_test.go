package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestGatherFactsVarsFilesThrottle(t *testing.T) {
	f := testFleet(t, 4, 1, 100*time.Millisecond, nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "site.yml"), []byte("site_name: berlin\nsetting: from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := `
- hosts: all
  gather_facts: true
  vars:
    setting: from-play
  vars_files: [` + filepath.Join(dir, "site.yml") + `]
  tasks:
    - shell: echo "{{ site_name }} {{ setting }} {{ ansible_boot_id }} {{ ansible_facts.os_family }}" > facts
    - shell: "date +%s%N > t0; sleep 0.2; date +%s%N > t1"
      throttle: 1
`
	res, _ := runPlay(t, f, text, nil)
	var spans []span
	for _, h := range res.Hosts {
		if h.Status == StatusFailed || h.Status == StatusUnreachable {
			t.Fatalf("%s: %s", h.Name, h.Msg)
		}
		fh, _ := f.Host(h.Name)
		b, _ := os.ReadFile(filepath.Join(fh.Root, "facts"))
		fields := strings.Fields(string(b))
		if len(fields) != 4 || fields[0] != "berlin" || fields[1] != "from-file" || fields[2] != f.BootID(h.Name) || fields[3] == "" {
			t.Errorf("%s: facts file %q (boot id %s)", h.Name, b, f.BootID(h.Name))
		}
		spans = append(spans, taskSpan(t, f, h.Name))
	}
	checkOneAtATime(t, spans)
}

// The old fire-and-forget reboot idiom: shell with async/poll 0, then
// wait_for_connection.
func TestAsyncRebootIdiom(t *testing.T) {
	f := testFleet(t, 2, 1, 300*time.Millisecond, nil)
	text := `
- hosts: all
  tasks:
    - shell: sleep 0.2 && reboot
      async: 1
      poll: 0
    - wait_for_connection: {delay: 3, sleep: 0.2, timeout: 30}
    - shell: cat /proc/sys/kernel/random/boot_id > after
`
	res, _ := runPlay(t, f, text, nil)
	for _, h := range res.Hosts {
		if h.Status == StatusFailed || h.Status == StatusUnreachable {
			t.Fatalf("%s: %s", h.Name, h.Msg)
		}
		if n := len(f.Reboots(h.Name)); n != 1 {
			t.Errorf("%s: %d reboots", h.Name, n)
		}
		fh, _ := f.Host(h.Name)
		b, _ := os.ReadFile(filepath.Join(fh.Root, "after"))
		if strings.TrimSpace(string(b)) != f.BootID(h.Name) {
			t.Errorf("%s: task after the reboot saw %q, host has %s", h.Name, b, f.BootID(h.Name))
		}
	}
}

func TestDeadlineWarning(t *testing.T) {
	f := testFleet(t, 3, 1, 100*time.Millisecond, nil)
	text := "- hosts: all\n  serial: 1\n  tasks:\n    - command: sleep 0.2\n"
	res, rec := runPlay(t, f, text, func(o *Options) { o.Deadline = time.Now().Add(300 * time.Millisecond) })
	if res.Stopped != "" {
		t.Fatalf("stopped: %s", res.Stopped)
	}
	var warned []string
	for _, e := range rec.of(EvWarning) {
		if strings.Contains(e.Msg, "deadline") {
			warned = append(warned, e.Msg)
		}
	}
	if len(warned) != 1 {
		t.Errorf("deadline warnings: %q, want exactly one", warned)
	}
	// A deadline far away: no warning.
	_, rec = runPlay(t, f, text, func(o *Options) { o.Deadline = time.Now().Add(time.Hour) })
	for _, e := range rec.of(EvWarning) {
		if strings.Contains(e.Msg, "deadline") {
			t.Errorf("unexpected warning %q", e.Msg)
		}
	}
}

func TestTemplatedVarsResolve(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	text := `
- hosts: all
  vars:
    base: data
    app_dir: "{{ base }}/app"
    conf: "{{ app_dir }}/conf"
  tasks:
    - shell: echo '{{ "{{" }} not a template }}'
      register: out
    - shell: mkdir -p {{ app_dir }} && echo "{{ conf }} {{ out.stdout }}" > {{ conf }}
`
	res, _ := runPlay(t, f, text, nil)
	if h := res.Hosts[0]; h.Status == StatusFailed {
		t.Fatalf("%s: %s", h.Name, h.Msg)
	}
	fh, _ := f.Host("host01")
	b, err := os.ReadFile(filepath.Join(fh.Root, "data/app/conf"))
	if err != nil || strings.TrimSpace(string(b)) != "data/app/conf {{ not a template }}" {
		t.Errorf("conf = %q, %v", b, err)
	}
}

func TestIncludeVars(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	dir := t.TempDir()
	vf := filepath.Join(dir, "extra.yml")
	if err := os.WriteFile(vf, []byte("color: blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := "- hosts: all\n  tasks:\n    - include_vars: " + vf + "\n    - shell: echo {{ color }} > color\n"
	res, _ := runPlay(t, f, text, nil)
	if h := res.Hosts[0]; h.Status == StatusFailed {
		t.Fatalf("%s", h.Msg)
	}
	fh, _ := f.Host("host01")
	if b, _ := os.ReadFile(filepath.Join(fh.Root, "color")); strings.TrimSpace(string(b)) != "blue" {
		t.Errorf("color = %q", b)
	}
}

// confirm_after_first_batch without a terminal stops after the first
// batch (a CI job never hangs on a prompt); --yes goes on.
func TestConfirmAfterFirstBatchWithoutTerminal(t *testing.T) {
	f := testFleet(t, 4, 1, 100*time.Millisecond, nil)
	text := "- hosts: all\n  serial: 2\n  confirm_after_first_batch: true\n  tasks:\n    - shell: touch done\n"
	res, _ := runPlay(t, f, text, nil)
	if !strings.Contains(res.Stopped, "confirm_after_first_batch") {
		t.Fatalf("stopped = %q", res.Stopped)
	}
	st := status(res)
	if st["host01"] != StatusChanged || st["host03"] != StatusStopped || st["host04"] != StatusStopped {
		t.Errorf("statuses %v", st)
	}
	res, _ = runPlay(t, f, text, func(o *Options) { o.Yes = true })
	if res.Stopped != "" {
		t.Errorf("with --yes: stopped %q", res.Stopped)
	}
}

// Facts carry Ansible's names and values (ansible_distribution "Debian",
// not the os-release ID), so `when: ansible_distribution == "Ubuntu"`
// patch steps run where they would under Ansible.
func TestFactsLikeAnsible(t *testing.T) {
	osr, err := os.ReadFile("/etc/os-release")
	if err != nil {
		t.Skip("no /etc/os-release")
	}
	kv := map[string]string{}
	for _, l := range strings.Split(string(osr), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			kv[k] = strings.Trim(v, `"'`)
		}
	}
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	text := `
- hosts: all
  gather_facts: true
  tasks:
    - shell: echo "{{ ansible_distribution }}|{{ ansible_distribution_major_version }}|{{ ansible_distribution_release }}|{{ ansible_pkg_mgr }}|{{ ansible_facts.os_family }}|{{ ansible_processor_vcpus }}|{{ ansible_memtotal_mb }}|{{ ansible_default_ipv4.interface | default('') }}|{{ ansible_default_ipv4.gateway | default('') }}|{{ ansible_default_ipv4.address | default('') }}" > facts
`
	res, _ := runPlay(t, f, text, nil)
	if h := res.Hosts[0]; h.Status == StatusFailed || h.Status == StatusUnreachable {
		t.Fatalf("%s: %s", h.Name, h.Msg)
	}
	fh, _ := f.Host("host01")
	b, _ := os.ReadFile(filepath.Join(fh.Root, "facts"))
	got := strings.Split(strings.TrimSpace(string(b)), "|")
	if len(got) != 10 {
		t.Fatalf("facts file %q", b)
	}
	// The default route, read here the way the kernel shows it.
	iface, gw := "", ""
	for _, l := range strings.Split(string(mustRead(t, "/proc/net/route")), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 2 && f[1] == "00000000" {
			n, _ := strconv.ParseUint(f[2], 16, 32)
			iface, gw = f[0], fmt.Sprintf("%d.%d.%d.%d", n&0xff, n>>8&0xff, n>>16&0xff, n>>24&0xff)
			break
		}
	}
	if got[7] != iface || got[8] != gw {
		t.Errorf("default_ipv4 interface %q gateway %q, want %q %q", got[7], got[8], iface, gw)
	}
	if iface != "" {
		if out, err := exec.Command("ip", "-4", "-o", "addr", "show", "dev", iface).Output(); err == nil {
			if f := strings.Fields(string(out)); len(f) > 3 && got[9] != strings.SplitN(f[3], "/", 2)[0] {
				t.Errorf("default_ipv4 address %q, ip says %q", got[9], f[3])
			}
		}
	}
	if got[5] != strconv.Itoa(runtime.NumCPU()) {
		t.Errorf("processor_vcpus %q, this machine has %d", got[5], runtime.NumCPU())
	}
	for _, l := range strings.Split(string(mustRead(t, "/proc/meminfo")), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.Atoi(f[1])
			if got[6] != strconv.Itoa(kb/1024) {
				t.Errorf("memtotal_mb %q, /proc/meminfo says %d MB", got[6], kb/1024)
			}
		}
	}
	want := map[string][2]string{"debian": {"Debian", "Debian"}, "ubuntu": {"Ubuntu", "Debian"}, "rocky": {"Rocky", "RedHat"}, "fedora": {"Fedora", "RedHat"}}
	if w, ok := want[kv["ID"]]; ok && (got[0] != w[0] || got[4] != w[1]) {
		t.Errorf("distribution %q, os_family %q; want %q, %q (os-release ID %s)", got[0], got[4], w[0], w[1], kv["ID"])
	}
	if major := strings.SplitN(kv["VERSION_ID"], ".", 2)[0]; got[1] != major {
		t.Errorf("distribution_major_version %q, want %q", got[1], major)
	}
	if rel := kv["VERSION_CODENAME"]; rel != "" && got[2] != rel {
		t.Errorf("distribution_release %q, want %q", got[2], rel)
	}
	// The fleet's hosts have the apt-get stand-in.
	if got[3] != "apt" {
		t.Errorf("pkg_mgr %q, want apt", got[3])
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
