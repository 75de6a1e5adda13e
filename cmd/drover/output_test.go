package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/runner"
	"github.com/drover-sh/drover/runner/fleet"
)

// TestPlainLines checks the non-terminal output against the run's own
// events: one line per host per task result, one per batch boundary,
// failures in full, no escape codes, and the recap.
func TestPlainLines(t *testing.T) {
	f := startFleet(t, 4, nil)
	events := filepath.Join(f.dir, "events.jsonl")
	r := drover(t, nil, f.runArgs(f.file(t, "p.yml", rebootPlay("2", "host03")), "--events", events)...)
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 3\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "\x1b") {
		t.Fatalf("escape codes in non-terminal output:\n%q", r.stdout)
	}
	evs := readEvents(t, events)
	lines := strings.Split(r.stdout, "\n")
	count := func(re *regexp.Regexp) int {
		n := 0
		for _, l := range lines {
			if re.MatchString(l) {
				n++
			}
		}
		return n
	}
	for _, e := range eventsOf(evs, runner.EvTaskResult) {
		st := e["status"].(string)
		if st == runner.StatusFailed || st == runner.StatusUnreachable {
			st = strings.ToUpper(st)
		}
		re := regexp.MustCompile("^" + regexp.QuoteMeta(e["host"].(string)) + `\s+` + st + `\s+` + regexp.QuoteMeta(e["task"].(string)) + ` \(` + regexp.QuoteMeta(e["pos"].(string)) + `\) [0-9.]+s$`)
		if n := count(re); n != 1 {
			t.Errorf("%d lines for %s %s %s, want 1", n, e["host"], e["task"], st)
		}
	}
	taskLines := count(regexp.MustCompile(`^host\d+\s+(ok|changed|skipped|FAILED|UNREACHABLE)\s+.* \(.*\) [0-9.]+s$`))
	if want := len(eventsOf(evs, runner.EvTaskResult)); taskLines != want {
		t.Errorf("%d task lines, %d task_result events\n%s", taskLines, want, r.stdout)
	}
	if n, want := count(regexp.MustCompile(`^== batch \d+/2: host`)), len(eventsOf(evs, runner.EvBatchStarted)); n != want || n != 2 {
		t.Errorf("%d batch start lines, %d events, want 2", n, want)
	}
	if n := count(regexp.MustCompile(`^== batch \d+/2 done: \d+ of 2 hosts failed$`)); n != 2 {
		t.Errorf("%d batch done lines, want 2", n)
	}
	// The failure in full, as it happened: rc, stderr, before the recap.
	fail := strings.Index(r.stdout, "host03           FAILED    precheck")
	recap := strings.Index(r.stdout, "\nRECAP\n")
	if fail < 0 || recap < 0 || fail > recap {
		t.Fatalf("failure line missing or after the recap:\n%s", r.stdout)
	}
	detail := r.stdout[fail:recap]
	for _, want := range []string{"rc=7", "stderr: precheck failed on host03"} {
		if !strings.Contains(detail, want) {
			t.Errorf("failure detail lacks %q:\n%s", want, detail)
		}
	}
	for _, h := range []string{"host01", "host02", "host04"} {
		if !regexp.MustCompile(`(?m)^` + h + `\s+back  down \d+\.\ds, new boot id`).MatchString(r.stdout) {
			t.Errorf("no 'back' line with downtime for %s", h)
		}
	}
	// Recap: one row per host with its status and reboot, within 80 columns.
	for _, row := range []string{`host01\s+changed\s+4\s+4\s+0\s+0\s+0\s+yes`, `host03\s+failed\s+1\s+1\s+1\s+0\s+0\s+no`} {
		if !regexp.MustCompile(`(?m)^` + row).MatchString(r.stdout[recap:]) {
			t.Errorf("recap lacks %s:\n%s", row, r.stdout[recap:])
		}
	}
	for _, l := range strings.Split(r.stdout[recap:], "\n") {
		if len([]rune(l)) > 80 && !strings.HasPrefix(l, "  host") {
			t.Errorf("recap line wider than 80 columns: %q", l)
		}
	}
}

// TestColorFlag: --color always colours a pipe, never and NO_COLOR do not.
func TestColorFlag(t *testing.T) {
	f := startFleet(t, 1, nil)
	play := f.file(t, "p.yml", "- name: p\n  hosts: all\n  tasks:\n    - name: t\n      command: 'true'\n")
	if r := drover(t, nil, f.runArgs(play, "--color", "always")...); !strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--color always: no colour:\n%q", r.stdout)
	}
	t.Setenv("NO_COLOR", "1")
	if r := drover(t, nil, f.runArgs(play, "--color", "auto")...); strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("NO_COLOR: colour:\n%q", r.stdout)
	}
	if r := drover(t, nil, f.runArgs(play, "--color", "never")...); strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--color never: colour:\n%q", r.stdout)
	}
}

// TestHeartbeat runs a batch that waits on reboots with a short injected
// heartbeat interval: heartbeat lines name the rebooting hosts, and stop
// with the batch.
func TestHeartbeat(t *testing.T) {
	fl, err := fleet.New(fleet.Options{Dir: t.TempDir(), Hosts: 2, RebootDelay: 1500 * time.Millisecond, NoSSH: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	path := filepath.Join(t.TempDir(), "p.yml")
	if err := os.WriteFile(path, []byte(rebootPlay("2", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := playbooks.Load(path, playbooks.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []*runner.Host
	for _, n := range fl.Hosts() {
		hosts = append(hosts, &runner.Host{Name: n, Vars: map[string]any{}})
	}
	var out syncBuffer
	interval := 200 * time.Millisecond
	text := newTextOutput(&out, &out, 0, false, nil, interval)
	opts := &runner.Options{Dialer: fl.Dialer(), Templater: newTemplater(), Sink: runner.NewSinks(text), RunID: "hb"}
	res := runner.RunPlay(context.Background(), opts, 0, playbooks.Compile(pb.Plays[0]), hosts, nil)
	if res.Stopped != "" {
		t.Fatalf("stopped: %s\n%s", res.Stopped, out.String())
	}
	got := out.String()
	hb := regexp.MustCompile(`(?m)^\.\.\. batch 1/1: waiting on 2 hosts; rebooting: host01 \(down \d+s\), host02 \(down \d+s\)$`)
	if !hb.MatchString(got) {
		t.Fatalf("no heartbeat naming the rebooting hosts:\n%s", got)
	}
	// Heartbeats come only after silence: never two in a row without the
	// interval passing is not checkable without clocks, but they must
	// stop with the batch.
	time.Sleep(3 * interval)
	if after := out.String(); after != got {
		t.Fatalf("output after the batch ended:\n%s", after[len(got):])
	}
	idx := strings.Index(got, "== batch 1/1 done")
	if idx < 0 || strings.Contains(got[idx:], "... batch") {
		t.Fatalf("heartbeat after the batch boundary:\n%s", got)
	}
}
