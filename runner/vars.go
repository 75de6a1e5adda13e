package runner

import (
	"maps"
	"strings"

	"github.com/drover-sh/drover/playbooks"
)

// varsFor builds the variables a task on this host sees, in Ansible's
// precedence for the sources drover has: inventory < play vars < vars_files
// < role, block and task vars < registered results and set_fact < extra vars; then
// the magic variables, and the items of the include_tasks loops the walk
// is in. Only the host's walk calls it (it reads the walk's loops).
func (h *hostRun) varsFor(sc *playbooks.Scope) map[string]any {
	return h.varsWith(sc, h.loops)
}

// baseVars is varsFor without loop items; any goroutine may call it.
func (h *hostRun) baseVars(sc *playbooks.Scope) map[string]any {
	return h.varsWith(sc, nil)
}

// varsWith builds the variables with the given loop frames' items added
// before templated variables are resolved (one pass for both).
func (h *hostRun) varsWith(sc *playbooks.Scope, loops []*loopFrame) map[string]any {
	pr := h.pr
	facts := pr.facts.of(h.host.Name) // registered results, set_fact, gathered facts
	v := make(map[string]any, len(h.host.Vars)+len(facts)+16)
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
	maps.Copy(v, facts)
	maps.Copy(v, pr.opts.ExtraVars)
	v["inventory_hostname"] = h.host.Name
	v["inventory_hostname_short"] = strings.SplitN(h.host.Name, ".", 2)[0]
	if _, ok := v["ansible_host"]; !ok {
		v["ansible_host"] = h.host.Name
	}
	v["group_names"] = h.groupNames()
	v["groups"] = pr.groupsVar()
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
	v["ansible_version"] = ansibleVersion()
	addLoopVars(v, loops)
	h.resolveTemplatedVars(v, facts)
	return v
}

// ansibleVersion is the ansible_version magic variable: the ansible-core
// release whose playbook semantics drover follows (and tests against), so
// that `ansible_version.full is version('2.9', '>=')` guards hold.
func ansibleVersion() map[string]any {
	return map[string]any{"full": "2.14.0", "major": 2, "minor": 14, "revision": 0, "string": "2.14.0"}
}

func namesOf(hosts []*Host) []any {
	out := make([]any, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out
}

// resolveTemplatedVars renders variables whose values are templates
// (`app_dir: "{{ base }}/app"`) with the other variables, as Ansible's lazy
// templating does; a chain of such variables resolves in a few passes.
// Registered results and facts are never templated (Ansible marks them
// unsafe): their text comes from hosts.
func (h *hostRun) resolveTemplatedVars(v map[string]any, facts map[string]any) {
	for pass := 0; pass < 5; pass++ {
		changed := false
		for k, val := range v {
			if magicVars[k] {
				continue
			}
			if _, isFact := facts[k]; isFact {
				if _, extra := h.pr.opts.ExtraVars[k]; !extra {
					continue
				}
			}
			if !hasTemplate(val) {
				continue
			}
			r, err := h.pr.opts.Templater.RenderValue(val, v)
			if err != nil {
				continue // left as written; using it reports the error
			}
			v[k] = r
			changed = true
		}
		if !changed {
			return
		}
	}
}

// magicVars are set by drover, never templates; some are large (hostvars).
var magicVars = map[string]bool{"ansible_version": true, "groups": true, "hostvars": true, "group_names": true, "play_hosts": true,
	"ansible_play_batch": true, "ansible_play_hosts": true, "ansible_play_hosts_all": true, "inventory_hostname": true}

// hasTemplate reports whether v holds a Jinja2 template anywhere.
func hasTemplate(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "{{") || strings.Contains(x, "{%")
	case map[string]any:
		for _, e := range x {
			if hasTemplate(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasTemplate(e) {
				return true
			}
		}
	}
	return false
}
