package runner

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// hwHarness runs ansible-core's own collectors on files under a root:
// get_file_content/get_file_lines/os.access/os.path.exists read the
// root's files; argv: root, what (hardware: cpu+memory+dmi, with the
// architecture in argv[3]; platform: machine-id; cmdline; ssh; caps with
// capsh's output file in argv[3] and rc in argv[4]).
const hwHarness = `
import json, os, sys, types
root, what = sys.argv[1], sys.argv[2]
from ansible.module_utils.facts import utils as U
rp = lambda p: root + p
real_exists, real_access = os.path.exists, os.access
content = lambda path, default=None, strip=True: U.get_file_content(rp(path), default, strip)
lines = lambda path, strip=True, line_sep=None: U.get_file_lines(rp(path), strip, line_sep)
fake_path = types.SimpleNamespace(exists=lambda p: real_exists(rp(p)), isdir=lambda p: os.path.isdir(rp(p)),
    islink=lambda p: os.path.islink(rp(p)), realpath=lambda p: os.path.realpath(rp(p)), getsize=lambda p: os.path.getsize(rp(p)))
fake_os = types.SimpleNamespace(path=fake_path, access=lambda p, m: real_access(rp(p), m), R_OK=os.R_OK,
    sched_getaffinity=lambda pid: set(range(int(os.environ.get('NPROC', '1')))))
class Module:
    run_command_environ_update = {}
    def get_bin_path(self, name, *a, **k): return None
    def run_command(self, *a, **k): return 1, '', ''
    def debug(self, m): pass
    def warn(self, m): pass
if what == 'hardware':
    from ansible.module_utils.facts.hardware import linux as L
    L.os, L.get_file_content, L.get_file_lines = fake_os, content, lines
    h = L.LinuxHardware(Module())
    f = {}
    f.update(h.get_cpu_facts(collected_facts={'ansible_architecture': sys.argv[3]}))
    f.update(h.get_memory_facts())
    f.update(h.get_dmi_facts())
elif what == 'cmdline':
    from ansible.module_utils.facts.system import cmdline as C
    C.get_file_content = content
    f = C.CmdLineFactCollector().collect()
elif what == 'ssh':
    from ansible.module_utils.facts.system import ssh_pub_keys as S
    S.get_file_content = content
    f = S.SshPubKeyFactCollector().collect()
elif what == 'platform':
    from ansible.module_utils.facts.system import platform as P
    P.get_file_content = content
    f = P.PlatformFactCollector().collect(module=Module())
    f = {'machine_id': f.get('machine_id')}
elif what == 'caps':
    from ansible.module_utils.facts.system import caps as C
    out, rc = open(sys.argv[3]).read(), int(sys.argv[4])
    class CapsModule(Module):
        def get_bin_path(self, name, *a, **k): return '/x/capsh'
        def run_command(self, *a, **k): return rc, out, ''
    f = C.SystemCapabilitiesFactCollector().collect(module=CapsModule())
print(json.dumps(f))
`

func runHW(t *testing.T, py, root string, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command(py, append([]string{"-c", hwHarness, root}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "NPROC=4"}
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("ansible-core (%v): %v\n%s", args, err, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("ansible-core: %v: %s", err, out)
	}
	return m
}

// hwHostPaths are the paths of factsScriptHW (and the hardware inputs of
// factsScriptMore) a test moves under its fake root, besides
// factsHostPaths.
var hwHostPaths = []string{"/proc/meminfo", "/proc/cmdline", "/proc/loadavg", "/var/lib/dbus/machine-id", "/etc/machine-id",
	"/sys/hypervisor/type", "/sys/kernel/security/apparmor", "/usr/sbin/capsh", "/sbin/capsh", "/usr/local/sbin/capsh"}

// hwRun runs factsScript on a fake host whose hardware files are under
// root (and its ssh keys), with the commands of bin, and parses it.
func hwRun(t *testing.T, fh fakeHost, root, bin string) map[string]any {
	t.Helper()
	var pairs []string
	for _, p := range hwHostPaths {
		pairs = append(pairs, p, root+p)
	}
	pairs = append(pairs, "for d in /etc/ssh /etc/openssh /etc;", "for d in "+root+"/etc/ssh "+root+"/etc/openssh "+root+"/etc;")
	script := strings.NewReplacer(pairs...).Replace(rootedScript(root))
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + bin, "HOME=" + cmd.Dir, "LANG=C.UTF-8"}, fh.env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("facts script: %v", err)
	}
	return parseFacts(strings.ReplaceAll(string(out), root, ""))
}

// A 2-socket Xeon, 2 cores a socket, hyperthreaded (8 logical CPUs).
func xeonCpuinfo() string {
	var b strings.Builder
	n := 0
	for sock := 0; sock < 2; sock++ {
		for core := 0; core < 2; core++ {
			for ht := 0; ht < 2; ht++ {
				b.WriteString("processor\t: " + itoa(n) + "\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n" +
					"model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\ncpu MHz\t\t: 2100.000\nphysical id\t: " + itoa(sock) +
					"\nsiblings\t: 4\ncore id\t\t: " + itoa(core) + "\ncpu cores\t: 2\nflags\t\t: fpu vme de pse\n\n")
				n++
			}
		}
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

const armCpuinfo = `processor	: 0
BogoMIPS	: 108.00
Features	: fp asimd evtstrm crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd08
CPU revision	: 3

processor	: 1
BogoMIPS	: 108.00
Features	: fp asimd evtstrm crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU part	: 0xd08

Hardware	: BCM2835
Revision	: c03111
Serial		: 10000000abcdef01
Model		: Raspberry Pi 4 Model B Rev 1.1
`

const testMeminfo = `MemTotal:        8040868 kB
MemFree:          512340 kB
MemAvailable:    6012340 kB
Buffers:          123456 kB
Cached:          4523456 kB
SwapCached:         1024 kB
Active:          3000000 kB
SwapTotal:       2097148 kB
SwapFree:        2000000 kB
`

// The processor, memory and DMI facts as ansible-core's LinuxHardware
// computes them from the same files: a 2-socket hyperthreaded Xeon, a
// Raspberry Pi (aarch64), a Xen paravirtualized guest (no vme flag), a
// meminfo without swap lines; DMI files with root-only (unreadable)
// serials and an empty one, and a host without sysfs DMI.
func TestHardwareFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	dmi := func(p string) string { return "/sys/devices/virtual/dmi/id/" + p }
	xenPV := strings.ReplaceAll(xeonCpuinfo(), "fpu vme de", "fpu de")
	cases := []struct {
		name, arch string
		files      map[string]string
		unreadable []string
	}{
		{name: "xeon", arch: "x86_64", files: map[string]string{"/proc/cpuinfo": xeonCpuinfo(), "/proc/meminfo": testMeminfo,
			dmi("product_name"): "PowerEdge R640\n", dmi("sys_vendor"): "Dell Inc.\n", dmi("bios_date"): "01/15/2021\n",
			dmi("bios_vendor"): "Dell Inc.\n", dmi("bios_version"): "2.10.0\n", dmi("chassis_type"): "23\n", dmi("board_name"): "0H28RR\n",
			dmi("board_vendor"): "Dell Inc.\n", dmi("board_version"): "A00\n", dmi("board_asset_tag"): "\n", dmi("product_uuid"): "4c4c4544-0042\n",
			dmi("product_serial"): "ABC123\n", dmi("board_serial"): "XYZ\n", dmi("chassis_serial"): "CH1\n", dmi("product_version"): " \n"},
			unreadable: []string{dmi("product_serial"), dmi("board_serial"), dmi("chassis_serial"), dmi("product_uuid")}},
		{name: "raspberry pi", arch: "aarch64", files: map[string]string{"/proc/cpuinfo": armCpuinfo,
			"/proc/meminfo": "MemTotal:        3884820 kB\nMemFree:         1000000 kB\n"}},
		{name: "xen pv", arch: "x86_64", files: map[string]string{"/proc/cpuinfo": xenPV, "/proc/meminfo": testMeminfo,
			"/sys/hypervisor/type": "xen\n", dmi("product_name"): "HVM domU\n", dmi("chassis_type"): "99\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fh := fakeHost{files: c.files}
			if c.arch != "x86_64" { // uname -m decides how the CPUs are counted
				uname, _ := exec.LookPath("uname")
				fh.stubs = map[string]string{"uname": `case "$1" in -m) echo ` + c.arch + `;; *) exec ` + uname + ` "$@";; esac`}
			}
			root, bin := fh.setup(t)
			for _, p := range c.unreadable {
				if os.Getuid() == 0 {
					// root reads a 0400 file: make it unreadable as
					// it is to other users on a real host by removing it
					// for both (Ansible's "NA" either way)
					os.Remove(filepath.Join(root, p))
				} else {
					os.Chmod(filepath.Join(root, p), 0)
				}
			}
			got := hwRun(t, fh, root, bin)
			keys := []string{"processor", "processor_count", "processor_cores", "processor_threads_per_core", "processor_vcpus",
				"memtotal_mb", "memfree_mb", "swaptotal_mb", "swapfree_mb", "memory_mb"}
			for _, d := range dmiFacts {
				keys = append(keys, d[0])
			}
			if py == "" {
				t.Skip("ansible-core not installed")
			}
			want := runHW(t, py, root, "hardware", c.arch)
			for _, k := range keys {
				if !reflect.DeepEqual(normJSON(t, got[k]), want[k]) {
					t.Errorf("%s: drover %v, ansible-core %v", k, jsonOf(t, got[k]), jsonOf(t, want[k]))
				}
			}
			if c.name == "xeon" && (got["processor_count"] != 2 || got["processor_vcpus"] != 8 || got["product_serial"] != "NA") {
				t.Errorf("xeon: %v %v %v", got["processor_count"], got["processor_vcpus"], got["product_serial"])
			}
		})
	}
}
