package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/playbooks/template"
	"github.com/drover-sh/drover/runner"
	"github.com/drover-sh/drover/runner/fleet"
)

// childResult is what the in-process scale child reports to its parent.
type childResult struct {
	Hosts    int     `json:"hosts"`
	Setup    float64 `json:"setup_s"`     // fleet creation
	Wall     float64 `json:"wall_s"`      // runner.RunPlay
	SelfCPU  float64 `json:"self_cpu_s"`  // this process during RunPlay (runner and in-process fleet)
	ChildCPU float64 `json:"child_cpu_s"` // the hosts' commands (sh processes the fleet ran)
	OK       int     `json:"ok"`
	Err      string  `json:"err,omitempty"`
}

// inprocChild runs the playbook on an n-host NoSSH fleet through
// runner.RunPlay and the fleet's in-process Dialer, and writes a
// childResult to resultPath. shell is the hosts' shell: "interp" or
// "fork" (see --scale-shell).
func inprocChild(n int, dir, playbook, resultPath, shell string) error {
	res := childResult{Hosts: n}
	t0 := time.Now()
	fl, err := fleet.New(fleet.Options{Dir: dir, Hosts: n, Racks: racks(n), NoSSH: true, NoMountNS: true, User: "root", InterpShell: shell == "interp"})
	if err != nil {
		return err
	}
	defer fl.Close()
	res.Setup = since(t0)
	pb, err := playbooks.Load(playbook, playbooks.LoadOptions{})
	if err != nil {
		return fmt.Errorf("load %s: %w", playbook, err)
	}
	if err := playbooks.Validate(pb, playbooks.ValidateOptions{KnownVars: []string{"bench_dir", "rack"}}); err != nil {
		return fmt.Errorf("validate %s: %w", playbook, err)
	}
	var hosts []*runner.Host
	inv := map[string][]string{"all": nil}
	for _, name := range fl.Hosts() {
		h, _ := fl.Host(name)
		hosts = append(hosts, &runner.Host{Name: name, Groups: []string{"rack_" + h.Rack},
			Vars: map[string]any{"ansible_user": "root", "rack": h.Rack, "bench_dir": filepath.Join(h.Root, "bench")}})
		inv["all"] = append(inv["all"], name)
		inv["rack_"+h.Rack] = append(inv["rack_"+h.Rack], name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	opts := &runner.Options{Dialer: fl.Dialer(), Templater: template.New(), RunID: "bench", Yes: true}
	self0, kids0 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
	t1 := time.Now()
	for i, play := range pb.Plays {
		pr := runner.RunPlay(ctx, opts, i, playbooks.Compile(play), hosts, inv)
		if pr.Stopped != "" {
			res.Err = "stopped: " + pr.Stopped
		}
		if i == len(pb.Plays)-1 {
			for _, h := range pr.Hosts {
				if h.Status == runner.StatusOK || h.Status == runner.StatusChanged {
					res.OK++
				} else if res.Err == "" {
					res.Err = fmt.Sprintf("%s: %s: %s", h.Name, h.Status, h.Msg)
				}
			}
		}
	}
	res.Wall = since(t1)
	res.SelfCPU = rusage(syscall.RUSAGE_SELF) - self0
	res.ChildCPU = rusage(syscall.RUSAGE_CHILDREN) - kids0
	if done, err := countDone(fl); err != nil && res.Err == "" {
		res.Err = err.Error()
		res.OK = done
	}
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(resultPath, data, 0o644)
}
