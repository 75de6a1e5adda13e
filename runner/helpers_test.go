package runner

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/playbooks/template"
	"github.com/drover-sh/drover/runner/fleet"
)

// testFleet starts an in-process fleet (no SSH) of n hosts in racks.
func testFleet(t *testing.T, n, racks int, delay time.Duration, faults map[string]fleet.Fault) *fleet.Fleet {
	t.Helper()
	f, err := fleet.New(fleet.Options{Dir: t.TempDir(), Hosts: n, Racks: racks, RebootDelay: delay, NoSSH: true, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fleetHosts are the fleet's hosts as the runner sees them: rack var and a
// rack_<r> group.
func fleetHosts(f *fleet.Fleet) []*Host {
	var out []*Host
	for _, name := range f.Hosts() {
		fh, _ := f.Host(name)
		out = append(out, &Host{Name: name, Vars: map[string]any{"rack": fh.Rack}, Groups: []string{"rack_" + fh.Rack}})
	}
	return out
}

// compile loads a playbook from text and compiles its plays.
func compile(t *testing.T, text string) []*playbooks.Program {
	t.Helper()
	return compileFiles(t, map[string]string{"playbook.yml": text})
}

// compileFiles writes files (playbook.yml and what it includes) into a
// fresh directory, then loads, validates and compiles playbook.yml.
func compileFiles(t *testing.T, files map[string]string) []*playbooks.Program {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files { // names may have directories: roles/r/tasks/main.yml
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pb, err := playbooks.Load(filepath.Join(dir, "playbook.yml"), playbooks.LoadOptions{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := playbooks.Validate(pb, playbooks.ValidateOptions{AllowUnknownVars: true}); err != nil {
		t.Fatalf("validate: %v", err)
	}
	var out []*playbooks.Program
	for _, p := range pb.Plays {
		out = append(out, playbooks.Compile(p))
	}
	return out
}

// recorder keeps every event.
type recorder struct {
	mu  sync.Mutex
	evs []*Event
}

func (r *recorder) Event(e *Event) {
	r.mu.Lock()
	c := *e
	r.evs = append(r.evs, &c)
	r.mu.Unlock()
}

func (r *recorder) of(typ string) []*Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*Event
	for _, e := range r.evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// runPlay runs the first play of text over the fleet.
func runPlay(t *testing.T, f *fleet.Fleet, text string, mod func(*Options)) (*PlayResult, *recorder) {
	t.Helper()
	return runFiles(t, f, map[string]string{"playbook.yml": text}, mod)
}

// runFiles runs the first play of files' playbook.yml (see compileFiles)
// over the fleet; mod, when not nil, adjusts the options.
func runFiles(t *testing.T, f *fleet.Fleet, files map[string]string, mod func(*Options)) (*PlayResult, *recorder) {
	t.Helper()
	progs := compileFiles(t, files)
	rec := &recorder{}
	opts := &Options{Dialer: f.Dialer(), Templater: template.New(), Sink: NewSinks(rec), RunID: "test"}
	if mod != nil {
		mod(opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return RunPlay(ctx, opts, 0, progs[0], fleetHosts(f), nil), rec
}

// rebootWindows returns every host's reboot intervals, from the hosts'
// own reboots.log.
type window struct {
	host     string
	down, up time.Time
}

func rebootWindows(f *fleet.Fleet) []window {
	var out []window
	for _, h := range f.Hosts() {
		for _, r := range f.Reboots(h) {
			out = append(out, window{h, r.Down, r.Up})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].down.Before(out[j].down) })
	return out
}

func status(res *PlayResult) map[string]string {
	m := map[string]string{}
	for _, h := range res.Hosts {
		m[h.Name] = h.Status
	}
	return m
}

// hostFile is a file of the host's root as text ("" when missing).
func hostFile(f *fleet.Fleet, host, name string) string {
	fh, _ := f.Host(host)
	b, _ := os.ReadFile(filepath.Join(fh.Root, name))
	return string(b)
}

// span is when a host ran a task: the nanosecond times its `date +%s%N`
// wrote to t0 and t1.
type span struct{ a, b int64 }

// taskSpan reads host's t0 and t1; the test fails when the task did not
// write them.
func taskSpan(t *testing.T, f *fleet.Fleet, host string) span {
	t.Helper()
	var s [2]int64
	for i, n := range []string{"t0", "t1"} {
		v, err := strconv.ParseInt(strings.TrimSpace(hostFile(f, host, n)), 10, 64)
		if err != nil || v == 0 {
			t.Fatalf("%s: no time in %s (%q): the task did not run", host, n, hostFile(f, host, n))
		}
		s[i] = v
	}
	return span{s[0], s[1]}
}

// checkOneAtATime fails when two spans overlap (throttle: 1).
func checkOneAtATime(t *testing.T, spans []span) {
	t.Helper()
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	for i := 1; i < len(spans); i++ {
		if spans[i].a < spans[i-1].b {
			t.Errorf("throttle 1: two hosts ran the task at once: %v", spans)
		}
	}
}
