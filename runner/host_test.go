package runner

import (
	"testing"

	"github.com/drover-sh/drover/modules"
)

// A host's target: the inventory name unless ansible_host (or the old
// ansible_ssh_host) says otherwise; the new names win over the old ones.
func TestHostTarget(t *testing.T) {
	for _, c := range []struct {
		vars map[string]any
		want modules.Target
	}{
		{nil, modules.Target{Name: "web1", Addr: "web1"}},
		{map[string]any{"ansible_host": "10.0.0.1", "ansible_port": 2222, "ansible_user": "ops"}, modules.Target{Name: "web1", Addr: "10.0.0.1", Port: 2222, User: "ops"}},
		{map[string]any{"ansible_ssh_host": "10.0.0.2", "ansible_ssh_port": "2200", "ansible_ssh_user": "old"}, modules.Target{Name: "web1", Addr: "10.0.0.2", Port: 2200, User: "old"}},
		{map[string]any{"ansible_ssh_host": "10.0.0.2", "ansible_host": "10.0.0.3", "ansible_ssh_user": "old", "ansible_user": "new"}, modules.Target{Name: "web1", Addr: "10.0.0.3", User: "new"}},
	} {
		got := (&Host{Name: "web1", Vars: c.vars}).Target()
		if got.Name != c.want.Name || got.Addr != c.want.Addr || got.Port != c.want.Port || got.User != c.want.User {
			t.Errorf("vars %v: target %+v, want %+v", c.vars, got, c.want)
		}
	}
}
