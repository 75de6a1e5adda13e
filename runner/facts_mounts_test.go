package runner

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// mountsHarness runs ansible-core's LinuxHardware.get_mount_facts on
// given inputs: the mount table (as /etc/mtab), findmnt's and lsblk's
// output, and each mount point's statvfs (absent: statvfs fails).
const mountsHarness = `
import json, sys, os
from ansible.module_utils.facts.hardware import linux as L
inp = json.loads(sys.stdin.read())
class Module:
    def get_bin_path(self, name, *a, **k):
        return {'findmnt': '/x/findmnt', 'lsblk': '/x/lsblk'}.get(name)
    def run_command(self, args, **kw):
        return 0, {'/x/findmnt': inp['findmnt'], '/x/lsblk': inp['lsblk']}.get(args[0], ''), ''
    def warn(self, m): pass
    def debug(self, m): pass
L.get_file_content = lambda path, default=None, strip=True: inp['mtab'].strip()
def size(m):
    s = inp['statvfs'].get(m)
    if s is None:
        return {}
    frsize, bsize, blocks, bavail, files, favail = s
    return {'size_total': frsize*blocks, 'size_available': frsize*bavail, 'block_size': bsize, 'block_total': blocks,
            'block_available': bavail, 'block_used': blocks-bavail, 'inode_total': files, 'inode_available': favail, 'inode_used': files-favail}
L.get_mount_size = size
h = L.LinuxHardware(Module())
h._udevadm_uuid = lambda device: 'N/A'
print(json.dumps(h.get_mount_facts()['mounts']))
`

// ansible_mounts as ansible-core's Linux collector computes it, from the
// same inputs: this machine's mount table, and a constructed one with
// what Ansible skips (no device path, fstype none), an NFS and a \\
// device, escapes in a mount point, a bind mount and a btrfs subvolume
// (findmnt's SOURCE[ROOT]), a mount point listed twice, LVM, a mount
// statvfs fails on; lsblk's uuids are the by-uuid links drover reads.
func TestMountFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	type mnt struct {
		root string   // fs root in mountinfo ("/": not a bind)
		st   [6]int64 // statvfs
		fail bool     // statvfs fails
	}
	type tcase struct {
		name  string
		mtab  string
		info  map[string]mnt    // by mount point as in the mtab
		links map[string]string // by-uuid: uuid -> target basename
		dm    map[string]string // dm-N -> mapper name
	}
	real, _ := os.ReadFile("/proc/mounts")
	realInfo := map[string]mnt{}
	for _, l := range strings.Split(string(real), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			realInfo[f[1]] = mnt{root: "/", st: [6]int64{4096, 4096, 1000, 500, 100, 50}}
		}
	}
	cases := []tcase{
		{name: "this machine", mtab: string(real), info: realInfo},
		{name: "constructed", mtab: `/dev/sda1 / ext4 rw,relatime 0 1
proc /proc proc rw 0 0
tmpfs /run tmpfs rw,nosuid 0 0
/dev/sda2 /boot ext4 rw,relatime 0 2
/dev/mapper/vg0-data /srv/data xfs rw,noatime 0 0
nas:/export/home /home nfs4 rw,vers=4.2 0 0
\\server\share /mnt/smb cifs rw 0 0
/dev/sda1 /var/lib/docker/x ext4 rw,relatime 0 0
/dev/sdb1 /mnt/my\040disk ext4 rw 0 0
/dev/sdc /mnt/sub btrfs rw,subvol=/@home 0 0
/dev/sdd /mnt/b none rw,bind 0 0
/dev/sde /mnt/fail ext4 rw 0 0
/dev/sda2 /boot ext4 ro,relatime 0 2
short line
`, info: map[string]mnt{
			"/":                 {root: "/", st: [6]int64{4096, 4096, 2621440, 1310720, 655360, 600000}},
			"/boot":             {root: "/", st: [6]int64{1024, 1024, 524288, 100000, 131072, 131000}},
			"/srv/data":         {root: "/", st: [6]int64{4096, 4096, 100, 0, 64, 3}},
			"/home":             {root: "/", st: [6]int64{1048576, 1048576, 99, 98, 0, 0}},
			"/mnt/smb":          {root: "/", st: [6]int64{4096, 16384, 10, 5, 0, 0}},
			"/var/lib/docker/x": {root: "/var/lib/docker/volumes/x", st: [6]int64{4096, 4096, 2621440, 1310720, 655360, 600000}},
			"/mnt/my\\040disk":  {root: "/", st: [6]int64{4096, 4096, 7, 7, 7, 7}},
			"/mnt/sub":          {root: "/@home", st: [6]int64{4096, 4096, 8, 8, 8, 8}},
			"/mnt/fail":         {root: "/", fail: true},
		}, links: map[string]string{"0a1b-uuid-root": "sda1", "boot-uuid": "sda2", "lvm-uuid": "dm-0", "sdb-uuid": "sdb1"},
			dm: map[string]string{"dm-0": "vg0-data", "dm-1": "vg0-swap"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// drover's sections, as factsScriptHost prints them
			sec := map[string][]string{"statfsrc": {"1"}}
			var findmnt, lsblk []string
			statvfs := map[string]any{}
			for _, l := range strings.Split(strings.TrimRight(c.mtab, "\n"), "\n") {
				sec["mtab"] = append(sec["mtab"], l)
				f := strings.Fields(l)
				if len(f) < 4 {
					continue
				}
				m, ok := c.info[f[1]]
				if !ok {
					continue
				}
				mp := unescapeOctal(f[1])
				if m.root != "/" {
					sec["bind"] = append(sec["bind"], f[1])
					findmnt = append(findmnt, mp+" "+f[0]+"["+m.root+"] "+f[2]+" "+f[3])
				} else {
					findmnt = append(findmnt, mp+" "+f[0]+" "+f[2]+" "+f[3])
				}
				if !m.fail {
					s := m.st
					sec["statfs"] = append(sec["statfs"], strings.Trim(strings.Join(strings.Fields(strings.Trim(jsonOf(t, s), "[]")), " "), " ")+" "+mp)
					statvfs[mp] = s
				}
			}
			for i, s := range sec["statfs"] {
				sec["statfs"][i] = strings.ReplaceAll(s, ",", " ")
			}
			sec["uuid"] = []string{"total 0"}
			for u, dev := range c.links {
				sec["uuid"] = append(sec["uuid"], "lrwxrwxrwx 1 root root 10 Jan  1 00:00 "+u+" -> ../../"+dev)
				name := "/dev/" + dev
				for d, n := range c.dm {
					if d == dev {
						name = "/dev/mapper/" + n
					}
				}
				lsblk = append(lsblk, name+" "+u)
			}
			for d, n := range c.dm {
				sec["dm"] = append(sec["dm"], d+" "+n)
			}
			got := mountFacts(sec)
			for _, m := range got {
				mm := m.(map[string]any)
				delete(mm, "dump") // ansible-core 2.15's, not 2.14's
				delete(mm, "passno")
			}
			if c.name == "constructed" {
				want := []string{"/", "/boot", "/srv/data", "/home", "/mnt/smb", "/var/lib/docker/x", "/mnt/my disk", "/mnt/sub", "/mnt/fail"}
				var mounts []string
				for _, m := range got {
					mounts = append(mounts, m.(map[string]any)["mount"].(string))
				}
				if !slices.Equal(mounts, want) {
					t.Errorf("mounts %v, want %v", mounts, want)
				}
			}
			if py == "" {
				return
			}
			in, _ := json.Marshal(map[string]any{"mtab": c.mtab, "findmnt": strings.Join(findmnt, "\n"), "lsblk": strings.Join(lsblk, "\n"), "statvfs": statvfs})
			cmd := exec.Command(py, "-c", mountsHarness)
			cmd.Stdin = strings.NewReader(string(in))
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("ansible: %v %s", err, out)
			}
			var want []any
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatal(err)
			}
			byMount := func(l []any) map[string]any {
				m := map[string]any{}
				for _, e := range l {
					m[e.(map[string]any)["mount"].(string)] = e
				}
				return m
			}
			g, w := byMount(normJSON(t, got).([]any)), byMount(want)
			if len(want) != len(got) || !reflect.DeepEqual(g, w) {
				t.Errorf("drover:\n%s\nansible-core:\n%s", jsonOf(t, g), jsonOf(t, w))
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// normJSON is v through JSON (numbers float64), to compare with Python's.
func normJSON(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal([]byte(jsonOf(t, v)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The fact script on this machine, through a local connection: "/" is
// among ansible_mounts with its size, lo among ansible_interfaces (with
// its fact), and ansible_default_ipv4 has Ansible's fields when there is
// a default route.
func TestFactsOnThisMachine(t *testing.T) {
	conn := &LocalConn{}
	out, err := conn.Run(context.Background(), factsScript, nil)
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("facts: %v %s", err, out.Stderr)
	}
	facts := parseFacts(string(out.Stdout))
	mounts, _ := facts["mounts"].([]any)
	i := slices.IndexFunc(mounts, func(m any) bool { return m.(map[string]any)["mount"] == "/" })
	if i < 0 {
		t.Fatalf("no / in ansible_mounts: %v", mounts)
	}
	if n, _ := mounts[i].(map[string]any)["size_total"].(int64); n <= 0 {
		t.Errorf("/: size_total %v", mounts[i])
	}
	if l, _ := facts["interfaces"].([]any); !slices.Contains(l, any("lo")) {
		t.Errorf("ansible_interfaces %v", facts["interfaces"])
	}
	if lo, _ := facts["lo"].(map[string]any); lo["type"] != "loopback" || lo["device"] != "lo" {
		t.Errorf("ansible_lo %v", facts["lo"])
	}
	if d, _ := facts["default_ipv4"].(map[string]any); d["interface"] != nil {
		for _, k := range []string{"address", "netmask", "network", "broadcast", "prefix", "macaddress", "mtu", "type", "alias", "interface", "gateway"} {
			if _, ok := d[k]; !ok {
				t.Errorf("default_ipv4 without %s: %v", k, d)
			}
		}
	}
}
