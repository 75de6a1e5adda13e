package playbooks

import (
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, path string) *Playbook {
	t.Helper()
	pb, err := Load(path, LoadOptions{})
	var el *ErrorList
	if errors.As(err, &el) {
		t.Fatalf("Load:\n%s", el.Text())
	} else if err != nil {
		t.Fatal(err)
	}
	if err := Validate(pb, ValidateOptions{}); err != nil {
		if errors.As(err, &el) {
			t.Fatalf("Validate:\n%s", el.Text())
		}
		t.Fatal(err)
	}
	return pb
}

// flat lists a task tree in order, as "file:line module name".
func flat(ts []*Task) []string {
	var out []string
	walkTasks(ts, func(t *Task) {
		out = append(out, filepath.Base(t.Pos.File)+":"+strconv.Itoa(t.Pos.Line)+" "+t.Module+" "+t.Name)
	})
	return out
}

func TestLoadRollingReboot(t *testing.T) {
	pb := mustLoad(t, "testdata/valid/rolling/site.yml")
	if len(pb.Plays) != 1 {
		t.Fatalf("plays = %d", len(pb.Plays))
	}
	p := pb.Plays[0]
	if !reflect.DeepEqual(p.Serial, []Serial{{Count: 1}, {Percent: 25}, {Percent: 50}}) {
		t.Errorf("serial = %+v", p.Serial)
	}
	if p.MaxFailPercentage == nil || *p.MaxFailPercentage != 10 || p.Order != "sorted" || p.Become == nil || !*p.Become {
		t.Errorf("play keys: %+v", p)
	}
	// The role comes first in tasks, as a block with the role's vars.
	role := p.Tasks[0]
	if role.Block == nil || role.Vars["drain_timeout"] != 30 || role.Vars["drain_weight"] != 0 {
		t.Fatalf("role block = %+v", role)
	}
	if rp, _ := role.Vars["role_path"].(string); !strings.HasSuffix(rp, filepath.Join("roles", "drain")) {
		t.Errorf("role_path = %v", role.Vars["role_path"])
	}
	want := []string{
		"main.yml:1 uri Take the host out of the load balancer",
		"site.yml:23 service Stop the app",
		"site.yml:28  ",
		"site.yml:29 reboot Reboot the host",
		"site.yml:34 wait_for_connection Wait for SSH",
		"site.yml:38 debug Report the failure",
		"site.yml:41 fail ",
		"site.yml:44 shell Log the attempt",
		"site.yml:47  ", // include_tasks health.yml: a block (its guard decides once)
		"health.yml:1 wait_for Wait for the app port",
		"health.yml:6 uri Check health",
		"site.yml:48 shell Fire-and-forget reboot (old idiom)",
		"site.yml:53 wait_for_connection Wait for the host to come back",
	}
	if got := flat(p.Tasks[0].Block); len(got) != 1 {
		t.Errorf("role tasks = %v", got)
	}
	got := flat(p.Tasks)[1:]
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tasks:\n got %q\nwant %q", got, want)
	}
	all := map[string]*Task{}
	walkTasks(p.Tasks, func(t *Task) { all[t.Name] = t })
	if tk := all["Fire-and-forget reboot (old idiom)"]; tk.Async != time.Second || tk.Poll == nil || *tk.Poll != 0 || tk.Args["_raw_params"] != "sleep 2 && reboot" {
		t.Errorf("async task = %+v", tk)
	}
	if tk := all["Check health"]; tk.Until != "health.status == 200" || tk.Retries != 10 || tk.Delay != 5*time.Second || tk.Register != "health" {
		t.Errorf("until task = %+v", tk)
	}
	if tk := all["Log the attempt"]; tk.DelegateTo != "localhost" {
		t.Errorf("delegate_to = %q", tk.DelegateTo)
	}
	if tk := all["Check uptime"]; tk != nil {
		t.Errorf("pre_tasks leaked into tasks")
	}
	if got := p.PreTasks[0]; got.Module != "command" || !reflect.DeepEqual(got.ChangedWhen, []string{"False"}) {
		t.Errorf("pre task = %+v", got)
	}
	// Handlers: the play's, then the role's.
	if len(p.Handlers) != 2 || p.Handlers[0].Name != "restart app" || p.Handlers[1].Name != "log drain" {
		t.Fatalf("handlers = %v", flat(p.Handlers))
	}
	if !reflect.DeepEqual(p.Handlers[0].Args, map[string]any{"name": "myapp", "state": "restarted"}) {
		t.Errorf("k=v args = %v", p.Handlers[0].Args)
	}
}

func TestLoadPhasesAndImports(t *testing.T) {
	pb := mustLoad(t, "testdata/valid/phases/site.yml")
	if len(pb.Plays) != 2 {
		t.Fatalf("plays = %d", len(pb.Plays))
	}
	prep := pb.Plays[0]
	if prep.Pos.File != filepath.Join("testdata/valid/phases", "prepare.yml") {
		t.Errorf("imported play position = %s", prep.Pos)
	}
	// import_tasks with when/tags is a block carrying them.
	imp := prep.Tasks[0]
	if imp.Block == nil || !reflect.DeepEqual(imp.When, []string{"inventory_hostname != 'skip'"}) || !reflect.DeepEqual(imp.Tags, []string{"check"}) {
		t.Fatalf("import block = %+v", imp)
	}
	if got := flat(imp.Block); !reflect.DeepEqual(got, []string{"check.yml:1 command Kernel version", "check.yml:4 debug Show it"}) {
		t.Errorf("imported tasks = %v", got)
	}
	p := pb.Plays[1]
	if p.Hosts != "web[0]:db" || !reflect.DeepEqual(p.Serial, []Serial{{Percent: 20}}) || p.PauseBetweenBatches != 2*time.Minute || !p.ConfirmAfterFirstBatch || !p.ContinueOnBatchFailure {
		t.Errorf("play = %+v", p)
	}
	if b := p.DisruptionBudget; b == nil || b.Per != "rack" || b.MaxUnavailable != 1 {
		t.Errorf("budget = %+v", b)
	}
	if p.Reboot == nil || p.Reboot.Module != "reboot" || p.Reboot.Args["reboot_timeout"] != 900 || len(p.Tasks) != 0 {
		t.Fatalf("reboot = %+v", p.Reboot)
	}
	mark := p.PreReboot[0]
	if !reflect.DeepEqual(mark.Args, map[string]any{"_raw_params": "touch {{ marker }}", "creates": "{{ marker }}"}) {
		t.Errorf("free form with k=v = %v", mark.Args)
	}
	// include_role with vars: a block (the include's vars) around the role.
	inc := p.PreReboot[1]
	if inc.Vars["motd_text"] != "rebooting" || len(inc.Block) != 1 || inc.Block[0].Block[0].Module != "copy" {
		t.Errorf("include_role = %+v", inc)
	}
	post := p.PostReboot
	if !reflect.DeepEqual(post[0].Args, map[string]any{"path": "{{ marker }}", "state": "absent"}) {
		t.Errorf("file args = %v", post[0].Args)
	}
	if post[1].DelegateTo != "localhost" || post[1].Module != "command" || post[1].Args["_raw_params"] != "echo {{ inventory_hostname }} is back" || !post[1].RunOnce {
		t.Errorf("local_action = %+v", post[1])
	}
	if lp := post[2]; lp.Module != "shell" || lp.LoopVar != "svc" || lp.LoopLabel != "{{ svc }}" || !reflect.DeepEqual(lp.Loop, []any{"sshd", "cron"}) {
		t.Errorf("loop task = %+v", lp)
	}
	if len(p.HealthGate) != 1 || p.HealthGate[0].DelegateTo != "localhost" {
		t.Errorf("health gate = %+v", p.HealthGate)
	}
}

// TestValidateKnownVars: inventory variables count as defined, and
// AllowUnknownVars silences only the undefined check.
func TestValidateKnownVars(t *testing.T) {
	pb, err := Load("testdata/errors/undefined_var.yml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(pb, ValidateOptions{KnownVars: []string{"app_prot", "enable_feature"}})
	if err != nil {
		t.Fatalf("known vars still reported: %v", err)
	}
	if err := Validate(pb, ValidateOptions{AllowUnknownVars: true}); err != nil {
		t.Fatalf("AllowUnknownVars: %v", err)
	}
	pb, err = Load("testdata/errors/register_before.yml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(pb, ValidateOptions{AllowUnknownVars: true}); err == nil {
		t.Fatal("register used before defined must be reported even with AllowUnknownVars")
	}
}

// TestErrorFormats checks the text and GitHub renderings.
func TestErrorFormats(t *testing.T) {
	_, list, err := check("testdata/errors/unknown_module.yml", ValidateOptions{})
	if err != nil || list == nil {
		t.Fatal(err)
	}
	gh := list.GitHub()
	want := "::error file=testdata/errors/unknown_module.yml,line=4,col=7::unknown module 'comand', did you mean 'command'?\n"
	if !strings.HasPrefix(gh, want) {
		t.Fatalf("github:\n%s", gh)
	}
	if n := strings.Count(gh, "\n"); n != len(list.Errors) {
		t.Fatalf("%d lines for %d errors", n, len(list.Errors))
	}
	if !strings.Contains(list.Error(), "unknown_module.yml:9:7: a task has exactly one module") {
		t.Fatalf("Error() = %s", list.Error())
	}
}

func TestSplitArgs(t *testing.T) {
	args, raw, bad := parseFreeForm(`echo "a  b" 'c d' chdir=/tmp {{ x | default("y z") }}`, true, func(k string) bool { return k == "chdir" })
	if raw != `echo "a  b" 'c d' {{ x | default("y z") }}` || args["chdir"] != "/tmp" || bad != nil {
		t.Fatalf("raw=%q args=%v bad=%v", raw, args, bad)
	}
	args, _, bad = parseFreeForm(`path="/a b" state=directory mode=0755`, false, nil)
	if args["path"] != "/a b" || args["mode"] != "0755" || bad != nil {
		t.Fatalf("args=%v bad=%v", args, bad)
	}
}
