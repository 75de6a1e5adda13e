package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner"
	"github.com/drover-sh/drover/runner/fleet"
)

// sshFleet is an in-process fleet reachable over real SSH on 127.0.0.1,
// with a private state directory for drover's journals and locks.
type sshFleet struct {
	*fleet.Fleet
	state string // --state-dir
	dir   string // scratch files (playbooks, reports)
}

// startFleet starts n SSH hosts (host01..) that reboot in 200ms.
func startFleet(t *testing.T, n int, faults map[string]fleet.Fault) *sshFleet {
	t.Helper()
	dir := t.TempDir()
	f, err := fleet.New(fleet.Options{Dir: filepath.Join(dir, "fleet"), Hosts: n, Racks: 1, RebootDelay: 200 * time.Millisecond, Faults: faults})
	if err != nil {
		t.Fatalf("fleet: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return &sshFleet{Fleet: f, state: filepath.Join(dir, "state"), dir: dir}
}

// file writes text to name in the fleet's scratch directory.
func (f *sshFleet) file(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runArgs are `drover run PLAYBOOK` against the fleet, plus extra.
func (f *sshFleet) runArgs(playbook string, extra ...string) []string {
	return append([]string{"run", playbook, "-i", f.InventoryPath(), "--known-hosts", f.KnownHostsPath(), "--state-dir", f.state}, extra...)
}

// result is what one in-process drover invocation did.
type result struct {
	code           int
	stdout, stderr string
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// drover runs main's run() in process with stop (nil: never) and returns
// its exit code and output.
func drover(t *testing.T, stop <-chan struct{}, args ...string) result {
	t.Helper()
	if stop == nil {
		stop = make(chan struct{})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb syncBuffer
	code := run(ctx, stop, args, strings.NewReader(""), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// readEvents parses a newline-delimited JSON events file.
func readEvents(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseEvents(t, b)
}

func parseEvents(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("event line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// journals returns every journal file under the state directory.
func (f *sshFleet) journals(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(f.state, "runs", "*", "journal.jsonl"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no journal under %s (%v)", f.state, err)
	}
	return m
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventsOf are the events of one type.
func eventsOf(evs []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, e := range evs {
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

// rebootPlay reboots every host, serial hosts at a time, after a task that
// fails on the hosts named in fail (space separated).
func rebootPlay(serial, fail string) string {
	return `- name: rolling reboot
  hosts: all
  serial: ` + serial + `
  gather_facts: false
  pre_reboot:
    - name: drain
      shell: echo drained
    - name: precheck
      shell: 'for h in ` + fail + ` none; do [ "$h" = "{{ inventory_hostname }}" ] && { echo "precheck failed on $h" >&2; exit 7; }; done; true'
  reboot:
    reboot_timeout: 30
  post_reboot:
    - name: healthy
      command: healthcheck
`
}

var _ = runner.EvRunDone
