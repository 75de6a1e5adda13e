package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// Delegation (delegate_to: lb01) runs a task of host H on another
// inventory host D, as Ansible does: the task sees H's variables
// (inventory_hostname is H), its result is H's, and it runs over D's
// connection with D's connection and become variables (D's inventory, the
// play's vars, vars_files and extra vars). The usual reboot-night use is
// draining H from a load balancer before its reboot and putting it back
// after.
//
// A play keeps one walk state per delegate (pr.delegates), separate from
// D's own walk when D is also one of the play's hosts: its connection is
// dialed on first use, shared by every host delegating to D (a Conn is
// safe for concurrent use) and closed when the play ends. A connection
// that fails a task is dropped, and the next delegated task dials again.

// delegation is where a task runs: nil means on the host itself.
type delegation struct {
	name  string   // as rendered: an inventory host, or "localhost"
	local bool     // on the controller
	hr    *hostRun // the delegate's walk state (remote delegates)
	conn  modules.Conn
}

// delegationFor renders the task's delegate_to for this host and loop
// item. A failure is the task's, not the host's connection's: it is
// returned as a failed result.
func (h *hostRun) delegationFor(sc *playbooks.Scope, vars map[string]any) (*delegation, modules.Result) {
	raw := sc.DelegateTo // the task's, else its block's
	if raw == "" {
		return nil, nil
	}
	name, err := h.pr.opts.Templater.RenderString(raw, vars)
	if err != nil {
		return nil, modules.Fail(fmt.Sprintf("delegate_to %q: %v", raw, err))
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return nil, modules.Fail(fmt.Sprintf("delegate_to %q is empty for %s", raw, h.host.Name))
	case playbooks.IsLocalName(name):
		return &delegation{name: "localhost", local: true}, nil
	case name == h.host.Name:
		return nil, nil // delegating to oneself is running on oneself
	}
	d, err := h.pr.delegateRun(name)
	if err != nil {
		return nil, modules.Fail(err.Error())
	}
	return &delegation{name: name, hr: d}, nil
}

// delegateRun returns the play's walk state for reaching name on behalf
// of delegating hosts, creating it on first use.
func (pr *playRun) delegateRun(name string) (*hostRun, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if d := pr.delegates[name]; d != nil {
		return d, nil
	}
	var host *Host
	if pr.opts.DelegateHost != nil {
		host = pr.opts.DelegateHost(pr.idx, name)
	}
	if host == nil {
		return nil, fmt.Errorf("delegate_to '%s' is not an inventory host (drover delegates to inventory hosts and to localhost)", name)
	}
	if pr.delegates == nil {
		pr.delegates = map[string]*hostRun{}
	}
	d := newHostRun(pr, host)
	pr.delegates[name] = d
	return d, nil
}

// closeDelegates closes the delegates' connections (the play is over).
func (pr *playRun) closeDelegates() {
	pr.mu.Lock()
	ds := pr.delegates
	pr.delegates = nil
	pr.mu.Unlock()
	for _, d := range ds {
		d.close()
	}
}

// dropConn forgets c if it is still the connection (it failed): the next
// connect dials again. Other users of c see their own errors.
func (h *hostRun) dropConn(c modules.Conn) {
	h.connMu.Lock()
	drop := h.conn == c && c != nil
	if drop {
		h.conn = nil
	}
	h.connMu.Unlock()
	if drop {
		_ = c.Close()
	}
}

// connect opens (or reuses) the delegate's connection.
func (d *delegation) connect(ctx context.Context) (modules.Conn, error) {
	if d.local {
		return &LocalConn{}, nil
	}
	c, err := d.hr.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("delegate_to %s: %w", d.name, err)
	}
	d.conn = c
	return c, nil
}

// delegatedVars records where a delegated task ran, in its result, as
// Ansible's _ansible_delegated_vars does.
func (d *delegation) delegatedVars() map[string]any {
	m := map[string]any{"ansible_delegated_host": d.name}
	if d.hr != nil {
		t := d.hr.target()
		m["ansible_host"] = t.Addr
		if t.Port > 0 {
			m["ansible_port"] = t.Port
		}
		if t.User != "" {
			m["ansible_user"] = t.User
		}
	}
	return m
}

// delegatedTo is the delegate a task result names ("" when the task ran
// on its host): the task's, or the one every item of a loop ran on.
func delegatedTo(res modules.Result) string {
	if dv, ok := res["_ansible_delegated_vars"].(map[string]any); ok {
		s, _ := dv["ansible_delegated_host"].(string)
		return s
	}
	items, ok := res["results"].([]any)
	if !ok || len(items) == 0 {
		return ""
	}
	first := ""
	for i, it := range items {
		m, _ := it.(map[string]any)
		s := delegatedTo(modules.Result(m))
		if s == "" || (i > 0 && s != first) {
			return ""
		}
		first = s
	}
	return first
}
