package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
	"github.com/drover-sh/drover/runner"
)

// droverBin is the drover binary the end-to-end tests run, built once.
var droverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "drover-bin-")
	if err != nil {
		panic(err)
	}
	droverBin = filepath.Join(dir, "drover")
	out, err := exec.Command("go", "build", "-o", droverBin, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// e2ePlay is the xen-reboot runbook in its shape: drain, stop the app,
// reboot, start it, wait until healthy, put back; markers go to each host's
// private /var/lib/drover-host.
const e2ePlay = `
- name: hypervisor maintenance
  hosts: all
  serial: SERIAL
  max_fail_percentage: 0
  BUDGET
  pre_reboot:
    - name: drain
      shell: echo drained > /var/lib/drover-host/lb-state
    - name: stop app
      command: systemctl stop app
  reboot:
    reboot_timeout: 60
  post_reboot:
    - name: start app
      command: systemctl start app
    - name: healthy
      command: healthcheck
      register: health
      until: health.rc == 0
      retries: 3
      delay: 1
    - name: put back
      shell: echo serving > /var/lib/drover-host/lb-state && cat /proc/sys/kernel/random/boot_id > /var/lib/drover-host/post-boot-id
`

func writePlay(t *testing.T, serial, budget string) string {
	t.Helper()
	text := strings.ReplaceAll(e2ePlay, "SERIAL", serial)
	text = strings.ReplaceAll(text, "BUDGET", budget)
	p := filepath.Join(t.TempDir(), "playbook.yml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func droverCmd(f *sshdtest.Fleet, stateDir string, args ...string) *exec.Cmd {
	full := append(args, "-i", f.InventoryPath(), "--known-hosts", f.KnownHostsPath(), "--state-dir", stateDir)
	cmd := exec.Command(droverBin, full...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Dir(stateDir))
	return cmd
}

// runRefused runs `drover run play` over f and asserts that it is refused
// as invalid (exit 2) with want in its output, before any host is
// contacted.
func runRefused(t *testing.T, f *sshdtest.Fleet, play, want string) {
	t.Helper()
	out, err := droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInvalid {
		t.Fatalf("exit %v, want %d\n%s", err, exitInvalid, out)
	}
	if !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	for _, h := range f.Names() {
		if n := f.Connections(h); n != 0 {
			t.Errorf("%s: %d connections before the playbook was valid", h, n)
		}
	}
}

type hostWindow struct {
	host     string
	down, up time.Time
}

func windows(t *testing.T, f *sshdtest.Fleet) []hostWindow {
	t.Helper()
	var out []hostWindow
	for _, h := range f.Names() {
		rs, err := f.Reboots(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			out = append(out, hostWindow{h, r.Down, r.Up})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].down.Before(out[j].down) })
	return out
}

// checkRebootedOnce asserts on each host's own state: exactly one reboot,
// a boot id that changed, and the post-reboot marker written on the new
// boot.
func checkRebootedOnce(t *testing.T, f *sshdtest.Fleet, before map[string]string) {
	t.Helper()
	for _, h := range f.Names() {
		rs, err := f.Reboots(h)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Errorf("%s: rebooted %d times, want exactly 1", h, len(rs))
			continue
		}
		now := f.BootID(h)
		if now == before[h] || rs[0].OldBootID != before[h] || rs[0].NewBootID != now {
			t.Errorf("%s: boot id %s -> %s, reboot record %+v", h, before[h], now, rs[0])
		}
		b, err := os.ReadFile(filepath.Join(f.HostDir(h), "post-boot-id"))
		if err != nil || strings.TrimSpace(string(b)) != now {
			t.Errorf("%s: post-reboot marker %q (err %v), want the new boot id %s", h, b, err, now)
		}
		lb, _ := os.ReadFile(filepath.Join(f.HostDir(h), "lb-state"))
		if strings.TrimSpace(string(lb)) != "serving" {
			t.Errorf("%s: lb-state %q, want serving", h, lb)
		}
	}
}

func bootIDs(f *sshdtest.Fleet) map[string]string {
	m := map[string]string{}
	for _, h := range f.Names() {
		m[h] = f.BootID(h)
	}
	return m
}

func TestE2ERollingRebootRealSSHD(t *testing.T) {
	f := sshdtest.StartT(t, 12, sshdtest.Options{Racks: 3, RebootDelay: 500 * time.Millisecond})
	before := bootIDs(f)
	play := writePlay(t, `"50%"`, "disruption_budget: {per: rack, max_unavailable: 1}")
	state := filepath.Join(t.TempDir(), "state")
	out, err := droverCmd(f, state, "run", play).CombinedOutput()
	if err != nil {
		t.Fatalf("drover run: %v\n%s", err, out)
	}
	checkRebootedOnce(t, f, before)
	rack := map[string]string{}
	for _, hi := range f.Hosts() {
		rack[hi.Name] = hi.Rack
	}
	ws := windows(t, f)
	for i := range ws {
		for j := i + 1; j < len(ws); j++ {
			a, b := ws[i], ws[j]
			if rack[a.host] == rack[b.host] && a.down.Before(b.up) && b.down.Before(a.up) {
				t.Errorf("%s and %s of rack %s were down at once", a.host, b.host, rack[a.host])
			}
		}
	}
	// 50% of 12 = 6 a batch, but one per rack: four batches of three.
	if n := batches(ws); n != 4 {
		t.Errorf("the hosts' reboot records show %d batches, want 4", n)
	}
	for _, h := range f.Names() {
		if c := f.Connections(h); c != 2 {
			t.Errorf("%s: %d SSH connections, want 2 (one before, one after its reboot)", h, c)
		}
	}
	if !strings.Contains(string(out), "RECAP") {
		t.Errorf("no recap in output:\n%s", out)
	}
}

func batches(ws []hostWindow) int { return len(batchSizes(ws)) }

// waitJournal waits until a run's journal has an event satisfying ok and
// returns the run id.
func waitJournal(t *testing.T, state string, ok func(*runner.Event) bool, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		runs, _ := os.ReadDir(filepath.Join(state, "runs"))
		for _, r := range runs {
			evs, _ := runner.ReadJournal(runner.JournalPath(state, r.Name()))
			for _, e := range evs {
				if ok(e) {
					return r.Name()
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	evs := []string{}
	runs, _ := os.ReadDir(filepath.Join(state, "runs"))
	for _, r := range runs {
		all, _ := runner.ReadJournal(runner.JournalPath(state, r.Name()))
		for _, e := range all {
			evs = append(evs, e.Type+"/"+e.Host+"/"+e.Status)
		}
	}
	t.Fatalf("journal never showed the awaited event; it has: %v", evs)
	return ""
}

// kill -9 of drover just after it journaled a reboot, then --resume: every
// host rebooted exactly once, and the post-reboot steps ran everywhere.
func TestE2EKill9ThenResume(t *testing.T) {
	f := sshdtest.StartT(t, 6, sshdtest.Options{Racks: 1, RebootDelay: time.Second})
	before := bootIDs(f)
	play := writePlay(t, "2", "")
	state := filepath.Join(t.TempDir(), "state")
	cmd := droverCmd(f, state, "run", play)
	var first strings.Builder
	cmd.Stdout, cmd.Stderr = &first, &first
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			if cmd.ProcessState == nil {
				cmd.Process.Signal(syscall.SIGQUIT) // a goroutine dump in the output
				cmd.Wait()
			}
			t.Logf("first attempt's output:\n%s", first.String())
		}
	}()
	// Kill it in the second batch, right after a reboot was begun.
	runID := waitJournal(t, state, func(e *runner.Event) bool { return e.Type == runner.EvRebootStarted && e.Batch == 2 }, time.Minute)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	out, err := droverCmd(f, state, "run", "--resume", runID).CombinedOutput()
	if err != nil {
		t.Fatalf("drover run --resume: %v\n%s", err, out)
	}
	checkRebootedOnce(t, f, before)
	// The batches stay in order across the crash: no host of a batch went
	// down before every host of the batches before it was back. (Within
	// the interrupted batch, a host the crashed run had not rebooted yet is
	// rebooted by the resumed run, later than its batch mate.)
	byHost := map[string]hostWindow{}
	for _, w := range windows(t, f) {
		byHost[w.host] = w
	}
	names := f.Names()
	for b := 1; b < 3; b++ {
		for _, earlier := range names[:2*b] {
			for _, later := range names[2*b : 2*b+2] {
				if byHost[later].down.Before(byHost[earlier].up) {
					t.Errorf("%s (batch %d) went down before %s (an earlier batch) was back", later, b+1, earlier)
				}
			}
		}
	}
}

// The first Ctrl-C lets in-flight hosts finish, starts nothing new, exits
// 130 and leaves a journal that --resume completes.
func TestE2EInterruptThenResume(t *testing.T) {
	f := sshdtest.StartT(t, 4, sshdtest.Options{Racks: 1, RebootDelay: time.Second})
	before := bootIDs(f)
	play := writePlay(t, "2", "")
	state := filepath.Join(t.TempDir(), "state")
	cmd := droverCmd(f, state, "run", play)
	var outb strings.Builder
	cmd.Stdout, cmd.Stderr = &outb, &outb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("output:\n%s", outb.String())
		}
	}()
	runID := waitJournal(t, state, func(e *runner.Event) bool { return e.Type == runner.EvRebootStarted }, time.Minute)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\n%s", err, exitInterrupted, outb.String())
	}
	// The first batch finished its reboots; the second never started.
	for _, h := range f.Names()[:2] {
		if rs, _ := f.Reboots(h); len(rs) != 1 {
			t.Errorf("%s (in flight at Ctrl-C): %d reboots, want 1", h, len(rs))
		}
	}
	for _, h := range f.Names()[2:] {
		if rs, _ := f.Reboots(h); len(rs) != 0 {
			t.Errorf("%s (not started): %d reboots, want 0", h, len(rs))
		}
	}
	if !strings.Contains(outb.String(), "--resume "+runID) {
		t.Errorf("output does not say how to resume:\n%s", outb.String())
	}
	out, err := droverCmd(f, state, "run", "--resume", runID).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	checkRebootedOnce(t, f, before)
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// -vvv shows SSH-level detail: the dial, the verified login, the
// persistent shell.
func TestE2ESSHDetailAtVVV(t *testing.T) {
	f := sshdtest.StartT(t, 1, sshdtest.Options{})
	play := filepath.Join(t.TempDir(), "p.yml")
	writeFile(t, play, "- hosts: all\n  tasks:\n    - command: \"true\"\n")
	out, err := droverCmd(f, t.TempDir()+"/state", "run", play, "-vvv").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"ssh: h01: dialing", "host key verified, logged in as root", "ssh: h01: persistent shell started"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("-vvv output lacks %q:\n%s", want, out)
		}
	}
}
