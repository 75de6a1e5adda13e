package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/runner"
)

// diffPlaybook is the playbook both ansible-playbook and drover run.
const diffPlaybook = "testdata/differential/playbook.yml"

// taskStatus is one task's status on one host: ok, changed, failed or
// skipped. Tasks are keyed by name (every task in the playbook has a
// unique one).
type taskStatus map[string]map[string]string // task -> host -> status

// runStatuses is one run's statuses plus the order tasks were first seen.
type runStatuses struct {
	order  []string
	status taskStatus
}

func (r *runStatuses) set(task, host, status string) {
	if r.status == nil {
		r.status = taskStatus{}
	}
	if r.status[task] == nil {
		r.status[task] = map[string]string{}
		r.order = append(r.order, task)
	}
	r.status[task][host] = status
}

// TestDifferentialAnsiblePlaybook runs the same playbook with
// ansible-playbook on one fresh set of real-sshd hosts and with drover on
// another, twice: after each run every host's files (content, mode, link
// targets) and every task's status must be the same under both, and the
// second run must change nothing.
func TestDifferentialAnsiblePlaybook(t *testing.T) {
	ansible := requireAnsible(t)
	if droverBin == "" {
		t.Fatal("droverBin not built by TestMain")
	}
	play, err := filepath.Abs(diffPlaybook)
	if err != nil {
		t.Fatal(err)
	}
	fa := sshdtest.StartT(t, 2, sshdtest.Options{})
	fb := sshdtest.StartT(t, 2, sshdtest.Options{})
	work := t.TempDir()
	state := filepath.Join(work, "drover", "state")
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}

	for run := 1; run <= 2; run++ {
		var ans, drv runStatuses
		var ansErr, drvErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			start := time.Now()
			ans, ansErr = runAnsible(t, ansible, play, fa, filepath.Join(work, "ansible"))
			t.Logf("run %d: ansible-playbook took %v", run, time.Since(start).Round(time.Millisecond))
		}()
		go func() {
			defer wg.Done()
			start := time.Now()
			drv, drvErr = runDrover(play, fb, state)
			t.Logf("run %d: drover took %v", run, time.Since(start).Round(time.Millisecond))
		}()
		wg.Wait()
		if ansErr != nil {
			t.Fatalf("run %d: ansible-playbook: %v", run, ansErr)
		}
		if drvErr != nil {
			t.Fatalf("run %d: drover: %v", run, drvErr)
		}
		if len(ans.order) < 20 {
			t.Fatalf("run %d: ansible reported only %d tasks: %v", run, len(ans.order), ans.order)
		}
		for _, task := range ans.order {
			t.Logf("run %d: %-32q ansible %v", run, task, ans.status[task])
		}
		compareStatuses(t, run, fa.Names(), ans, drv)
		compareHostFiles(t, run, fa, fb)
		if run == 2 {
			for name, rs := range map[string]runStatuses{"ansible-playbook": ans, "drover": drv} {
				for _, task := range rs.order {
					if strings.HasPrefix(task, "group by ") {
						// group_by changes the run's inventory, not the
						// hosts: changed in every run, in both (compared
						// above).
						continue
					}
					for h, s := range rs.status[task] {
						if s != runner.StatusOK && s != runner.StatusSkipped {
							t.Errorf("second run: %s: task %q on %s is %s, want ok or skipped", name, task, h, s)
						}
					}
				}
			}
		}
	}
}

// requireAnsible returns ansible-playbook's path; it skips when it is
// missing, unless CI=true.
func requireAnsible(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("ansible-playbook")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ansible-playbook not found (CI=true): install ansible-core (scripts/test-deps.sh)")
		}
		t.Skip("ansible-playbook not found: install ansible-core to run the differential test")
	}
	return p
}

// runAnsible runs the playbook with ansible-playbook against f and returns
// each task's status per host from the json callback. It only logs to t:
// it runs on its own goroutine.
func runAnsible(t *testing.T, bin, play string, f *sshdtest.Fleet, dir string) (runStatuses, error) {
	home := filepath.Join(dir, "home")
	local := filepath.Join(dir, "local-tmp")
	for _, d := range []string{home, local} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return runStatuses{}, err
		}
	}
	cmd := exec.Command(bin, play, "-i", f.InventoryPath())
	cmd.Dir = filepath.Dir(play)
	cmd.Env = append(os.Environ(),
		"HOME="+home,
		// Debian's ansible-core lacks ansible.posix's json callback;
		// testdata/differential/callback_plugins has one of its shape.
		"ANSIBLE_CALLBACK_PLUGINS="+filepath.Join(filepath.Dir(play), "callback_plugins"),
		"ANSIBLE_STDOUT_CALLBACK=drover_json",
		"ANSIBLE_HOST_KEY_CHECKING=True",
		"ANSIBLE_PIPELINING=True",
		"ANSIBLE_LOCAL_TEMP="+local,
		// The remote temp lives on the host's real /tmp, outside the
		// compared directory.
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "remote-tmp"),
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3",
		"ANSIBLE_CONFIG="+filepath.Join(dir, "none.cfg"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.ProcessState != nil {
		t.Logf("ansible-playbook used %v of CPU on the controller",
			(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Round(time.Millisecond))
	}
	var doc struct {
		Plays []struct {
			Tasks []struct {
				Task struct {
					Name string `json:"name"`
				} `json:"task"`
				Hosts map[string]map[string]any `json:"hosts"`
			} `json:"tasks"`
		} `json:"plays"`
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &doc); jerr != nil {
		return runStatuses{}, fmt.Errorf("parse json callback output (run error %v): %w\nstdout:\n%s\nstderr:\n%s", err, jerr, stdout.String(), stderr.String())
	}
	if err != nil {
		return runStatuses{}, fmt.Errorf("%w\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	var rs runStatuses
	for _, p := range doc.Plays {
		for _, tk := range p.Tasks {
			for h, res := range tk.Hosts {
				rs.set(tk.Task.Name, h, ansibleStatus(res))
			}
		}
	}
	return rs, nil
}

// ansibleStatus classifies one host's result the way the default callback
// does: failed (even when rescued), skipped, changed, else ok.
func ansibleStatus(res map[string]any) string {
	switch {
	case res["unreachable"] == true:
		return runner.StatusUnreachable
	case res["failed"] == true:
		return runner.StatusFailed
	case res["skipped"] == true:
		return runner.StatusSkipped
	case res["changed"] == true:
		return runner.StatusChanged
	}
	return runner.StatusOK
}

// runDrover runs the playbook with drover against f and returns each
// task's status per host from the task_result events.
func runDrover(play string, f *sshdtest.Fleet, state string) (runStatuses, error) {
	cmd := droverCmd(f, state, "run", play, "--output", "json")
	cmd.Dir = filepath.Dir(play)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return runStatuses{}, fmt.Errorf("%w\nstdout (end):\n%s\nstderr:\n%s", err, lastBytes(stdout.String(), 8000), stderr.String())
	}
	var rs runStatuses
	for _, line := range bytes.Split(stdout.Bytes(), []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ev runner.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			return runStatuses{}, fmt.Errorf("event line %q: %w", line, err)
		}
		if ev.Type == runner.EvTaskResult {
			rs.set(ev.Task, ev.Host, ev.Status)
		}
	}
	return rs, nil
}

// compareStatuses asserts both runs reported the same tasks, in the same
// order, with the same status on every host.
func compareStatuses(t *testing.T, run int, hosts []string, ans, drv runStatuses) {
	t.Helper()
	if strings.Join(ans.order, "\n") != strings.Join(drv.order, "\n") {
		t.Errorf("run %d: task order differs\nansible: %q\ndrover:  %q", run, ans.order, drv.order)
	}
	for _, task := range ans.order {
		for _, h := range hosts {
			a, d := ans.status[task][h], drv.status[task][h]
			if a != d {
				t.Errorf("run %d: task %q on %s: ansible %q, drover %q", run, task, h, orNone(a), orNone(d))
			}
		}
	}
	for _, task := range drv.order {
		if _, ok := ans.status[task]; !ok {
			t.Errorf("run %d: task %q reported by drover only: %v", run, task, drv.status[task])
		}
	}
}

// lastBytes is the last n bytes of s.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func orNone(s string) string {
	if s == "" {
		return "(not reported)"
	}
	return s
}

// fileEntry is what is compared of one path on a host.
type fileEntry struct {
	Mode    fs.FileMode
	Owner   string // uid:gid
	Content string // sha256 and first bytes of a file, target of a link
}

// harnessDir reports whether rel (relative to a host's private directory)
// belongs to the test harness or Ansible's own machinery rather than to the
// playbook: sshdtest's .sshdtest, the fake systemctl's .systemd, and any
// Ansible temporary directory. Every other file, dot-files included (a
// temporary file left behind by either tool), is compared.
func harnessDir(rel string) bool {
	return rel == ".sshdtest" || rel == ".systemd" || strings.HasPrefix(filepath.Base(rel), ".ansible")
}

// hostFiles walks a host's private directory, leaving out harnessDir.
func hostFiles(t *testing.T, root string) map[string]fileEntry {
	t.Helper()
	out := map[string]fileEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		if d.IsDir() && harnessDir(rel) {
			return filepath.SkipDir
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := fileEntry{Mode: fi.Mode()}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			e.Owner = fmt.Sprintf("%d:%d", st.Uid, st.Gid)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			e.Content = "-> " + target
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			e.Content = hex.EncodeToString(sum[:8]) + " " + fmt.Sprintf("%q", b)
		}
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return out
}

// compareHostFiles asserts each host of set A holds the same files as its
// namesake in set B. Link targets point into /var/lib/drover-host, the
// same path on both.
func compareHostFiles(t *testing.T, run int, fa, fb *sshdtest.Fleet) {
	t.Helper()
	for _, h := range fa.Names() {
		a, b := hostFiles(t, fa.HostDir(h)), hostFiles(t, fb.HostDir(h))
		if len(a) < 10 {
			t.Errorf("run %d: %s: ansible left only %d files: %v", run, h, len(a), a)
		}
		var paths []string
		for p := range a {
			paths = append(paths, p)
		}
		for p := range b {
			if _, ok := a[p]; !ok {
				paths = append(paths, p)
			}
		}
		sort.Strings(paths)
		for _, p := range paths {
			ea, oka := a[p]
			eb, okb := b[p]
			switch {
			case !oka:
				t.Errorf("run %d: %s: %s only after drover: %v %s %s", run, h, p, eb.Mode, eb.Owner, eb.Content)
			case !okb:
				t.Errorf("run %d: %s: %s only after ansible: %v %s %s", run, h, p, ea.Mode, ea.Owner, ea.Content)
			case ea != eb:
				t.Errorf("run %d: %s: %s differs\nansible: %v %s %s\ndrover:  %v %s %s", run, h, p, ea.Mode, ea.Owner, ea.Content, eb.Mode, eb.Owner, eb.Content)
			}
		}
	}
}
