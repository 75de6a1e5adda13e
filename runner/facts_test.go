package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner/fleet"
)

// The host paths factsScriptMore reads: a test runs the script with them
// moved under a fake root (as the fleet rewrites the boot id path), so
// that it sees the files of the host it simulates.
var factsHostPaths = []string{
	"/proc/1/cgroup", "/proc/1/environ", "/proc/self/status", "/proc/cpuinfo",
	"/proc/xen", "/proc/modules", "/proc/vz", "/proc/lve", "/proc/bc",
	"/proc/[0-9]*/comm", "/run/systemd/container", "/sys/devices/virtual/dmi/id/",
	"/.dockerenv", "/.dockerinit", "/dev/kvm", "/rhev/", "/usr/local/sbin/dmidecode",
	"/usr/sbin/dmidecode", "/sbin/dmidecode", "/etc/lsb-release",
}

// fakeHost is a simulated host for factsScript: files under a fake root
// (a name ending in / is a directory) and the commands on its PATH:
// links to this machine's for the tools the script uses, and stubs
// (sh bodies; a name starting with / is installed under the root).
type fakeHost struct {
	files map[string]string
	stubs map[string]string
	env   []string // TZ=...
}

func (fh fakeHost) setup(t *testing.T) (root, bin string) {
	t.Helper()
	// Not t.TempDir(): the script has the paths unquoted, and subtest
	// names give it parentheses.
	root, bin = tempDir(t), tempDir(t)
	for p, content := range fh.files {
		full := filepath.Join(root, p)
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		writeTestFile(t, full, content, 0o644)
	}
	for _, tool := range []string{"hostname", "uname", "cat", "cut", "grep", "tr", "date", "nproc", "ip", "head", "sed"} {
		if p, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, body := range fh.stubs {
		dir := bin
		if strings.HasPrefix(name, "/") {
			dir = root
		}
		p := filepath.Join(dir, name)
		os.Remove(p)
		writeTestFile(t, p, "#!/bin/sh\n"+body+"\n", 0o755)
	}
	return root, bin
}

func tempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "drover-facts-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func writeTestFile(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// rootedScript is factsScript with the host paths under root.
func rootedScript(root string) string {
	var pairs []string
	for _, p := range factsHostPaths {
		pairs = append(pairs, p, root+p)
	}
	return strings.NewReplacer(pairs...).Replace(factsScript)
}

// run runs factsScript on the fake host with /bin/sh and parses its
// output with the code gatherOn uses.
func (fh fakeHost) run(t *testing.T, root, bin string) map[string]any {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", rootedScript(root))
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + bin, "HOME=" + cmd.Dir, "LANG=C.UTF-8"}, fh.env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("facts script: %v", err)
	}
	return parseFacts(strings.ReplaceAll(string(out), root, ""))
}

// Every host path the added part of the script reads is in
// factsHostPaths: the fake-host tests cannot read this machine's.
func TestFactsScriptHostPathsCovered(t *testing.T) {
	more := strings.NewReplacer(func() []string {
		var p []string
		for _, s := range factsHostPaths {
			p = append(p, s, "ROOT"+s)
		}
		return p
	}()...).Replace(factsScriptMore)
	for _, m := range regexp.MustCompile(`(^|[\s'"<])/[a-z.][^\s'"|;)]*`).FindAllString(more, -1) {
		if p := strings.TrimLeft(m, " \t\n'\"<"); p != "/dev/null" {
			t.Errorf("host path %s not under the fake root in the tests", p)
		}
	}
}

// ansiblePython is the Python that runs ansible-core (the interpreter of
// the ansible command), or "" when ansible is not installed (under CI it
// must be).
func ansiblePython(t *testing.T) string {
	t.Helper()
	a, err := exec.LookPath("ansible")
	if err == nil {
		var b []byte
		if b, err = os.ReadFile(a); err == nil {
			line, _, _ := strings.Cut(string(b), "\n")
			f := strings.Fields(strings.TrimPrefix(line, "#!"))
			if len(f) > 1 && filepath.Base(f[0]) == "env" {
				f = f[1:]
			}
			if len(f) > 0 && exec.Command(f[0], "-c", "import ansible.module_utils.facts").Run() == nil {
				return f[0]
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("ansible-core not found (CI=true): install ansible-core (scripts/test-deps.sh)")
	}
	return ""
}

// collectorHarness runs one of ansible-core's own fact collectors (argv:
// virtual, lsb or date) against a fake host: its file reads and command
// look-ups moved under the root, its commands run with PATH=bin.
const collectorHarness = `
import glob, json, os, shlex, subprocess, sys, types
root, bindir, what = sys.argv[1], sys.argv[2], sys.argv[3]
from ansible.module_utils.facts import utils as U
rp = lambda p: root + p
fake_os = types.SimpleNamespace(
    path=types.SimpleNamespace(exists=lambda p: os.path.exists(rp(p)), isdir=lambda p: os.path.isdir(rp(p))),
    access=lambda p, m: os.access(rp(p), m), R_OK=os.R_OK)
content = lambda path, default=None, strip=True: U.get_file_content(rp(path), default, strip)
lines = lambda path, strip=True, line_sep=None: U.get_file_lines(rp(path), strip, line_sep)
class Module:
    def get_bin_path(self, name, required=False, opt_dirs=None):
        for d in [bindir, rp('/sbin'), rp('/usr/sbin'), rp('/usr/local/sbin')]:
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                return p
    def run_command(self, args, **kw):
        if isinstance(args, str):
            args = shlex.split(args)
        r = subprocess.run(args, capture_output=True, text=True, env={'PATH': bindir})
        return r.returncode, r.stdout, r.stderr
if what == 'virtual':
    from ansible.module_utils.facts.virtual import linux as L
    L.os, L.get_file_content, L.get_file_lines = fake_os, content, lines
    L.glob = types.SimpleNamespace(glob=lambda pat: glob.glob(rp(pat)))
    f = L.LinuxVirtual(Module()).get_virtual_facts()
    for k in ('virtualization_tech_guest', 'virtualization_tech_host'):
        f[k] = sorted(f[k])
elif what == 'lsb':
    from ansible.module_utils.facts.system import lsb as S
    S.os, S.get_file_lines = fake_os, lines
    f = S.LSBFactCollector().collect(module=Module())['lsb']
else:
    from ansible.module_utils.facts.system.date_time import DateTimeFactCollector
    f = DateTimeFactCollector().collect()['date_time']
print(json.dumps(f))
`

func runCollector(t *testing.T, py, what, root, bin string, env []string) map[string]any {
	t.Helper()
	cmd := exec.Command(py, "-c", collectorHarness, root, bin, what)
	cmd.Env = append([]string{"PATH=" + bin + ":/usr/bin:/bin", "LANG=C.UTF-8"}, env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("ansible's %s collector: %v\n%s", what, err, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("ansible's %s collector: %v: %s", what, err, out)
	}
	return m
}

func virtFacts(f map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range f {
		if strings.HasPrefix(k, "virtualization_") {
			out[k] = v
		}
	}
	return out
}

func virt(typ, role string, guest, host []any) map[string]any {
	if guest == nil {
		guest = []any{}
	}
	if host == nil {
		host = []any{}
	}
	return map[string]any{"virtualization_type": typ, "virtualization_role": role,
		"virtualization_tech_guest": guest, "virtualization_tech_host": host}
}

// ansible_virtualization_* as Ansible's Linux collector decides them, on
// simulated hosts: the value drover gathers is the one written here and,
// where ansible-core is installed, the one its own collector gives for
// the same files and commands.
func TestVirtualizationFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	const dmi = "/sys/devices/virtual/dmi/id/"
	intelCPU := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU\nflags\t\t: fpu vme\n"
	cases := []struct {
		name string
		host fakeHost
		want map[string]any
	}{
		{"bare metal", fakeHost{files: map[string]string{
			"/proc/1/cgroup": "0::/init.scope\n", "/proc/cpuinfo": intelCPU, "/proc/self/status": "Name:\tgrep\nUid:\t0\n",
			dmi + "product_name": "PowerEdge R640\n", dmi + "sys_vendor": "Dell Inc.\n", dmi + "bios_vendor": "Dell Inc.\n"}},
			virt("NA", "NA", nil, nil)},
		{"docker (cgroup v1)", fakeHost{files: map[string]string{"/proc/1/cgroup": "12:pids:/docker/3f2a9c\n11:memory:/docker/3f2a9c\n"}},
			virt("docker", "guest", []any{"container", "docker"}, nil)},
		{"docker (systemd scope)", fakeHost{files: map[string]string{"/proc/1/cgroup": "0::/system.slice/docker-3f2a9c0d.scope\n"}},
			virt("docker", "guest", []any{"container", "docker"}, nil)},
		{"docker without cgroup marks, on a kvm host", fakeHost{files: map[string]string{"/.dockerenv": "", "/dev/kvm": "", "/proc/1/cgroup": "0::/\n"}},
			virt("docker", "guest", []any{"container", "docker"}, []any{"kvm"})},
		{"containerd", fakeHost{files: map[string]string{"/proc/1/cgroup": "0::/system.slice/containerd.service/kubepods\n"}},
			virt("containerd", "guest", []any{"container", "containerd"}, nil)},
		{"lxc from pid 1's environment", fakeHost{files: map[string]string{"/proc/1/environ": "PATH=/bin\x00container=lxc\x00TERM=linux\x00"}},
			virt("lxc", "guest", []any{"container", "lxc"}, nil)},
		{"podman", fakeHost{files: map[string]string{"/proc/1/environ": "container=podman\x00", "/run/systemd/container": "podman\n"}},
			virt("podman", "guest", []any{"container", "podman"}, nil)},
		{"systemd-nspawn", fakeHost{files: map[string]string{"/run/systemd/container": "systemd-nspawn\n"}},
			virt("systemd-nspawn", "guest", []any{"container", "systemd-nspawn"}, nil)},
		{"lxc cgroup in a kvm guest", fakeHost{files: map[string]string{"/proc/1/cgroup": "0::/lxc/web1\n", dmi + "product_name": "KVM\n", dmi + "sys_vendor": "QEMU\n"}},
			virt("lxc", "guest", []any{"container", "kvm", "lxc"}, nil)},
		{"openvz guest", fakeHost{files: map[string]string{"/proc/vz/": ""}},
			virt("openvz", "guest", []any{"container", "openvz"}, nil)},
		{"openvz host", fakeHost{files: map[string]string{"/proc/vz/": "", "/proc/bc/": ""}},
			virt("openvz", "host", nil, []any{"openvz"})},
		{"cloudlinux lve is not openvz", fakeHost{files: map[string]string{"/proc/vz/": "", "/proc/lve/": ""}},
			virt("NA", "NA", nil, nil)},
		{"xen dom0", fakeHost{files: map[string]string{"/proc/xen/capabilities": "control_d\n"}},
			virt("xen", "host", nil, []any{"xen"})},
		{"xen domU", fakeHost{files: map[string]string{"/proc/xen/capabilities": "", dmi + "bios_vendor": "Xen\n"}},
			virt("xen", "guest", []any{"xen"}, nil)},
		{"kvm guest", fakeHost{files: map[string]string{dmi + "product_name": "KVM\n", dmi + "sys_vendor": "QEMU\n", "/proc/cpuinfo": intelCPU}},
			virt("kvm", "guest", []any{"kvm"}, nil)},
		{"VMware", fakeHost{files: map[string]string{dmi + "product_name": "VMware Virtual Platform\n", dmi + "sys_vendor": "VMware, Inc.\n"}},
			virt("VMware", "guest", []any{"VMware"}, nil)},
		{"VMware hw20: only dmidecode tells", fakeHost{
			files: map[string]string{dmi + "product_name": "VMware20,1\n", dmi + "sys_vendor": "VMware, Inc.\n"},
			stubs: map[string]string{"/usr/sbin/dmidecode": `[ "$*" = "-s system-product-name" ] || exit 2; printf '# dmidecode 3.4\nVMware20,1\n'`}},
			virt("VMware", "guest", []any{"VMware"}, nil)},
		{"dmidecode failing (not root)", fakeHost{
			files: map[string]string{dmi + "product_name": "VMware20,1\n"},
			stubs: map[string]string{"dmidecode": `echo 'VMware20,1'; echo 'Permission denied' >&2; exit 1`}},
			virt("NA", "NA", nil, nil)},
		{"bhyve", fakeHost{stubs: map[string]string{"/sbin/dmidecode": `echo BHYVE`}},
			virt("bhyve", "guest", []any{"bhyve"}, nil)},
		{"Amazon EC2", fakeHost{files: map[string]string{dmi + "product_name": "m5.large\n", dmi + "sys_vendor": "Amazon EC2\n", dmi + "bios_vendor": "Amazon EC2\n"}},
			virt("kvm", "guest", []any{"kvm"}, nil)},
		{"VirtualBox", fakeHost{files: map[string]string{dmi + "product_name": "VirtualBox\n", dmi + "bios_vendor": "innotek GmbH\n"}},
			virt("virtualbox", "guest", []any{"virtualbox"}, nil)},
		{"Hyper-V", fakeHost{files: map[string]string{dmi + "product_name": "Virtual Machine\n", dmi + "sys_vendor": "Microsoft Corporation\n"}},
			virt("VirtualPC", "guest", []any{"VirtualPC"}, nil)},
		{"RHV", fakeHost{files: map[string]string{dmi + "sys_vendor": "Red Hat\n", dmi + "product_family": "RHV\n", dmi + "product_name": "RHEV Hypervisor\n"}},
			virt("RHV", "guest", []any{"RHV"}, nil)},
		{"kvm host", fakeHost{files: map[string]string{"/proc/modules": "kvm_intel 401408 0 - Live 0x0\nkvm 1142784 1 kvm_intel, Live 0x0\n", "/dev/kvm": ""}},
			virt("kvm", "host", nil, []any{"kvm"})},
		{"RHEV host (vdsm)", fakeHost{files: map[string]string{"/proc/modules": "kvm 1142784 1 kvm_intel, Live 0x0\n", "/rhev/": "", "/proc/1/comm": "systemd\n", "/proc/4242/comm": "vdsmd\n"}},
			virt("RHEV", "host", nil, []any{"RHEV", "kvm"})},
		{"virtualbox host", fakeHost{files: map[string]string{"/proc/modules": "vboxdrv 483328 2 vboxnetadp,vboxnetflt, Live 0x0\n"}},
			virt("virtualbox", "host", nil, []any{"virtualbox"})},
		{"virtio module", fakeHost{files: map[string]string{"/proc/modules": "virtio 16384 2 virtio_net,virtio_blk, Live 0x0\n"}},
			virt("kvm", "guest", nil, []any{"kvm"})},
		{"qemu tcg cpu", fakeHost{files: map[string]string{"/proc/cpuinfo": "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: QEMU Virtual CPU version 2.5+\n"}},
			virt("kvm", "guest", []any{"kvm"}, nil)},
		{"s390 LPAR", fakeHost{files: map[string]string{"/proc/cpuinfo": "vendor_id       : IBM/S390\n# processors    : 4\n"},
			stubs: map[string]string{"lscpu": `printf 'Architecture:  s390x\nVendor ID:     IBM/S390\n'`}},
			virt("PR/SM", "LPAR", []any{"PR/SM"}, nil)},
		{"s390 z/VM guest", fakeHost{files: map[string]string{"/proc/cpuinfo": "vendor_id       : IBM/S390\n"},
			stubs: map[string]string{"lscpu": `printf 'Architecture:  s390x\nHypervisor:    z/VM 7.2.0\nHypervisor vendor: IBM\n'`}},
			virt("z/VM 7.2.0", "guest", []any{"PR/SM", "z/VM 7.2.0"}, nil)},
		{"s390 without lscpu", fakeHost{files: map[string]string{"/proc/cpuinfo": "vendor_id       : IBM/S390\n"}},
			virt("ibm_systemz", "guest", []any{"PR/SM", "ibm_systemz"}, nil)},
		{"linux-vserver guest", fakeHost{files: map[string]string{"/proc/self/status": "Name:\tsh\nVxID:\t42\n"}},
			virt("linux_vserver", "guest", []any{"linux_vserver"}, nil)},
		{"linux-vserver host", fakeHost{files: map[string]string{"/proc/self/status": "Name:\tsh\nVxID:\t0\n"}},
			virt("linux_vserver", "host", nil, []any{"linux_vserver"})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, bin := c.host.setup(t)
			got := virtFacts(c.host.run(t, root, bin))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("drover: %v\nwant   %v", got, c.want)
			}
			if py != "" {
				if a := runCollector(t, py, "virtual", root, bin, nil); !reflect.DeepEqual(a, c.want) {
					t.Errorf("ansible-core gives %v\n     test wants %v", a, c.want)
				}
			}
		})
	}
}

// ansible_lsb: lsb_release -a when it is installed and succeeds, else
// /etc/lsb-release; {} without either. Checked against ansible-core's
// collector where it is installed.
func TestLSBFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	debian := `echo 'No LSB modules are available.' >&2; printf 'Distributor ID:\tDebian\nDescription:\tDebian GNU/Linux 12 (bookworm)\nRelease:\t12\nCodename:\tbookworm\n'`
	ubuntuFile := "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION=\"Ubuntu 22.04.3 LTS\""
	ubuntu := map[string]any{"id": "Ubuntu", "release": "22.04", "major_release": "22", "codename": "jammy", "description": "Ubuntu 22.04.3 LTS"}
	cases := []struct {
		name string
		host fakeHost
		want map[string]any
	}{
		{"lsb_release", fakeHost{stubs: map[string]string{"lsb_release": debian}},
			map[string]any{"id": "Debian", "description": "Debian GNU/Linux 12 (bookworm)", "release": "12", "major_release": "12", "codename": "bookworm"}},
		{"lsb_release with LSB Version", fakeHost{stubs: map[string]string{"lsb_release": `printf 'LSB Version:\t:core-4.1-amd64:core-4.1-noarch\nDistributor ID:\tCentOS\nDescription:\tCentOS Linux release 7.9.2009 (Core)\nRelease:\t7.9.2009\nCodename:\tCore\n'`}},
			map[string]any{"id": "CentOS", "description": "CentOS Linux release 7.9.2009 (Core)", "release": "7.9.2009", "major_release": "7", "codename": "Core"}},
		{"lsb_release wins over the file", fakeHost{stubs: map[string]string{"lsb_release": debian}, files: map[string]string{"/etc/lsb-release": ubuntuFile}},
			map[string]any{"id": "Debian", "description": "Debian GNU/Linux 12 (bookworm)", "release": "12", "major_release": "12", "codename": "bookworm"}},
		{"/etc/lsb-release only", fakeHost{files: map[string]string{"/etc/lsb-release": ubuntuFile + "\n"}}, ubuntu},
		{"lsb_release failing: the file", fakeHost{stubs: map[string]string{"lsb_release": `echo 'Distributor ID: Broken'; exit 1`}, files: map[string]string{"/etc/lsb-release": ubuntuFile}}, ubuntu},
		{"quotes stripped", fakeHost{files: map[string]string{"/etc/lsb-release": "DISTRIB_ID='Linuxmint'\nDISTRIB_RELEASE=\"21.2\"\nDISTRIB_CODENAME=victoria\n"}},
			map[string]any{"id": "Linuxmint", "release": "21.2", "major_release": "21", "codename": "victoria"}},
		{"neither", fakeHost{}, map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, bin := c.host.setup(t)
			got := c.host.run(t, root, bin)["lsb"]
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("drover: %v\nwant   %v", got, c.want)
			}
			if py != "" {
				if a := runCollector(t, py, "lsb", root, bin, nil); !reflect.DeepEqual(a, c.want) {
					t.Errorf("ansible-core gives %v\n     test wants %v", a, c.want)
				}
			}
		})
	}
}

// dateKeys are the keys of Ansible's ansible_date_time.
var dateKeys = []string{"date", "day", "epoch", "epoch_int", "hour", "iso8601", "iso8601_basic",
	"iso8601_basic_short", "iso8601_micro", "minute", "month", "second", "time", "tz", "tz_dst",
	"tz_offset", "weekday", "weekday_number", "weeknumber", "year"}

// ansible_date_time from the host's date, in several zones (DST north and
// south, half-hour offsets), with GNU date and with dates that lack
// features: every value is the host's time at the epoch gathered, in the
// host's zone, formatted as Ansible's (checked against GNU date and,
// where ansible-core is installed, against its own collector in the same
// zone).
func TestDateTimeFactsLikeAnsible(t *testing.T) {
	if _, err := exec.Command("date", "-d", "@0", "+%s").Output(); err != nil {
		t.Skip("needs GNU date")
	}
	py := ansiblePython(t)
	realDate, _ := exec.LookPath("date")
	dates := map[string]string{
		"GNU date": "",
		// busybox-like: %N, %s, %z printed as is, no -d
		"date without %N %s %z -d": `u=; [ "$1" = -u ] && { u=-u; shift; }
[ "$1" = -d ] && { echo "date: invalid option -- 'd'" >&2; exit 1; }
exec ` + realDate + ` $u "$(printf '%s' "$1" | sed -e 's/%N/%%N/g' -e 's/%s/%%s/g' -e 's/%z/%%z/g')"`,
		// a strftime that stops at the first conversion it does not
		// know (%w here): only Y m d H M S
		"date stopping at %w": `u=; [ "$1" = -u ] && { u=-u; shift; }
[ "$1" = -d ] && exit 1
exec ` + realDate + ` $u "${1%%\%w*}"`,
	}
	zones := []struct{ zone, dst string }{
		{"UTC", "UTC"}, {"Europe/Berlin", "CEST"}, {"Australia/Sydney", "AEDT"},
		{"Asia/Kolkata", "IST"}, {"America/St_Johns", "NDT"},
	}
	for dname, stub := range dates {
		for _, z := range zones {
			t.Run(dname+"/"+z.zone, func(t *testing.T) {
				loc, err := time.LoadLocation(z.zone)
				if err != nil {
					t.Skip(err)
				}
				fh := fakeHost{env: []string{"TZ=" + z.zone}}
				if stub != "" {
					fh.stubs = map[string]string{"date": stub}
				}
				root, bin := fh.setup(t)
				before := time.Now().Unix()
				got, ok := fh.run(t, root, bin)["date_time"].(map[string]any)
				after := time.Now().Unix()
				if !ok {
					t.Fatalf("no date_time")
				}
				var keys []string
				for k, v := range got {
					keys = append(keys, k)
					if _, ok := v.(string); !ok {
						t.Errorf("%s = %#v, want a string", k, v)
					}
				}
				slices.Sort(keys)
				if !slices.Equal(keys, dateKeys) {
					t.Fatalf("keys %v\nwant %v", keys, dateKeys)
				}
				epoch, err := strconv.ParseInt(got["epoch"].(string), 10, 64)
				if err != nil || epoch < before || epoch > after || got["epoch_int"] != got["epoch"] {
					t.Fatalf("epoch %v (epoch_int %v), want between %d and %d", got["epoch"], got["epoch_int"], before, after)
				}
				at := time.Unix(epoch, 0).In(loc)
				// The host's own date at that epoch, in that zone.
				cmd := exec.Command(realDate, "-d", fmt.Sprintf("@%d", epoch), "+%Y|%m|%d|%H|%M|%S|%w|%W|%A|%Z|%z")
				cmd.Env = []string{"TZ=" + z.zone, "LC_ALL=C"}
				out, err := cmd.Output()
				if err != nil {
					t.Fatal(err)
				}
				f := strings.Split(strings.TrimSpace(string(out)), "|")
				micro := "000000"
				if stub == "" {
					m := strings.TrimSuffix(strings.TrimPrefix(got["iso8601_micro"].(string), at.UTC().Format("2006-01-02T15:04:05.")), "Z")
					if len(m) != 6 || strings.Trim(m, "0123456789") != "" {
						t.Fatalf("iso8601_micro %v", got["iso8601_micro"])
					}
					micro = m
				}
				tz, tzDST := f[9], z.dst
				if dname == "date stopping at %w" {
					tz, tzDST = "", "" // %Z never printed
				} else if stub != "" {
					tzDST = tz // no date -d: the zone's current name
				}
				want := map[string]any{
					"year": f[0], "month": f[1], "day": f[2], "hour": f[3], "minute": f[4], "second": f[5],
					"weekday_number": f[6], "weeknumber": f[7], "weekday": f[8], "tz": tz, "tz_offset": f[10],
					"tz_dst": tzDST, "epoch": got["epoch"], "epoch_int": got["epoch"],
					"date": f[0] + "-" + f[1] + "-" + f[2], "time": f[3] + ":" + f[4] + ":" + f[5],
					"iso8601":             at.UTC().Format("2006-01-02T15:04:05Z"),
					"iso8601_micro":       at.UTC().Format("2006-01-02T15:04:05.") + micro + "Z",
					"iso8601_basic_short": at.Format("20060102T150405"),
					"iso8601_basic":       at.Format("20060102T150405") + micro,
				}
				for _, k := range dateKeys {
					if got[k] != want[k] {
						t.Errorf("%s = %q, want %q", k, got[k], want[k])
					}
				}
				if py != "" && stub == "" {
					a := runCollector(t, py, "date", root, bin, []string{"TZ=" + z.zone})
					var akeys []string
					for k := range a {
						akeys = append(akeys, k)
					}
					slices.Sort(akeys)
					if !slices.Equal(akeys, dateKeys) {
						t.Errorf("ansible-core's keys %v", akeys)
					}
					for _, k := range []string{"tz", "tz_dst", "tz_offset"} {
						if a[k] != got[k] {
							t.Errorf("%s: ansible-core %q, drover %q", k, a[k], got[k])
						}
					}
					ae, _ := strconv.ParseInt(fmt.Sprint(a["epoch"]), 10, 64)
					if ae < epoch || ae-epoch > 30 {
						t.Errorf("ansible-core's epoch %d, drover's %d", ae, epoch)
					}
				}
			})
		}
	}
}

// Through a play: gather_facts sets ansible_date_time, ansible_lsb and
// ansible_virtualization_* (and in ansible_facts) on the fleet's hosts,
// which run on this machine, with both of the fleet's shells (sh, and
// the in-process interpreter of large fleets); where ansible-core is
// installed, they are the values its setup module gives for this machine.
func TestGatheredSystemFactsLikeAnsibleSetup(t *testing.T) {
	py := ansiblePython(t)
	var ansible map[string]any
	if py != "" {
		home := t.TempDir()
		cmd := exec.Command("ansible", "localhost", "-c", "local", "-m", "setup",
			"-a", "filter=ansible_date_time,ansible_lsb,ansible_virtualization_*", "-e", "ansible_python_interpreter="+py)
		cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + home, "LANG=C.UTF-8",
			"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"), "ANSIBLE_LOCALHOST_WARNING=false", "ANSIBLE_INVENTORY_UNPARSED_WARNING=false"}
		out, err := cmd.CombinedOutput()
		_, js, ok := strings.Cut(string(out), "=> ")
		var res struct {
			Facts map[string]any `json:"ansible_facts"`
		}
		if err != nil || !ok || json.Unmarshal([]byte(js), &res) != nil {
			t.Fatalf("ansible setup: %v\n%s", err, out)
		}
		ansible = res.Facts
	}
	play := `
- hosts: all
  gather_facts: true
  tasks:
    - copy:
        dest: facts.json
        content: "{{ {'date_time': ansible_date_time, 'lsb': ansible_lsb, 'type': ansible_virtualization_type, 'role': ansible_virtualization_role, 'guest': ansible_virtualization_tech_guest, 'host': ansible_virtualization_tech_host, 'in_facts': [ansible_facts.date_time.epoch, ansible_facts.lsb, ansible_facts.virtualization_type]} | to_json }}"
`
	for _, interp := range []bool{false, true} {
		t.Run(fmt.Sprintf("interp=%v", interp), func(t *testing.T) {
			f, err := fleet.New(fleet.Options{Dir: t.TempDir(), Hosts: 1, Racks: 1, RebootDelay: 100 * time.Millisecond, NoSSH: true, InterpShell: interp})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			before := time.Now().Unix()
			res, _ := runPlay(t, f, play, nil)
			after := time.Now().Unix()
			if h := res.Hosts[0]; h.Status == StatusFailed || h.Status == StatusUnreachable {
				t.Fatalf("%s: %s", h.Name, h.Msg)
			}
			fh, _ := f.Host(f.Hosts()[0])
			var got map[string]any
			if b, err := os.ReadFile(filepath.Join(fh.Root, "facts.json")); err != nil || json.Unmarshal(b, &got) != nil {
				t.Fatalf("facts.json: %v %q", err, b)
			}
			dt, _ := got["date_time"].(map[string]any)
			epoch, _ := strconv.ParseInt(fmt.Sprint(dt["epoch"]), 10, 64)
			if epoch < before || epoch > after {
				t.Errorf("date_time.epoch %v, want between %d and %d", dt["epoch"], before, after)
			}
			if len(dt) != len(dateKeys) {
				t.Errorf("date_time %v", dt)
			}
			if in := got["in_facts"].([]any); in[0] != dt["epoch"] || !reflect.DeepEqual(in[1], got["lsb"]) || in[2] != got["type"] {
				t.Errorf("ansible_facts differ: %v", in)
			}
			for _, k := range []string{"type", "role"} {
				if s, _ := got[k].(string); s == "" {
					t.Errorf("virtualization_%s %q", k, got[k])
				}
			}
			if ansible == nil {
				return
			}
			adt := ansible["ansible_date_time"].(map[string]any)
			for _, k := range []string{"tz", "tz_dst", "tz_offset"} {
				if adt[k] != dt[k] {
					t.Errorf("date_time.%s: ansible %q, drover %q", k, adt[k], dt[k])
				}
			}
			pairs := map[string]string{"lsb": "ansible_lsb", "type": "ansible_virtualization_type", "role": "ansible_virtualization_role",
				"guest": "ansible_virtualization_tech_guest", "host": "ansible_virtualization_tech_host"}
			for d, a := range pairs {
				av := ansible[a]
				if l, ok := av.([]any); ok {
					slices.SortFunc(l, func(x, y any) int { return strings.Compare(fmt.Sprint(x), fmt.Sprint(y)) })
				}
				if !reflect.DeepEqual(got[d], av) {
					t.Errorf("%s: ansible %v, drover %v", a, av, got[d])
				}
			}
		})
	}
}
