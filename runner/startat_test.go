package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks/template"
)

// --start-at-task: the plays before the one holding the first matching
// task are skipped, that play starts at the task, later plays run whole.
func TestStartAtTask(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	progs := compile(t, `
- hosts: all
  gather_facts: false
  tasks:
    - shell: echo one >> ran
- hosts: all
  gather_facts: false
  tasks:
    - name: prepare
      shell: echo prepare >> ran
    - name: deploy app
      shell: echo deploy >> ran
    - name: verify
      shell: echo verify >> ran
- hosts: all
  gather_facts: false
  tasks:
    - name: prepare
      shell: echo three >> ran
`)
	opts := &Options{Dialer: f.Dialer(), Templater: template.New(), Sink: NewSinks(&recorder{}), RunID: "test",
		StartAt: &StartAt{Pattern: "deploy*"}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var results []*PlayResult
	for i, p := range progs {
		results = append(results, RunPlay(ctx, opts, i, p, fleetHosts(f), nil))
	}
	if s := results[0].Hosts[0]; s.Status != StatusSkipped || !strings.Contains(s.Msg, "before --start-at-task 'deploy*'") {
		t.Errorf("first play: %s %q", s.Status, s.Msg)
	}
	if got, want := hostFile(f, h, "ran"), "deploy\nverify\nthree\n"; got != want {
		t.Errorf("ran = %q, want %q", got, want)
	}
}
