package runner

import (
	"maps"
	"strings"

	"github.com/drover-sh/drover/playbooks"
)

// varsFor builds the variables a task on this host sees, in Ansible's
// precedence for the sources drover has: inventory < play vars < vars_files
// < role, block and task vars < registered results and set_fact < extra vars; then
// the magic variables.
func (h *hostRun) varsFor(sc *playbooks.Scope) map[string]any {
	pr := h.pr
	v := make(map[string]any, len(h.host.Vars)+len(h.facts)+16)
	maps.Copy(v, h.host.Vars)
	if sc != nil && len(sc.Vars) > 0 {
		maps.Copy(v, sc.Vars[0]) // play vars
	}
	for _, m := range pr.playVarsFiles {
		maps.Copy(v, m)
	}
	if sc != nil && len(sc.Vars) > 1 {
		for _, m := range sc.Vars[1:] { // role, block and task vars
			maps.Copy(v, m)
		}
	}
	h.factsMu.Lock()
	maps.Copy(v, h.facts)
	h.factsMu.Unlock()
	maps.Copy(v, pr.opts.ExtraVars)
	v["inventory_hostname"] = h.host.Name
	v["inventory_hostname_short"] = strings.SplitN(h.host.Name, ".", 2)[0]
	if _, ok := v["ansible_host"]; !ok {
		v["ansible_host"] = h.host.Name
	}
	groupNames := make([]any, len(h.host.Groups))
	for i, g := range h.host.Groups {
		groupNames[i] = g
	}
	v["group_names"] = groupNames
	v["groups"] = pr.groups
	v["hostvars"] = pr.hostvars
	v["play_hosts"] = pr.batchNames
	v["ansible_play_batch"] = pr.batchNames
	v["ansible_play_hosts"] = pr.batchNames
	v["ansible_play_hosts_all"] = pr.allNames
	v["ansible_check_mode"] = pr.opts.Check
	v["ansible_diff_mode"] = pr.opts.Diff
	v["ansible_play_name"] = pr.play.Name
	v["playbook_dir"] = pr.playbookDir
	v["ansible_run_id"] = pr.opts.RunID
	return v
}

func namesOf(hosts []*Host) []any {
	out := make([]any, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out
}
