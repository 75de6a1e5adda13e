package runner

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/drover-sh/drover/playbooks"
)

// gather_subset selects Ansible's collectors as its get_collector_names
// does (min always, ! excludes, an explicit name wins over its exclusion,
// a fact id selects its collector); facter and ohai are refused.
func TestSetupGatherSubset(t *testing.T) {
	keys := func(m map[string]bool) []string {
		var l []string
		for k := range m {
			l = append(l, k)
		}
		sort.Strings(l)
		return l
	}
	minimal := slices.Clone(minimalSubset)
	sort.Strings(minimal)
	for _, c := range []struct {
		subset []string
		want   []string
	}{
		{[]string{"!all"}, minimal},
		{[]string{"min"}, minimal},
		{[]string{"!all", "network"}, append(slices.Clone(minimal), "network")},
		{[]string{"!all", "mounts"}, append(slices.Clone(minimal), "hardware")},
		{[]string{"!all", "!min"}, nil},
		{[]string{"!all", "!min", "virtual"}, []string{"virtual"}},
	} {
		got, err := collectorsFor(c.subset)
		want := slices.Clone(c.want)
		sort.Strings(want)
		if err != nil || !slices.Equal(keys(got), want) {
			t.Errorf("%v: %v %v, want %v", c.subset, keys(got), err, want)
		}
	}
	all, _ := collectorsFor([]string{"all"})
	if got, _ := collectorsFor([]string{"all", "!hardware"}); got["hardware"] || !got["network"] || len(got) != len(all)-1 {
		t.Errorf("all,!hardware: %v", keys(got))
	}
	if got, _ := collectorsFor([]string{"!hardware"}); !slices.Equal(keys(got), minimal) { // min was added: not all
		t.Errorf("!hardware: %v", keys(got))
	}
	for _, bad := range []string{"facter", "ohai", "nosuch"} {
		if _, err := collectorsFor([]string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	facts := map[string]any{"hostname": "h", "mounts": []any{}, "interfaces": []any{"eth0", "br-x"}, "eth0": map[string]any{},
		"br_x": map[string]any{}, "default_ipv4": map[string]any{}, "virtualization_type": "kvm", "date_time": map[string]any{}, "boot_id": "b"}
	c, _ := collectorsFor([]string{"!all"})
	got := selectFacts(facts, setupOpts{collectors: c})
	for _, k := range []string{"mounts", "interfaces", "eth0", "br_x", "default_ipv4", "virtualization_type"} {
		if _, ok := got[k]; ok {
			t.Errorf("!all gave %s", k)
		}
	}
	for _, k := range []string{"hostname", "date_time", "boot_id"} {
		if _, ok := got[k]; !ok {
			t.Errorf("!all lost %s", k)
		}
	}
	c, _ = collectorsFor([]string{"!all", "network"})
	if got := selectFacts(facts, setupOpts{collectors: c}); got["br_x"] == nil || got["eth0"] == nil || got["mounts"] != nil {
		t.Errorf("!all,network: %v", got)
	}
}

// filter keeps the facts whose ansible_ names match one of its patterns,
// as Ansible's _filter (fnmatch; ansible_ added to a pattern without it).
func TestSetupFilter(t *testing.T) {
	names := []string{"ansible_mounts", "ansible_eth0", "ansible_eth1", "ansible_default_ipv4", "ansible_date_time", "ansible_a[b", "ansible_x.y", "ansible_lo"}
	patterns := []string{"ansible_eth*", "mounts", "*ipv4", "ansible_eth[!0]", "ansible_?o", "ansible_a[b", "ansible_x?y", "ansible_[de]*", "x.y", "*"}
	facts := map[string]any{}
	for _, n := range names {
		facts[strings.TrimPrefix(n, "ansible_")] = 1
	}
	got := map[string][]string{}
	for _, p := range patterns {
		for k := range selectFacts(facts, setupOpts{filter: []string{p}}) {
			got[p] = append(got[p], "ansible_"+k)
		}
		sort.Strings(got[p])
	}
	if l := got["ansible_eth*"]; !slices.Equal(l, []string{"ansible_eth0", "ansible_eth1"}) {
		t.Errorf("ansible_eth*: %v", l)
	}
	if l := selectFacts(facts, setupOpts{filter: []string{"mounts", "lo"}}); len(l) != 2 {
		t.Errorf("[mounts, lo]: %v", l)
	}
	py := ansiblePython(t)
	if py == "" {
		return
	}
	in, _ := json.Marshal(map[string]any{"names": names, "patterns": patterns})
	cmd := exec.Command(py, "-c", `
import json, sys
from ansible.module_utils.facts.ansible_collector import AnsibleFactCollector
inp = json.loads(sys.stdin.read())
out = {}
for p in inp['patterns']:
    out[p] = sorted(k for k, v in AnsibleFactCollector()._filter({n: 1 for n in inp['names']}, [p]))
print(json.dumps(out))
`)
	cmd.Stdin = strings.NewReader(string(in))
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]string
	json.Unmarshal(b, &want)
	for p := range want {
		if want[p] == nil {
			want[p] = nil
		}
		if !reflect.DeepEqual(append([]string{}, got[p]...), append([]string{}, want[p]...)) {
			t.Errorf("%q: drover %v, ansible-core %v", p, got[p], want[p])
		}
	}
}

// dns, selinux, fips and user facts as Ansible's collectors compute them.
func TestSystemMiscFacts(t *testing.T) {
	dns := dnsFacts(strings.Split("# c\n; c\nnameserver 10.0.0.1\nnameserver 10.0.0.2 10.0.0.3\nsearch a.example b.example\ndomain example\noptions ndots:2 rotate timeout:\nsortlist 10.0.0.0/8\n", "\n"))
	want := map[string]any{"nameservers": []any{"10.0.0.1", "10.0.0.2", "10.0.0.3"}, "search": []any{"a.example", "b.example"},
		"domain": "example", "options": map[string]any{"ndots": "2", "rotate": true, "timeout": true}, "sortlist": []any{"10.0.0.0/8"}}
	if !reflect.DeepEqual(dns, want) {
		t.Errorf("dns %v", dns)
	}
	if s := selinuxFacts(nil); !reflect.DeepEqual(s, map[string]any{"status": "disabled"}) {
		t.Errorf("selinux %v", s)
	}
	s := selinuxFacts([]string{"enforce=1", "policyvers=33", "# SELINUX=disabled", "SELINUX=permissive", "SELINUXTYPE=mls"})
	if !reflect.DeepEqual(s, map[string]any{"status": "enabled", "mode": "enforcing", "config_mode": "permissive", "policyvers": 33, "type": "mls"}) {
		t.Errorf("selinux %v", s)
	}
	if !fipsFacts([]string{"1"}) || fipsFacts([]string{"0"}) || fipsFacts(nil) {
		t.Error("fips")
	}
	u := userFacts([]string{"Uid: 1000 1000 1000 1000", "Gid: 100 100 100 100", "name deploy"},
		[]string{"deploy:x:1001:1001:Deploy,,,:/home/deploy:/bin/bash", "other:x:1000:100::/home/other:/bin/sh"})
	if u["user_id"] != "deploy" || u["user_uid"] != 1001 || u["user_dir"] != "/home/deploy" || u["user_shell"] != "/bin/bash" || u["real_user_id"] != 1000 {
		t.Errorf("user %v", u)
	}
	u = userFacts([]string{"Uid: 1000 1000 1000 1000", "Gid: 100 100 100 100"}, []string{"other:x:1000:100::/home/other:/bin/sh"})
	if u["user_id"] != "other" || u["user_gid"] != 100 || u["user_dir"] != "/home/other" {
		t.Errorf("user (by uid) %v", u)
	}
}

// drover check accepts exactly the gather_subset names the runner does
// (besides all, min and the refused facter and ohai).
func TestGatherSubsetNamesAgree(t *testing.T) {
	run := validSubsets()
	for _, n := range run {
		if !slices.Contains(playbooks.GatherSubsets, n) {
			t.Errorf("runner accepts %q, drover check refuses it", n)
		}
	}
	for _, n := range playbooks.GatherSubsets {
		if !slices.Contains(run, n) && n != "all" && n != "min" && n != "facter" && n != "ohai" {
			t.Errorf("drover check accepts %q, the runner refuses it", n)
		}
	}
}
