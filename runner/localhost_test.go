package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks/template"
)

// The inventory's implicit localhost (ansible_connection: local) runs its
// tasks on the controller, and is never rebooted; other connection types
// fail the host with a clear message.
func TestLocalConnection(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	out := filepath.Join(t.TempDir(), "ran-here")
	marker := filepath.Join(t.TempDir(), "reboot-command-ran")
	hosts := []*Host{
		{Name: "localhost", Vars: map[string]any{"ansible_connection": "local"}},
		{Name: "box", Vars: map[string]any{"ansible_connection": "docker"}},
	}
	run := func(text string) *PlayResult {
		progs := compile(t, text)
		opts := &Options{Dialer: f.Dialer(), Templater: template.New(), Sink: NewSinks(&recorder{}), RunID: "test"}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return RunPlay(ctx, opts, 0, progs[0], hosts, nil)
	}
	res := run(`
- hosts: all
  gather_facts: false
  tasks:
    - shell: echo "{{ inventory_hostname }}" > ` + out + `
`)
	byName := map[string]*HostSummary{}
	for _, h := range res.Hosts {
		byName[h.Name] = h
	}
	if h := byName["localhost"]; h.Status == StatusFailed || h.Status == StatusUnreachable {
		t.Fatalf("localhost: %s %s", h.Status, h.Msg)
	}
	if b, err := os.ReadFile(out); err != nil || strings.TrimSpace(string(b)) != "localhost" {
		t.Errorf("the task did not run on the controller: %q, %v", b, err)
	}
	if h := byName["box"]; h.Status != StatusUnreachable || !strings.Contains(h.Msg, "ansible_connection 'docker' is not supported") {
		t.Errorf("docker host: %s %q", h.Status, h.Msg)
	}
	// A harmless reboot command: if the guard failed, it would only
	// leave the marker.
	res = run(`
- hosts: localhost
  gather_facts: false
  pre_reboot:
    - debug: {msg: before}
  reboot:
    reboot_command: touch ` + marker + `
  post_reboot:
    - debug: {msg: after}
`)
	if h := res.Hosts[0]; h.Status != StatusFailed || !strings.Contains(h.Msg, "refusing to reboot the controller") {
		t.Errorf("reboot of localhost: %s %q", h.Status, h.Msg)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the reboot command ran on the controller")
	}
}
