package runner

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/playbooks/template"
)

// HostSummary is a host's outcome in a play.
type HostSummary struct {
	Name   string
	Status string // ok, changed, failed, unreachable, stopped, skipped (not run)
	Msg    string
	Stats  Stats
}

// PlayResult is a play's outcome.
type PlayResult struct {
	Name    string
	Hosts   []*HostSummary // in play order
	Stopped string         // why the roll stopped early, "" when it did not
	Batches int
}

// playRun is the shared state of one play's execution.
type playRun struct {
	opts        *Options
	prog        *playbooks.Program
	play        *playbooks.Play
	idx         int
	playbookDir string

	anyErrorsFatal bool // a templated play any_errors_fatal, rendered true
	groupsMu       sync.Mutex
	groups         map[string]any // the `groups` variable: replaced, never changed (group_by)
	hostvars       map[string]any
	facts          *HostFacts // the run's, or this play's
	allNames       []any
	batchNames     []any
	playVarsFiles  []map[string]any

	mu        sync.Mutex
	stopped   string
	onceRes   map[string]*onceCell // by hostRun.onceKey
	throttles map[int]chan struct{}
	bg        sync.WaitGroup // background connects (preconnect)
	reboots   bool           // the play reboots its hosts
	// nextConnect dials the next batch when this one is quiet.
	nextConnect *connectWhenQuiet
	delegates   map[string]*hostRun // delegate_to hosts, see delegate.go
	batchEnded  bool                // meta: end_batch ran in this batch
	entry       int                 // where hosts start: the program's entry, or --start-at-task's
	batch       int
	nbatches    int
	// The linear strategy (lockstep.go): the batch's barrier and forks
	// slots, set while a batch walks; the play's max_fail_percentage and
	// host count.
	lock    *lockstep
	slots   chan struct{}
	maxFail *float64
	total   int
}

type onceCell struct {
	once sync.Once
	res  modules.Result
}

func (pr *playRun) halt(reason string) {
	pr.mu.Lock()
	if pr.stopped == "" {
		pr.stopped = reason
	}
	pr.mu.Unlock()
}

// endedBatch reports whether a host of the batch ran meta: end_batch.
func (pr *playRun) endedBatch() bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.batchEnded
}

func (pr *playRun) halted() bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.stopped != ""
}

// once runs f for the first host of the batch that reaches node id; the
// others get the same result (run_once).
func (pr *playRun) once(id string, f func() modules.Result) modules.Result {
	pr.mu.Lock()
	c := pr.onceRes[id]
	if c == nil {
		c = &onceCell{}
		pr.onceRes[id] = c
	}
	pr.mu.Unlock()
	c.once.Do(func() { c.res = f() })
	out := make(modules.Result, len(c.res))
	for k, v := range c.res {
		out[k] = v
	}
	return out
}

// throttle limits how many hosts run node id at once (the task's
// `throttle`); it returns the release function.
func (pr *playRun) throttle(id, n int) func() {
	pr.mu.Lock()
	if pr.throttles == nil {
		pr.throttles = map[int]chan struct{}{}
	}
	c := pr.throttles[id]
	if c == nil {
		c = make(chan struct{}, n)
		pr.throttles[id] = c
	}
	pr.mu.Unlock()
	c <- struct{}{}
	return func() { <-c }
}

func (pr *playRun) emit(ev *Event) {
	if pr.opts.Sink == nil {
		return
	}
	ev.RunID = pr.opts.RunID
	ev.Play = pr.play.Name
	ev.PlayIdx = pr.idx
	if ev.Batch == 0 {
		pr.mu.Lock()
		ev.Batch, ev.Batches = pr.batch, pr.nbatches
		pr.mu.Unlock()
	}
	pr.opts.Sink.Event(ev)
}

func (pr *playRun) emitHost(h *hostRun, ev *Event) { pr.emit(ev) }

// RunPlay runs one compiled play over its hosts (inventory order; the
// play's `order` is applied here). inv maps every inventory group to its
// host names, for the `groups` variable.
func RunPlay(ctx context.Context, opts *Options, idx int, prog *playbooks.Program, hosts []*Host, inv map[string][]string) *PlayResult {
	play := prog.Play
	pr := &playRun{opts: opts, prog: prog, play: play, idx: idx, onceRes: map[string]*onceCell{}, reboots: hasReboot(prog), entry: prog.Entry}
	if play.Pos.File != "" {
		pr.playbookDir = filepath.Dir(play.Pos.File)
	}
	pr.groups = map[string]any{}
	for g, names := range inv {
		l := make([]any, len(names))
		for i, n := range names {
			l[i] = n
		}
		pr.groups[g] = l
	}
	pr.facts = opts.Facts
	if pr.facts == nil {
		pr.facts = NewHostFacts()
	}
	// Every inventory host, and the play's hosts (the implicit localhost
	// is in no inventory).
	invVars, cloned := opts.InventoryVars, false
	for _, h := range hosts {
		if _, ok := invVars[h.Name]; !ok {
			if !cloned {
				invVars, cloned = make(map[string]map[string]any, len(opts.InventoryVars)+len(hosts)), true
				maps.Copy(invVars, opts.InventoryVars)
			}
			invVars[h.Name] = h.Vars
		}
	}
	pr.hostvars = buildHostvars(invVars, pr.facts)
	err := pr.loadVarsFiles()
	var templSerial []playbooks.Serial
	if err == nil && play.SerialExpr != "" && len(opts.Serial) == 0 {
		templSerial, err = RenderSerial(play, opts.Templater, pr.playVarsFiles, opts.ExtraVars)
	}
	if err == nil && play.AnyErrorsFatalExpr != "" {
		var v any
		if v, err = opts.Templater.RenderValue(play.AnyErrorsFatalExpr, playKeywordVars(play, pr.playVarsFiles, opts.ExtraVars)); err != nil {
			err = fmt.Errorf("%s: any_errors_fatal %s: %w", play.Pos, play.AnyErrorsFatalExpr, err)
		}
		pr.anyErrorsFatal = template.Truthy(v)
	}
	if err != nil {
		res := &PlayResult{Name: play.Name, Stopped: err.Error()}
		for _, h := range hosts {
			res.Hosts = append(res.Hosts, &HostSummary{Name: h.Name, Status: StatusStopped, Msg: err.Error()})
		}
		pr.emit(&Event{Type: EvPlayDone, Stopped: res.Stopped})
		return res
	}
	ordered := OrderHosts(hosts, play.Order, opts.Seed)
	pr.allNames = namesOf(ordered)
	res := &PlayResult{Name: play.Name}
	sum := map[string]*HostSummary{}
	for _, h := range ordered {
		s := &HostSummary{Name: h.Name, Status: StatusSkipped}
		sum[h.Name] = s
		res.Hosts = append(res.Hosts, s)
	}
	pr.emit(&Event{Type: EvPlayStarted, Hosts: names(ordered)})
	entry, skip := opts.StartAt.entry(prog)
	if skip {
		for _, s := range res.Hosts {
			s.Msg = "the play comes before --start-at-task '" + opts.StartAt.Pattern + "'"
		}
		pr.emit(&Event{Type: EvPlayDone})
		return res
	}
	pr.entry = entry

	serial := play.Serial
	if templSerial != nil {
		serial = templSerial
	}
	if len(opts.Serial) > 0 {
		serial = opts.Serial
	}
	maxFail := play.MaxFailPercentage
	if opts.MaxFailPercentage != nil {
		maxFail = opts.MaxFailPercentage
	}
	pr.maxFail, pr.total = maxFail, len(ordered)
	remaining := ordered
	// Hosts the journal says are finished keep their outcome.
	if opts.Resume != nil {
		remaining = remaining[:0:0]
		for _, h := range ordered {
			if done := opts.Resume.done(idx, h.Name); done != nil {
				*sum[h.Name] = *done
				continue
			}
			remaining = append(remaining, h)
		}
	}
	bg := newBudgeter(play.DisruptionBudget, ordered)
	adaptive := play.AdaptiveSerial
	if len(opts.Serial) > 0 {
		adaptive = nil // --serial overrides every play's batching
	}
	rl := newRoll(ordered, remaining, play.BatchGroups, serial, adaptive, bg)
	if plan, _ := rl.plan(nil); plan != nil {
		pr.nbatches = len(plan.Batches)
	}
	runs := map[string]*hostRun{}
	down := map[string]bool{}
	totalFailed := 0
	rollStart := time.Now()
	warnedDeadline := false
	for bi := 0; !rl.done(); bi++ {
		if pr.halted() || stopRequested(opts.Stop) || ctx.Err() != nil {
			if !pr.halted() {
				pr.halt("interrupted")
			}
			break
		}
		// Budgets count what is already down: probe (connect) the hosts
		// not yet done; the connections are kept for the walk.
		if bg != nil {
			pr.probe(ctx, rl.left(), runs, down)
		}
		batch, group, why := rl.next(down)
		if len(batch) == 0 {
			pr.halt(fmt.Sprintf("disruption budget exhausted: %d hosts left cannot be taken down without exceeding max_unavailable (hosts already down count)", len(rl.left())))
			break
		}
		// Connect the likely next batch while this one runs (it mostly
		// waits on reboots): its first task then finds its connection
		// open. A wrong guess costs an idle connection, nothing more.
		pr.scheduleNextConnect(ctx, batch, rl.peek(down), runs)
		pr.mu.Lock()
		pr.batch = bi + 1
		if pr.nbatches < pr.batch+boolInt(!rl.done()) {
			pr.nbatches = pr.batch + boolInt(!rl.done())
		}
		pr.onceRes = map[string]*onceCell{}
		pr.batchEnded = false
		pr.mu.Unlock()
		pr.batchNames = namesOf(batch)
		pr.emit(&Event{Type: EvBatchStarted, Hosts: names(batch), Group: group, Msg: why})
		failed := pr.runBatch(ctx, batch, runs, sum, totalFailed)
		totalFailed += failed
		rl.record(failed)
		pr.emit(&Event{Type: EvBatchDone, Hosts: names(batch), Msg: fmt.Sprintf("%d of %d hosts failed", failed, len(batch))})
		// Thresholds stop the roll: they matter only when hosts are left.
		if reason := pr.thresholds(failed, len(batch), totalFailed, len(ordered), maxFail); reason != "" && !rl.done() {
			pr.halt(reason)
			break
		}
		if prog.HealthGate != playbooks.End && !rl.done() {
			reason := pr.healthGate(ctx, batch, runs, sum)
			for _, h := range batch {
				runs[h.Name].close()
			}
			if reason != "" {
				pr.halt(reason)
				break
			}
		}
		if rl.done() {
			break
		}
		if !opts.Deadline.IsZero() && !warnedDeadline {
			// ETA: the mean batch so far, times the batches left.
			per := time.Since(rollStart) / time.Duration(bi+1)
			left := 0
			if p, err := rl.plan(down); err == nil {
				left = len(p.Batches)
			}
			eta := time.Now().Add(per*time.Duration(left) + play.PauseBetweenBatches*time.Duration(left))
			if eta.After(opts.Deadline) {
				warnedDeadline = true
				pr.emit(&Event{Type: EvWarning, Msg: fmt.Sprintf("the roll no longer fits the deadline: %d batches left at about %s each, ETA %s, deadline %s",
					left, per.Round(time.Second), eta.Format(time.RFC3339), opts.Deadline.Format(time.RFC3339))})
			}
		}
		if bi == 0 && play.ConfirmAfterFirstBatch && !opts.Yes {
			if opts.Prompter == nil {
				pr.halt("confirm_after_first_batch: no terminal to ask on (use --yes)")
				break
			}
			ok, err := opts.Prompter.Confirm(ctx, fmt.Sprintf("First batch done (%d hosts). Continue with the remaining %d hosts?", len(batch), len(rl.left())))
			if err != nil || !ok {
				pr.halt("not confirmed after the first batch")
				break
			}
		}
		if play.PauseBetweenBatches > 0 {
			select {
			case <-ctx.Done():
			case <-stopChan(opts.Stop):
			case <-time.After(play.PauseBetweenBatches):
			}
		}
	}
	pr.bg.Wait()
	for _, r := range runs {
		r.close()
	}
	pr.closeDelegates()
	pr.mu.Lock()
	res.Stopped = pr.stopped
	res.Batches = pr.batch
	pr.mu.Unlock()
	for _, h := range rl.left() {
		if sum[h.Name].Status == StatusSkipped && res.Stopped != "" {
			sum[h.Name].Status = StatusStopped
			sum[h.Name].Msg = "not started: " + res.Stopped
		}
	}
	pr.emit(&Event{Type: EvPlayDone, Stopped: res.Stopped})
	return res
}

// RenderSerial renders a templated serial (play.SerialExpr) with the
// play's vars, its vars_files' variables and the extra vars — what
// Ansible templates play keywords with; host variables play no part.
func RenderSerial(play *playbooks.Play, t Templater, varsFiles []map[string]any, extra map[string]any) ([]playbooks.Serial, error) {
	v, err := t.RenderValue(play.SerialExpr, playKeywordVars(play, varsFiles, extra))
	if err != nil {
		return nil, fmt.Errorf("%s: serial %s: %w", play.Pos, play.SerialExpr, err)
	}
	s, err := playbooks.ParseSerialValue(v)
	if err != nil {
		return nil, fmt.Errorf("%s: serial %s: %v (use a host count such as 5, a percentage such as \"20%%\", or a list of them)", play.Pos, play.SerialExpr, err)
	}
	return s, nil
}

// playKeywordVars are the variables a templated play keyword (serial,
// any_errors_fatal) is rendered with: the play's vars, its vars_files'
// and the extra vars.
func playKeywordVars(play *playbooks.Play, varsFiles []map[string]any, extra map[string]any) map[string]any {
	vars := map[string]any{}
	for k, v := range play.Vars {
		vars[k] = v
	}
	for _, m := range varsFiles {
		for k, v := range m {
			vars[k] = v
		}
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// loadVarsFiles reads the play's vars_files (relative to the playbook),
// their names templated with the play's and extra variables.
func (pr *playRun) loadVarsFiles() error {
	for _, name := range pr.play.VarsFiles {
		vars := map[string]any{}
		for k, v := range pr.play.Vars {
			vars[k] = v
		}
		for k, v := range pr.opts.ExtraVars {
			vars[k] = v
		}
		rendered, err := pr.opts.Templater.RenderString(name, vars)
		if err != nil {
			return fmt.Errorf("%s: vars_files %q: %w", pr.play.Pos, name, err)
		}
		path := rendered
		if !filepath.IsAbs(path) {
			path = filepath.Join(pr.playbookDir, path)
		}
		m, err := playbooks.LoadVarsFile(path, pr.opts.VaultPassword)
		if err != nil {
			return fmt.Errorf("%s: vars_files: %w", pr.play.Pos, err)
		}
		pr.playVarsFiles = append(pr.playVarsFiles, m)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func names(hs []*Host) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Name
	}
	return out
}

func stopRequested(c <-chan struct{}) bool {
	if c == nil {
		return false
	}
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func stopChan(c <-chan struct{}) <-chan struct{} {
	if c == nil {
		return make(chan struct{})
	}
	return c
}
