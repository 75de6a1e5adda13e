package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner/fleet"
)

// tmux drives a private tmux server (its own socket).
type tmux struct {
	t      *testing.T
	socket string
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x *tmux) capture() string { return x.run("capture-pane", "-p", "-t", "drover") }

// startTmux runs cmd in a private 80x24 tmux session named drover.
func startTmux(t *testing.T, cmd string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI (scripts/test-deps.sh installs it)")
		}
		t.Skip("tmux not installed (scripts/test-deps.sh installs it)")
	}
	if droverBin == "" {
		t.Fatal("droverBin not built by TestMain")
	}
	x := &tmux{t: t, socket: fmt.Sprintf("drover-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	x.run("new-session", "-d", "-s", "drover", "-x", "80", "-y", "24", "env", "-u", "NO_COLOR", "TERM=xterm-256color", "sh", "-c", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	return x
}

// waitScreen polls the pane until ok accepts a capture, and returns it.
func (x *tmux) waitScreen(what string, ok func(string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if c := x.capture(); ok(c) {
			return c
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.t.Fatalf("timed out waiting for %s; screen:\n%s", what, x.capture())
	return ""
}

// TestTTYConfirmPrompt: confirm_after_first_batch asks on a terminal while
// the live view runs. The view gives the screen up for the question: the
// prompt stays intact (nothing redraws over it), the answer is read, and
// the view comes back for the next batch.
func TestTTYConfirmPrompt(t *testing.T) {
	dir := t.TempDir()
	f, err := fleet.New(fleet.Options{Dir: dir + "/fleet", Hosts: 2, Racks: 1, RebootDelay: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sf := &sshFleet{Fleet: f, state: dir + "/state", dir: dir}
	play := sf.file(t, "p.yml", strings.Replace(rebootPlay("1", "none"), "  gather_facts: false\n", "  gather_facts: false\n  confirm_after_first_batch: true\n", 1))
	args := strings.Join(sf.runArgs(play), " ")
	x := startTmux(t, fmt.Sprintf("cd %s && %s %s; echo EXIT=$?; sleep 120", dir, droverBin, args))
	prompt := regexp.MustCompile(`(?m)^First batch done \(1 hosts\)\. Continue with the remaining 1 hosts\? \[y/N\]$`)
	first := x.waitScreen("the prompt", func(c string) bool { return strings.Contains(c, "[y/N]") })
	// Well past several redraws of the live view (every 200 ms): the
	// question is still whole, alone on its line, and no live area shows.
	time.Sleep(1500 * time.Millisecond)
	asked := x.capture()
	for i, c := range []string{first, asked} {
		if !prompt.MatchString(c) {
			t.Errorf("capture %d: the prompt is not intact:\n%s", i, c)
		}
		if regexp.MustCompile(`(?m)^(play|batch)\s+\[`).MatchString(c) {
			t.Errorf("capture %d: the live area is drawn during the question:\n%s", i, c)
		}
	}
	x.run("send-keys", "-t", "drover", "y", "Enter")
	final := x.waitScreen("the end", func(c string) bool { return strings.Contains(c, "EXIT=") })
	for _, want := range []string{"EXIT=0", "RECAP", "== batch 2/2", "TOTAL 2 hosts"} {
		if !strings.Contains(final, want) {
			t.Errorf("final screen lacks %q:\n%s", want, final)
		}
	}
	for _, h := range f.Hosts() {
		if n := len(f.Reboots(h)); n != 1 {
			t.Errorf("%s rebooted %d times, want 1", h, n)
		}
	}
}

// TestTTYLiveView runs the drover binary in a real 80x24 terminal (tmux)
// against an SSH fleet, captures the pane while hosts reboot and at the
// end, and checks each capture is readable: it fits the screen, shows
// batch x/y, a rebooting host with its downtime, and finally the recap
// with the live area gone.
func TestTTYLiveView(t *testing.T) {
	dir := t.TempDir()
	f, err := fleet.New(fleet.Options{Dir: dir + "/fleet", Hosts: 4, Racks: 2, RebootDelay: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sf := &sshFleet{Fleet: f, state: dir + "/state", dir: dir}
	play := sf.file(t, "p.yml", rebootPlay("2", "host04"))
	args := sf.runArgs(play)
	x := startTmux(t, fmt.Sprintf("cd %s && %s %s; echo EXIT=$?; sleep 120", dir, droverBin, strings.Join(args, " ")))

	rebooting := regexp.MustCompile(`(?m)^\s+host0\d\s+rebooting, down \d+s`)
	header := regexp.MustCompile(`(?m)^PLAY \[rolling reboot\]  batch [12]/2  ETA`)
	var captures []string
	seen := map[string]bool{}
	deadline := time.Now().Add(90 * time.Second)
	final := ""
	for time.Now().Before(deadline) {
		c := x.capture()
		switch {
		case strings.Contains(c, "EXIT="):
			final = c
		case rebooting.MatchString(c) && header.MatchString(c):
			m := header.FindString(c)
			if !seen[m] {
				seen[m] = true
				captures = append(captures, c)
			}
		}
		if final != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if final == "" {
		t.Fatalf("drover did not finish; last screen:\n%s", x.capture())
	}
	if len(captures) < 2 {
		t.Fatalf("want captures of both batches while rebooting, got %d; final screen:\n%s", len(captures), final)
	}
	for i, c := range append(captures, final) {
		lines := strings.Split(strings.TrimRight(c, "\n"), "\n")
		if len(lines) > 24 {
			t.Errorf("capture %d has %d lines", i, len(lines))
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > 80 {
				t.Errorf("capture %d: line of %d columns: %q", i, n, l)
			}
		}
		t.Logf("capture %d:\n%s", i, c)
	}
	live := captures[len(captures)-1]
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^play\s+\[[█X░]+\]\s+\d/4 done, \d failed, \d left`),
		regexp.MustCompile(`(?m)^batch\s+\[[█X░]+\]\s+\d/2 done, \d failed`),
		regexp.MustCompile(`(?m)^== batch 2/2: host03 host04`),
	} {
		if !want.MatchString(live) {
			t.Errorf("live capture lacks %v:\n%s", want, live)
		}
	}
	// The second batch's capture shows the first batch's outcome above.
	if !strings.Contains(live, "== batch 1/2 done: 0 of 2 hosts failed") {
		t.Errorf("batch boundary not printed above the live area:\n%s", live)
	}
	for _, want := range []string{"RECAP", "EXIT=3", "host04: precheck", "TOTAL 4 hosts"} {
		if !strings.Contains(final, want) {
			t.Errorf("final screen lacks %q:\n%s", want, final)
		}
	}
	if regexp.MustCompile(`(?m)^(play|batch)\s+\[`).MatchString(final) {
		t.Errorf("the live area was not removed at the end:\n%s", final)
	}
	if !regexp.MustCompile(`(?m)^host0[1-3]\s+changed\s.*\syes\s`).MatchString(final) {
		t.Errorf("recap rows missing:\n%s", final)
	}
}
