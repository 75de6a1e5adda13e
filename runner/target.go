package runner

import (
	"maps"
	"strings"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// target is how to reach the host: the connection variables
// (ansible_host, ansible_port, ansible_user, ansible_ssh_*, ...) as a task
// of the play sees them, so in Ansible's precedence (the play's vars and
// vars_files and extra vars over the inventory's) and with templates
// rendered (ansible_host: "{{ inventory_hostname }}.internal"). It is
// computed once a play: the first connection's settings hold for the
// host's later connections (a reboot's reconnects). Hosts whose
// connection variables are plain inventory values skip the variable
// merge.
func (h *hostRun) target() modules.Target {
	h.targetOnce.Do(func() {
		h.tgt = h.host.Target()
		if !h.connVarsOverridden() {
			return
		}
		var sc *playbooks.Scope
		if len(h.pr.play.Vars) > 0 {
			sc = &playbooks.Scope{Vars: []map[string]any{h.pr.play.Vars}}
		}
		merged := h.baseVars(sc) // maybe from a preconnect: not the walk's goroutine
		vars := maps.Clone(h.host.Vars)
		if vars == nil {
			vars = map[string]any{}
		}
		for k, v := range merged {
			// Only variables some source defines: varsFor's default
			// ansible_host (the inventory name) must not hide an old
			// ansible_ssh_host.
			if isConnVar(k) && h.definesVar(k) {
				vars[k] = v
			}
		}
		h.tgt = (&Host{Name: h.host.Name, Vars: vars}).Target()
	})
	return h.tgt
}

// isConnVar reports whether k is a variable the SSH connection reads.
func isConnVar(k string) bool {
	for _, p := range []string{"ansible_host", "ansible_port", "ansible_user", "ansible_ssh_", "ansible_private_key_file", "ansible_password", "ansible_connection"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// definesVar reports whether the inventory, the play's vars, its
// vars_files or the extra vars define k.
func (h *hostRun) definesVar(k string) bool {
	for _, m := range h.varSources() {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// varSources are the variable maps a connection variable may come from.
func (h *hostRun) varSources() []map[string]any {
	return append([]map[string]any{h.host.Vars, h.pr.play.Vars, h.pr.opts.ExtraVars}, h.pr.playVarsFiles...)
}

// connVarsOverridden reports whether the host's connection variables need
// more than its inventory: a template in one of them, or one set by the
// play's vars, its vars_files or extra vars.
func (h *hostRun) connVarsOverridden() bool {
	for k, v := range h.host.Vars {
		if isConnVar(k) && hasTemplate(v) {
			return true
		}
	}
	for _, m := range h.varSources()[1:] {
		for k := range m {
			if isConnVar(k) {
				return true
			}
		}
	}
	return false
}

// connection is the host's ansible_connection ("" when unset): local runs
// its tasks on the controller (the inventory's implicit localhost).
func (h *hostRun) connection() string {
	return varString(h.target().Vars, "ansible_connection")
}
