package runner

import (
	"context"
	"encoding/json"
	"os/exec"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// netHarness runs ansible-core's LinuxNetwork.populate: on this machine
// (argv[1] "real"), or on a simulated one (stdin: the files, directories
// and links of /sys/class/net, the output of each `ip` command it runs).
const netHarness = `
import json, sys, os, subprocess
from ansible.module_utils.facts.network import linux as L
real = sys.argv[1] == 'real'
inp = {} if real else json.loads(sys.stdin.read())
class Module:
    def get_bin_path(self, name, *a, **k):
        if real:
            for d in os.environ['PATH'].split(':') + ['/sbin', '/usr/sbin']:
                if os.access(os.path.join(d, name), os.X_OK):
                    return os.path.join(d, name)
            return None
        return '/x/ip' if name == 'ip' else None
    def run_command(self, args, **kw):
        if real:
            r = subprocess.run(args, capture_output=True, text=True)
            return r.returncode, r.stdout, r.stderr
        out = inp['cmds'].get(' '.join(args[1:]))
        return (0, out, '') if out is not None else (1, '', 'err')
if not real:
    files, dirs, links = inp['files'], set(inp['dirs']), inp['links']
    import types, posixpath
    L.glob = types.SimpleNamespace(glob=lambda pat: sorted(p for p in dirs | set(files) | set(links)
        if posixpath.dirname(p) == posixpath.dirname(pat) and p.startswith(pat[:-1])))
    L.os = types.SimpleNamespace(path=types.SimpleNamespace(
        isdir=lambda p: p in dirs, exists=lambda p: p in dirs or p in files or p in links,
        join=posixpath.join, basename=posixpath.basename, realpath=lambda p: links[p]), readlink=lambda p: links[p])
    L.get_file_content = lambda p, default=None, strip=True: (files.get(p) or '').strip() or default
f = L.LinuxNetwork(Module()).populate()
f['interfaces'] = sorted(f['interfaces'])
print(json.dumps(f))
`

// simIface is one interface of a simulated host: its sysfs files and
// address lines (as `ip addr show` prints them, label last).
type simIface struct {
	name  string
	files map[string]string
	dirs  []string // bridge, bonding, brif/PORT, ...
	links map[string]string
	addrs []string
}

// simNet builds drover's sections and the harness's input for ifaces.
func simNet(ifaces []simIface, route4, route6 string) (map[string][]string, map[string]any) {
	ifaces = slices.Clone(ifaces) // the shell's glob order
	slices.SortFunc(ifaces, func(a, b simIface) int { return strings.Compare(a.name, b.name) })
	sec := map[string][]string{}
	files, links, cmds := map[string]string{}, map[string]string{}, map[string]string{}
	dirs := []string{}
	var ipOut []string
	for i, ifc := range ifaces {
		base := "/sys/class/net/" + ifc.name
		dirs = append(dirs, base)
		head := []string{strings.Join([]string{strconv.Itoa(i+1) + ":", ifc.name + ":", "<BROADCAST,UP>", "mtu", ifc.files["mtu"], "state", "UP"}, " "),
			"    link/ether " + ifc.files["address"] + " brd ff:ff:ff:ff:ff:ff"}
		ipOut = append(ipOut, head...)
		var prim, second []string
		for _, a := range ifc.addrs {
			l := "    " + a
			ipOut = append(ipOut, l, "       valid_lft forever preferred_lft forever")
			w := strings.Fields(a)
			if slices.Contains(w[2:], "secondary") || w[0] == "inet6" && slices.Contains(w, "temporary") {
				second = append(second, l)
			} else {
				prim = append(prim, l)
			}
		}
		cmds["addr show primary dev "+ifc.name] = strings.Join(append(slices.Clone(head), prim...), "\n") + "\n"
		cmds["addr show secondary dev "+ifc.name] = strings.Join(append(slices.Clone(head), second...), "\n") + "\n"
		sec["sysnet"] = append(sec["sysnet"], "@ "+ifc.name)
		keys := make([]string, 0, len(ifc.files))
		for k := range ifc.files {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			files[base+"/"+k] = ifc.files[k] + "\n"
			switch {
			case strings.HasPrefix(k, "bonding_slave/"):
				sec["sysnet"] = append(sec["sysnet"], "bonding_slave="+ifc.files[k])
			default:
				sec["sysnet"] = append(sec["sysnet"], k+"="+ifc.files[k])
			}
		}
		for _, d := range ifc.dirs {
			dirs = append(dirs, base+"/"+d)
			if p, ok := strings.CutPrefix(d, "brif/"); ok {
				sec["sysnet"] = append(sec["sysnet"], "brif="+p)
			} else if d == "bridge" || d == "bonding" {
				sec["sysnet"] = append(sec["sysnet"], d+"=")
			}
		}
		for l, target := range ifc.links {
			links[base+"/"+l] = target
			sec["links"] = append(sec["links"], "lrwxrwxrwx 1 root root 0 Jan  1 00:00 "+base+"/"+l+" -> "+target)
		}
	}
	cmds["-4 route get "+routeProbe4] = route4
	cmds["-6 route get "+routeProbe6] = route6
	sec["ip"] = append(append(ipOut, strings.Split(route4, "\n")...), strings.Split(route6, "\n")...)
	return sec, map[string]any{"files": files, "dirs": dirs, "links": links, "cmds": cmds}
}

func runNetHarness(t *testing.T, py string, in map[string]any) map[string]any {
	t.Helper()
	arg := "real"
	cmd := exec.Command(py, "-c", netHarness, arg)
	if in != nil {
		b, _ := json.Marshal(in)
		cmd = exec.Command(py, "-c", netHarness, "sim")
		cmd.Stdin = strings.NewReader(string(b))
	}
	out, err := cmd.Output()
	if err != nil {
		var se []byte
		if ee, ok := err.(*exec.ExitError); ok {
			se = ee.Stderr
		}
		t.Fatalf("ansible: %v %s", err, se)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func compareNet(t *testing.T, got, want map[string]any) {
	t.Helper()
	g := normJSON(t, got).(map[string]any)
	ifs, _ := g["interfaces"].([]any)
	slices.SortFunc(ifs, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	for k := range want {
		if !reflect.DeepEqual(g[k], want[k]) {
			t.Errorf("%s: drover %s\nansible-core %s", k, jsonOf(t, g[k]), jsonOf(t, want[k]))
		}
	}
	for k := range g {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: drover %s, not in ansible-core's", k, jsonOf(t, g[k]))
		}
	}
}

// Network facts as ansible-core's LinuxNetwork computes them: on this
// machine (the real fact script against its real collector), and on a
// simulated host with a bond with a primary and a VLAN on it (a name with
// '.'), an alias label (eth0:1, secondary), a bridge with a '-' in its
// name and no IPv4, an IPv6-only interface with a temporary address, a
// point-to-point link, a tunnel; default routes through the bond (v4)
// and the IPv6-only interface.
func TestNetworkFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	if py == "" {
		t.Skip("ansible-core not installed")
	}
	t.Run("this machine", func(t *testing.T) {
		conn := &LocalConn{}
		out, err := conn.Run(context.Background(), factsScript, nil)
		if err != nil || out.ExitCode != 0 {
			t.Fatalf("facts: %v", err)
		}
		facts := parseFacts(string(out.Stdout))
		want := runNetHarness(t, py, nil)
		got := map[string]any{}
		for k := range want {
			got[k] = facts[k]
		}
		compareNet(t, got, want)
	})
	t.Run("simulated", func(t *testing.T) {
		eth := func(name, mac string, extra map[string]string, addrs ...string) simIface {
			f := map[string]string{"address": mac, "mtu": "1500", "operstate": "up", "type": "1", "flags": "0x1003", "speed": "1000"}
			for k, v := range extra {
				f[k] = v
			}
			return simIface{name: name, files: f, addrs: addrs}
		}
		ifaces := []simIface{
			eth("bond0", "52:54:00:aa:00:01", map[string]string{"bonding/slaves": "eth1 eth2", "bonding/mode": "active-backup 1",
				"bonding/miimon": "100", "bonding/lacp_rate": "slow 0", "bonding/primary": "eth1", "bonding/all_slaves_active": "0", "flags": "0x1103"},
				"inet 10.1.0.5/24 brd 10.1.0.255 scope global bond0"),
			eth("bond0.100", "52:54:00:aa:00:01", nil, "inet 10.100.0.5/16 brd 10.100.255.255 scope global bond0.100"),
			eth("br-lan", "52:54:00:bb:00:01", map[string]string{"bridge/bridge_id": "8000.525400bb0001", "bridge/stp_state": "1", "speed": ""},
				"inet6 fe80::5054:ff:febb:1/64 scope link"),
			eth("eth0", "52:54:00:cc:00:01", nil,
				"inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0",
				"inet 192.168.1.11/24 brd 192.168.1.255 scope global secondary eth0:1",
				"inet 192.168.1.12/24 brd 192.168.1.255 scope global secondary eth0",
				"inet6 2001:db8::10/64 scope global dynamic mngtmpaddr",
				"inet6 fe80::5054:ff:fecc:1/64 scope link"),
			eth("eth1", "52:54:00:aa:00:01", map[string]string{"bonding_slave/perm_hwaddr": "52:54:00:aa:00:01"}),
			eth("v6only", "52:54:00:dd:00:01", nil,
				"inet6 2001:db8:1::20/64 scope global temporary dynamic",
				"inet6 2001:db8:1::2/64 scope global dynamic mngtmpaddr",
				"inet6 fe80::5054:ff:fedd:1/64 scope link"),
			{name: "ppp0", files: map[string]string{"address": "", "mtu": "1492", "operstate": "unknown", "type": "512", "flags": "0x10d1"},
				addrs: []string{"inet 10.64.0.1 peer 10.64.0.2/32 scope global ppp0", "inet6 fe80::1 peer fe80::2/128 scope link"}},
			{name: "tun0", files: map[string]string{"address": "00:00:00:00", "mtu": "1480", "operstate": "down", "type": "65534", "flags": "0x80"}},
			{name: "lo", files: map[string]string{"address": "00:00:00:00:00:00", "mtu": "65536", "operstate": "unknown", "type": "772", "flags": "0x9"},
				addrs: []string{"inet 127.0.0.1/8 scope host lo", "inet6 ::1/128 scope host"}},
		}
		ifaces[2].dirs = []string{"bridge", "brif/eth3"}
		ifaces[0].dirs = []string{"bonding"}
		ifaces[0].links = map[string]string{"device": "../../../0000:00:05.0"}
		ifaces[3].links = map[string]string{"device": "../../../0000:00:03.0", "device/driver/module": "/sys/module/e1000e"}
		ifaces[4].dirs = []string{"bonding_slave"}
		sec, in := simNet(ifaces,
			"8.8.8.8 via 10.1.0.1 dev bond0 src 10.1.0.5 uid 0 \n    cache ",
			"2404:6800:400a:800::1012 from :: via fe80::1 dev v6only proto ra src 2001:db8:1::2 metric 1024 pref medium")
		got := networkFacts(sec)
		for k, v := range got { // the names Ansible's namespace gives
			delete(got, k)
			got[factName(k)] = v
		}
		want := runNetHarness(t, py, in)
		for k, v := range want {
			delete(want, k)
			want[factName(k)] = v
		}
		compareNet(t, got, want)
		if _, ok := got["br_lan"]; !ok {
			t.Errorf("no br_lan fact")
		}
	})
}
