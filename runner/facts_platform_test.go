package runner

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// cmdline, machine_id, the ssh host keys and the capabilities as
// ansible-core's collectors give them for the same files: a cmdline with
// repeated keys, quotes and a value with =; keys in /etc/ssh and
// /etc/openssh (Ansible's stop rule); capsh --print with and without
// enforced capabilities, and failing.
func TestSystemFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	files := map[string]string{
		"/proc/cmdline":                     `BOOT_IMAGE=/vmlinuz-6.1 root=UUID=abc ro console=tty0 console=ttyS0,115200 quiet "acpi=off x" rd.lvm.lv=vg/root rd.lvm.lv=vg/swap rd.lvm.lv=vg/usr --` + "\n",
		"/var/lib/dbus/machine-id":          "",
		"/etc/machine-id":                   "0123456789abcdef0123456789abcdef\n",
		"/etc/ssh/ssh_host_rsa_key.pub":     "ssh-rsa AAAArsa root@h\n",
		"/etc/openssh/ssh_host_dsa_key.pub": "ssh-dss AAAAdsa\n",
		"/etc/openssh/ssh_host_rsa_key.pub": "ssh-rsa AAAAother\n",
		"/etc/ssh_host_ed25519_key.pub":     "ssh-ed25519 AAAAed\n",
	}
	capsOut := map[string]string{
		"enforced": "Current: = cap_chown,cap_kill+ep\nBounding set =cap_chown\n",
		"ep":       "Current: =ep\nBounding set =cap_chown\n",
	}
	for name, caps := range map[string]string{"enforced": capsOut["enforced"], "ep": capsOut["ep"], "fails": ""} {
		t.Run(name, func(t *testing.T) {
			fh := fakeHost{files: files, stubs: map[string]string{}}
			if name == "fails" {
				fh.stubs["/usr/sbin/capsh"] = "exit 1"
			} else {
				fh.stubs["/usr/sbin/capsh"] = "cat <<'EOF'\n" + caps + "EOF"
			}
			root, bin := fh.setup(t)
			got := hwRun(t, fh, root, bin)
			if py == "" {
				t.Skip("ansible-core not installed")
			}
			want := map[string]any{}
			for _, what := range []string{"cmdline", "ssh", "platform"} {
				for k, v := range runHW(t, py, root, what) {
					want[k] = v
				}
			}
			capsFile := filepath.Join(t.TempDir(), "caps")
			writeTestFile(t, capsFile, caps, 0o644)
			rc := "0"
			if name == "fails" {
				rc = "1"
			}
			for k, v := range runHW(t, py, root, "caps", capsFile, rc) {
				want[k] = v
			}
			for k, w := range want {
				if !reflect.DeepEqual(normJSON(t, got[k]), w) {
					t.Errorf("%s: drover %s, ansible-core %s", k, jsonOf(t, got[k]), jsonOf(t, w))
				}
			}
			if _, ok := got["ssh_host_key_dsa_public"]; !ok || len(want) < 8 {
				t.Errorf("facts missing: %v", want)
			}
		})
	}
}

// shlex.split(posix=False) as Python's, on the odd cases.
func TestShlexNonPosix(t *testing.T) {
	py := ansiblePython(t)
	if py == "" {
		t.Skip("ansible-core not installed")
	}
	for _, s := range []string{`a "b c" d`, `x="a b" y`, `"a""b" c`, `'q' "w`, `a'b c'd`, "t\tu\n", ` `, `k=v=w`} {
		out, err := exec.Command(py, "-c", "import shlex,sys,json\ntry: print(json.dumps(shlex.split(sys.argv[1], posix=False)))\nexcept ValueError: print('null')", s).Output()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		json.Unmarshal(out, &want)
		got, ok := shlexNonPosix(s)
		if !ok {
			got = nil
		}
		if strings.TrimSpace(string(out)) == "[]" {
			want = []string{}
			if got == nil && ok {
				got = []string{}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: drover %q, python %q", s, got, want)
		}
	}
}

// This machine's facts through a local connection against `ansible
// localhost -m setup` (where ansible-core is installed): the facts that
// do not change between the two runs are equal; loadavg is close.
func TestHWFactsOnThisMachine(t *testing.T) {
	conn := &LocalConn{}
	out, err := conn.Run(context.Background(), factsScript, nil)
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("facts: %v %s", err, out.Stderr)
	}
	got := parseFacts(string(out.Stdout))
	py := ansiblePython(t)
	if py == "" {
		t.Skip("ansible-core not installed")
	}
	home := t.TempDir()
	cmd := exec.Command("ansible", "localhost", "-c", "local", "-m", "setup", "-e", "ansible_python_interpreter="+py)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + home, "LANG=C.UTF-8",
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"), "ANSIBLE_LOCALHOST_WARNING=false", "ANSIBLE_INVENTORY_UNPARSED_WARNING=false"}
	b, err := cmd.CombinedOutput()
	_, js, ok := strings.Cut(string(b), "=> ")
	var res struct {
		Facts map[string]any `json:"ansible_facts"`
	}
	if err != nil || !ok || json.Unmarshal([]byte(js), &res) != nil {
		t.Fatalf("ansible setup: %v\n%s", err, b)
	}
	same := []string{"fqdn", "domain", "memtotal_mb", "swaptotal_mb", "processor", "processor_count", "processor_cores",
		"processor_threads_per_core", "processor_vcpus", "processor_nproc", "kernel_version", "machine", "machine_id", "architecture",
		"userspace_bits", "userspace_architecture", "cmdline", "proc_cmdline", "is_chroot", "apparmor",
		"system_capabilities", "system_capabilities_enforced", "ssh_host_key_rsa_public", "ssh_host_key_rsa_public_keytype",
		"ssh_host_key_ecdsa_public", "ssh_host_key_ed25519_public", "ssh_host_key_ed25519_public_keytype", "ssh_host_key_dsa_public"}
	for _, d := range dmiFacts {
		same = append(same, d[0])
	}
	for _, k := range same {
		if a, ok := res.Facts["ansible_"+k]; !reflect.DeepEqual(normJSON(t, got[k]), a) && (ok || got[k] != nil) {
			t.Errorf("%s: drover %s, ansible %s", k, jsonOf(t, got[k]), jsonOf(t, a))
		}
	}
	for _, k := range []string{"1m", "5m", "15m"} {
		g, _ := got["loadavg"].(map[string]any)[k].(float64)
		a, _ := res.Facts["ansible_loadavg"].(map[string]any)[k].(float64)
		if g-a > 1 || a-g > 1 {
			t.Errorf("loadavg %s: drover %v, ansible %v", k, g, a)
		}
	}
	mm, _ := got["memory_mb"].(map[string]any)
	am, _ := res.Facts["ansible_memory_mb"].(map[string]any)
	if mm["real"].(map[string]any)["total"] != int(am["real"].(map[string]any)["total"].(float64)) {
		t.Errorf("memory_mb: drover %v, ansible %v", mm, am)
	}
}

// fqdn and domain as socket.getfqdn() gives them from gethostbyaddr's
// name and aliases; the new facts are selected by their collectors.
func TestFQDNAndSubsets(t *testing.T) {
	for _, c := range []struct{ line, fqdn, domain string }{
		{"127.0.1.1       web01 web01.example.com", "web01.example.com", "example.com"},
		{"127.0.0.1       localhost", "localhost", ""},
		{"hostname-f a.b.c", "a.b.c", "b.c"},
	} {
		if g := fqdnFacts([]string{c.line}, "node"); g["fqdn"] != c.fqdn || g["domain"] != c.domain {
			t.Errorf("%q: %v", c.line, g)
		}
	}
	if g := fqdnFacts(nil, "node.lan"); g["fqdn"] != "node.lan" || g["domain"] != "lan" {
		t.Errorf("look-up failed: %v", g)
	}
	facts := map[string]any{"memory_mb": 1, "processor_count": 1, "bios_date": "x", "domain": "", "machine_id": "m",
		"cmdline": map[string]any{}, "is_chroot": false, "ssh_host_key_rsa_public": "k", "system_capabilities": "N/A", "loadavg": map[string]any{}}
	want := map[string][]string{"hardware": {"memory_mb", "processor_count", "bios_date"}, "platform": {"domain", "machine_id"},
		"cmdline": {"cmdline"}, "chroot": {"is_chroot"}, "ssh_pub_keys": {"ssh_host_key_rsa_public"}, "caps": {"system_capabilities"},
		"loadavg": {"loadavg"}}
	for sub, names := range want {
		c, err := collectorsFor([]string{"!all", "!min", sub})
		if err != nil {
			t.Fatal(err)
		}
		got := selectFacts(facts, setupOpts{collectors: c})
		if len(got) != len(names) {
			t.Errorf("gather_subset %s: %v", sub, got)
		}
	}
}
