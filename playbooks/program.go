package playbooks

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// NodeKind is what a Program node does.
type NodeKind int

const (
	// KindTask runs one task (with its loop, retries and conditions).
	KindTask NodeKind = iota
	// KindBlockFailed is entered when a task of a block fails: the block is
	// marked failed, then the rescue (or always) section starts.
	KindBlockFailed
	// KindRescued ends a rescue section that succeeded: the block's failure
	// is cleared.
	KindRescued
	// KindBlockEnd ends a block (after always): a block still failed goes on
	// to OnFail, otherwise to Next.
	KindBlockEnd
	// KindFlushHandlers runs the notified handlers, as Ansible does after
	// pre_tasks, tasks and post_tasks.
	KindFlushHandlers
	// KindLoopStart begins an include_tasks loop (a loop region): it
	// computes the host's items and enters the body (Next) with the first,
	// or goes past the region (Next of the KindLoopNext node Body names)
	// when there is none.
	KindLoopStart
	// KindLoopNext ends one pass of the body: the body again (Body) with
	// the next item, or past the region (Next).
	KindLoopNext
	// KindLoopAbort leaves the region when the body failed: on to Next
	// (the region's failure successor).
	KindLoopAbort
	// KindIncludeGuard decides, once, whether a host runs the tasks of an
	// include_tasks or include_role (Task.DynamicInclude):
	// on into them (Next), or past them (Body) when the include's tags are
	// not selected or its conditions are false.
	KindIncludeGuard
)

var kindNames = [...]string{"task", "block-failed", "rescued", "block-end", "flush-handlers", "loop-start", "loop-next", "loop-abort", "include-guard"}

func (k NodeKind) String() string { return kindNames[k] }

// Terminal successors.
const (
	End  = -1 // the host finished this walk
	Fail = -2 // the host failed
)

// Scope is what a task inherits from the blocks around it and the play.
type Scope struct {
	When         []string         // outer conditions first
	Vars         []map[string]any // outer first
	Become       *bool
	BecomeExpr   string // a template deciding become per host; "" when Become says
	BecomeUser   string
	Tags         []string
	Environment  []map[string]any
	IgnoreErrors bool
	NoLog        bool
	// NoLogExprs are no_log keywords written as templates, outer first:
	// any that renders true (or fails to render) censors the result.
	NoLogExprs []string
	DelegateTo string
	// DelegateFacts: the facts a delegated task gathers (setup, a
	// module's ansible_facts) or sets (set_fact) are the delegate's.
	DelegateFacts bool
	RunOnce       bool
	// Keywords a task inherits from its blocks unless it sets its own (a
	// task node's Scope includes the task's own keywords).
	BecomeMethod      string
	CheckMode         *bool
	Throttle          int
	Timeout           time.Duration
	IgnoreUnreachable bool
	Notify            []string // added to the task's own
	// AnyErrorsFatal: a failure of this task stops the roll (the play's,
	// a block's or the task's any_errors_fatal).
	AnyErrorsFatal bool
	// ModuleDefaults are the play's, blocks' and task's module_defaults,
	// outer first (see Defaults).
	ModuleDefaults []ModuleDefaults
}

// Node is one step of a Program.
type Node struct {
	ID     int
	Kind   NodeKind
	Phase  string // pre_tasks, tasks, post_tasks, handlers, health_gate
	Task   *Task  // KindTask; the block for block kinds
	Block  int    // block id for block kinds
	Scope  *Scope // KindTask
	Next   int
	OnFail int
	Reboot bool // a reboot task: the barrier between pre- and post-reboot
	// Loop regions (include_tasks with a loop): Loop is the region of a
	// loop node; Body is, for KindLoopStart, its KindLoopNext node and,
	// for KindLoopNext, the body's entry (for KindIncludeGuard: where a
	// host goes past the include). InLoop is the KindLoopStart node
	// of the outermost region around any node (-1 outside regions).
	Loop   int
	Body   int
	InLoop int
	// Seq is the node's place in the source: block tasks, then rescue,
	// then always, then what follows. A walk visits nodes in increasing
	// Seq, but for a loop region's next pass and the handlers it flushes
	// (which have their own order); the linear strategy's lockstep orders
	// hosts by it.
	Seq int
	// Caught (KindTask, KindLoopStart): a failure of the task goes to a rescue, so it
	// does not fail the host by itself (any_errors_fatal and the linear
	// strategy's max_fail_percentage count only failures that do).
	Caught bool
}

// Handler is a handler's sub-walk.
type Handler struct {
	Task  *Task
	Entry int
}

// Program is a play compiled for one host to walk: a control-flow graph of
// tasks whose edges say where a host goes after success or failure.
type Program struct {
	Play       *Play
	Nodes      []*Node
	Entry      int
	Handlers   []*Handler
	HealthGate int // entry of the health gate walk, End when none
	blocks     int
	loops      int
	loopStarts []*Node // by region
	// inLoop is the node whose InLoop new nodes get (while compiling a
	// region's body), -1 outside.
	inLoop *Node
	// caught: tasks compiled now have a rescue on their failure path.
	caught bool
}

// Compile turns a play into a Program. The play must have been validated.
func Compile(p *Play) *Program {
	prog := &Program{Play: p, HealthGate: End}
	// Vars[0] is always the play's vars (vars_files go right above them).
	base := &Scope{Become: p.Become, BecomeExpr: p.BecomeExpr, BecomeUser: p.BecomeUser, Tags: p.Tags, Vars: []map[string]any{p.Vars},
		Throttle: p.Throttle, CheckMode: p.CheckMode, IgnoreErrors: p.IgnoreErrors,
		IgnoreUnreachable: p.IgnoreUnreachable, NoLog: p.NoLog, RunOnce: p.RunOnce, Timeout: p.Timeout,
		NoLogExprs:     nonEmpty(p.NoLogExpr),
		AnyErrorsFatal: p.AnyErrorsFatal}
	if len(p.ModuleDefaults) > 0 {
		base.ModuleDefaults = []ModuleDefaults{p.ModuleDefaults}
	}
	if p.Environment != nil {
		base.Environment = []map[string]any{p.Environment}
	}
	tasks := p.Tasks
	if p.Reboot != nil || len(p.PreReboot) > 0 || len(p.PostReboot) > 0 {
		tasks = append(append([]*Task{}, p.PreReboot...), p.Tasks...)
		if p.Reboot != nil {
			tasks = append(tasks, p.Reboot)
		}
		tasks = append(tasks, p.PostReboot...)
	}
	// Build back to front so every section knows its successor.
	next := End
	sections := []struct {
		phase string
		tasks []*Task
	}{{"pre_tasks", p.PreTasks}, {"tasks", tasks}, {"post_tasks", p.PostTasks}}
	for i := len(sections) - 1; i >= 0; i-- {
		s := sections[i]
		if len(s.tasks) == 0 {
			continue
		}
		if len(p.Handlers) > 0 {
			next = prog.add(&Node{Kind: KindFlushHandlers, Phase: s.phase, Next: next, OnFail: Fail})
		}
		next = prog.list(s.phase, s.tasks, base, next, Fail)
	}
	prog.Entry = next
	for _, h := range p.Handlers {
		prog.Handlers = append(prog.Handlers, &Handler{Task: h, Entry: prog.list("handlers", []*Task{h}, base, End, Fail)})
	}
	if len(p.HealthGate) > 0 {
		prog.HealthGate = prog.list("health_gate", p.HealthGate, base, End, Fail)
	}
	// Nodes were added back to front: the last added comes first in the
	// source.
	for i, n := range prog.Nodes {
		n.Seq = len(prog.Nodes) - 1 - i
	}
	prog.renumber()
	return prog
}

// renumber gives nodes IDs in walk order (the graph is built back to
// front): depth first from the entry, then each handler, then the health
// gate, following success edges before failure edges. IDs are stable for
// a given playbook, which the journal relies on.
func (prog *Program) renumber() {
	newID := make([]int, len(prog.Nodes))
	for i := range newID {
		newID[i] = -1
	}
	var order []*Node
	var visit func(int)
	visit = func(id int) {
		for id >= 0 && newID[id] < 0 {
			n := prog.Nodes[id]
			newID[id] = len(order)
			order = append(order, n)
			if n.OnFail >= 0 {
				defer visit(n.OnFail)
			}
			id = n.Next
		}
	}
	visit(prog.Entry)
	for _, h := range prog.Handlers {
		visit(h.Entry)
	}
	visit(prog.HealthGate)
	for id := range prog.Nodes { // unreachable nodes keep a number too
		visit(id)
	}
	mapID := func(id int) int {
		if id < 0 {
			return id
		}
		return newID[id]
	}
	for _, n := range order {
		n.ID, n.Next, n.OnFail = mapID(n.ID), mapID(n.Next), mapID(n.OnFail)
		if n.Kind == KindLoopStart || n.Kind == KindLoopNext || n.Kind == KindIncludeGuard {
			n.Body = mapID(n.Body)
		}
	}
	for _, n := range order {
		if n.InLoop >= 0 {
			n.InLoop = prog.loopStarts[n.InLoop].ID
		}
	}
	prog.Nodes = order
	prog.Entry, prog.HealthGate = mapID(prog.Entry), mapID(prog.HealthGate)
	for _, h := range prog.Handlers {
		h.Entry = mapID(h.Entry)
	}
}

func (prog *Program) add(n *Node) int {
	n.ID = len(prog.Nodes)
	n.InLoop = -1
	if prog.inLoop != nil {
		n.InLoop = prog.inLoop.Loop // an index into loopStarts until renumber
	}
	prog.Nodes = append(prog.Nodes, n)
	return n.ID
}

// list compiles tasks to run in order, continuing at next; a failure goes
// to onFail. It returns the entry.
func (prog *Program) list(phase string, tasks []*Task, sc *Scope, next, onFail int) int {
	for i := len(tasks) - 1; i >= 0; i-- {
		next = prog.task(phase, tasks[i], sc, next, onFail)
	}
	return next
}

func (prog *Program) task(phase string, t *Task, sc *Scope, next, onFail int) int {
	inner := sc.with(t)
	if t.Block == nil {
		return prog.add(&Node{Kind: KindTask, Phase: phase, Task: t, Scope: inner, Next: next, OnFail: onFail,
			Reboot: t.Module == "reboot", Caught: prog.caught})
	}
	// An include's tasks inherit its vars only; its when and tags are
	// decided once, by the include guard or the loop start (inner).
	body := inner
	if t.DynamicInclude() {
		body = sc.withInclude(t)
	}
	if t.Loop != nil {
		return prog.loopRegion(phase, t, inner, body, next, onFail)
	}
	entry := prog.block(phase, t, body, next, onFail)
	if !t.DynamicInclude() {
		return entry
	}
	return prog.add(&Node{Kind: KindIncludeGuard, Phase: phase, Task: t, Scope: inner, Next: entry, Body: next,
		OnFail: onFail, Caught: prog.caught})
}

// block compiles a block (block, rescue, always) whose tasks have scope
// inner.
func (prog *Program) block(phase string, t *Task, inner *Scope, next, onFail int) int {
	id := prog.blocks
	prog.blocks++
	// block-end: still failed → onFail, else → next
	end := prog.add(&Node{Kind: KindBlockEnd, Phase: phase, Task: t, Block: id, Next: next, OnFail: onFail})
	// always: its own failures fail the host (onFail)
	always := prog.list(phase, t.Always, inner, end, onFail)
	afterRescue := always
	if len(t.Rescue) > 0 {
		rescued := prog.add(&Node{Kind: KindRescued, Phase: phase, Task: t, Block: id, Next: always, OnFail: onFail})
		// a failing rescue task leaves the block failed and runs always
		afterRescue = prog.list(phase, t.Rescue, inner, rescued, always)
	}
	failed := prog.add(&Node{Kind: KindBlockFailed, Phase: phase, Task: t, Block: id, Next: afterRescue, OnFail: onFail})
	outer := prog.caught
	prog.caught = outer || len(t.Rescue) > 0
	defer func() { prog.caught = outer }()
	return prog.list(phase, t.Block, inner, always, failed)
}

// loopRegion compiles an include_tasks with a loop: start → body → next
// (again with the next item, or on to next); a failure in the body goes
// through abort (which leaves the region) to onFail. Regions nest; the
// nodes of a body record the outermost region's start (InLoop), where a
// resumed run starts the loop again.
//
// inner is the include's own scope (its conditions and tags decide, per
// item, at the start), body its tasks'.
func (prog *Program) loopRegion(phase string, t *Task, inner, body *Scope, next, onFail int) int {
	start := &Node{Kind: KindLoopStart, Phase: phase, Task: t, Scope: inner, Loop: prog.loops, Caught: prog.caught}
	prog.loops++
	prog.loopStarts = append(prog.loopStarts, start)
	outer := prog.inLoop
	if outer == nil {
		prog.inLoop = start
	}
	exit := prog.add(&Node{Kind: KindLoopNext, Phase: phase, Task: t, Loop: start.Loop, Next: next, OnFail: onFail})
	abort := prog.add(&Node{Kind: KindLoopAbort, Phase: phase, Task: t, Loop: start.Loop, Next: onFail, OnFail: onFail})
	entry := prog.list(phase, t.Block, body, exit, abort)
	prog.Nodes[exit].Body = entry
	prog.inLoop = outer
	start.Next, start.OnFail, start.Body = entry, onFail, exit
	return prog.add(start)
}

// withInclude is the scope of an include_tasks' or include_role's tasks:
// the include's vars added. Its other keywords (when, tags, run_once,
// ignore_errors, no_log, timeout) are the include's own: with run_once,
// only one host runs the included tasks (see the runner's include guard).
func (sc *Scope) withInclude(t *Task) *Scope {
	n := *sc
	if t.Vars != nil {
		n.Vars = append(append([]map[string]any{}, sc.Vars...), t.Vars)
	}
	return &n
}

// with returns the scope of t's body: t's own block-level keywords added.
func (sc *Scope) with(t *Task) *Scope {
	n := *sc
	// a block's conditions apply to each of its tasks
	n.When = append(append([]string{}, sc.When...), t.When...)
	if t.Vars != nil {
		n.Vars = append(append([]map[string]any{}, sc.Vars...), t.Vars)
	}
	if t.Environment != nil {
		n.Environment = append(append([]map[string]any{}, sc.Environment...), t.Environment)
	}
	if t.Become != nil {
		n.Become, n.BecomeExpr = t.Become, ""
	}
	if t.BecomeExpr != "" {
		n.Become, n.BecomeExpr = nil, t.BecomeExpr
	}
	if t.BecomeUser != "" {
		n.BecomeUser = t.BecomeUser
	}
	if len(t.Tags) > 0 {
		n.Tags = append(append([]string{}, sc.Tags...), t.Tags...)
	}
	n.IgnoreErrors = sc.IgnoreErrors || t.IgnoreErrors
	n.NoLog = sc.NoLog || t.NoLog
	if t.NoLogExpr != "" {
		n.NoLogExprs = append(slices.Clip(sc.NoLogExprs), t.NoLogExpr)
	}
	if t.DelegateTo != "" {
		n.DelegateTo = t.DelegateTo
	}
	n.RunOnce = sc.RunOnce || t.RunOnce
	if s, ok := schemaOf(t.Module); ok && s.BypassHostLoop {
		n.RunOnce = true // pause, add_host: once for the batch, as Ansible's
	}
	n.DelegateFacts = sc.DelegateFacts || t.DelegateFacts
	if t.BecomeMethod != "" {
		n.BecomeMethod = t.BecomeMethod
	}
	if t.CheckMode != nil {
		n.CheckMode = t.CheckMode
	}
	if t.Throttle > 0 {
		n.Throttle = t.Throttle
	}
	if t.Timeout > 0 {
		n.Timeout = t.Timeout
	}
	n.IgnoreUnreachable = sc.IgnoreUnreachable || t.IgnoreUnreachable
	n.AnyErrorsFatal = sc.AnyErrorsFatal || t.AnyErrorsFatal
	if len(t.Notify) > 0 {
		n.Notify = append(append([]string{}, sc.Notify...), t.Notify...)
	}
	if len(t.ModuleDefaults) > 0 {
		n.ModuleDefaults = append(append([]ModuleDefaults{}, sc.ModuleDefaults...), t.ModuleDefaults)
	}
	return &n
}

func succ(i int) string {
	switch i {
	case End:
		return "end"
	case Fail:
		return "fail"
	}
	return fmt.Sprint(i)
}

// String prints the graph deterministically, one node a line, in walk order
// of IDs: `ID kind phase "name" (file:line) -> next | fail -> onFail`.
func (prog *Program) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "entry %s\n", succ(prog.Entry))
	for _, n := range prog.Nodes {
		name := ""
		if n.Task != nil {
			name = fmt.Sprintf(" %q", n.Task.DisplayName())
		}
		mark := ""
		if n.Reboot {
			mark = " [reboot]"
		}
		if n.Kind == KindLoopStart || n.Kind == KindLoopNext {
			mark += " loop " + succ(n.Body)
		}
		if n.Kind == KindIncludeGuard {
			mark += " skip -> " + succ(n.Body)
		}
		fmt.Fprintf(&b, "%d %s %s%s%s -> %s | fail -> %s\n", n.ID, n.Kind, n.Phase, name, mark, succ(n.Next), succ(n.OnFail))
	}
	for _, h := range prog.Handlers {
		fmt.Fprintf(&b, "handler %q entry %s\n", h.Task.DisplayName(), succ(h.Entry))
	}
	if prog.HealthGate != End {
		fmt.Fprintf(&b, "health_gate entry %s\n", succ(prog.HealthGate))
	}
	return b.String()
}

// Dot prints the graph in Graphviz DOT.
func (prog *Program) Dot() string {
	var b strings.Builder
	b.WriteString("digraph play {\n  rankdir=TB;\n  end [shape=doublecircle];\n  fail [shape=octagon,color=red];\n")
	for _, n := range prog.Nodes {
		label := n.Kind.String()
		if n.Task != nil {
			label = n.Task.DisplayName()
			if n.Kind != KindTask {
				label = n.Kind.String() + ": " + label
			}
		}
		shape := "box"
		if n.Reboot {
			shape = "box,style=bold,color=blue"
		}
		fmt.Fprintf(&b, "  n%d [label=%q,shape=%s];\n", n.ID, label, shape)
		fmt.Fprintf(&b, "  n%d -> %s;\n", n.ID, dotID(n.Next))
		if n.OnFail != Fail || n.Kind == KindTask {
			fmt.Fprintf(&b, "  n%d -> %s [style=dashed,color=red];\n", n.ID, dotID(n.OnFail))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func dotID(i int) string {
	switch i {
	case End:
		return "end"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("n%d", i)
}

// nonEmpty is [s], or nil for "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
