package runner

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// An include_tasks with a loop is a loop region of the Program (see
// playbooks.KindLoopStart): the host walks the included tasks once per
// item, with the item (and ansible_loop, index_var) in its variables, as
// Ansible runs a looped include. The walk keeps one loopFrame per region
// it is in; regions nest.

type loopFrame struct {
	loop   int // the region
	ctxLen int // the walk's lockCtx before the region's pair
	items  []any
	// orig is each item's place in the loop before the include's
	// conditions dropped some, length the loop's length then: index_var
	// and ansible_loop count in the whole loop, as Ansible's.
	orig     []int
	length   int
	i        int
	loopVar  string
	indexVar string
	pause    time.Duration
}

// loopStart enters a region: it computes the host's items and returns the
// node to go to (the body, or past the region when there are none). The
// include's tags and conditions are its own, as Ansible decides them for
// a looped include: tags once, the conditions for each item (with the
// item); the items whose conditions are false are not run.
func (h *hostRun) loopStart(n *playbooks.Node) int {
	t := n.Task
	past := h.pr.prog.Nodes[n.Body].Next
	if !h.pr.opts.tagsMatch(n.Scope.Tags) || !h.includeRunsHere(n) {
		return past
	}
	vars := h.varsFor(n.Scope)
	items, err := h.loopItems(t, vars)
	if err != nil {
		if ok, werr := h.when(n, vars); werr == nil && !ok {
			h.finish(n, vars, skippedResult(n), 0) // when: xs is defined
			return past
		}
		h.finish(n, vars, modules.Fail(fmt.Sprintf("include_tasks loop: %v", err)), 0)
		return n.OnFail
	}
	f := &loopFrame{loop: n.Loop, ctxLen: len(h.lockCtx), length: len(items),
		loopVar: cmp.Or(t.LoopVar, "item"), indexVar: t.LoopIndexVar, pause: t.LoopPause}
	for i, it := range items {
		if len(n.Scope.When) > 0 {
			iv := maps.Clone(vars)
			addLoopVars(iv, []*loopFrame{{items: []any{it}, orig: []int{i}, length: len(items), loopVar: f.loopVar, indexVar: f.indexVar}})
			ok, err := h.when(n, iv)
			if err != nil {
				h.finish(n, vars, modules.Fail(err.Error()), 0)
				return n.OnFail
			}
			if !ok {
				continue
			}
		}
		f.items = append(f.items, it)
		f.orig = append(f.orig, i)
	}
	if len(f.items) == 0 {
		if len(items) > 0 {
			h.finish(n, vars, skippedResult(n), 0)
		}
		return past
	}
	h.finish(n, vars, includedResult(t), 0)
	h.loops = append(h.loops, f)
	h.lockCtx = append(h.lockCtx, n.Seq, 0)
	return n.Next
}

// loopNext ends one pass of the body: the body again with the next item,
// or past the region.
func (h *hostRun) loopNext(ctx context.Context, n *playbooks.Node) int {
	var f *loopFrame
	if k := len(h.loops); k > 0 && h.loops[k-1].loop == n.Loop {
		f = h.loops[k-1]
	}
	if f == nil { // not entered (cannot happen on a walk from the start)
		return n.Next
	}
	f.i++
	if f.i >= len(f.items) {
		h.popLoop(n.Loop)
		return n.Next
	}
	h.lockCtx[f.ctxLen+1] = f.i
	if f.pause > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(f.pause):
		}
	}
	return n.Body
}

// includeGuard decides whether the host runs an include's tasks (see
// playbooks.KindIncludeGuard): not when the include's tags are not
// selected (silently, as a task's), nor when its conditions are false (a
// skipped result for the include, as Ansible's "skipping"; an ok one,
// "included", when its tasks run). The
// conditions are evaluated once, before the included tasks run: what they
// change does not stop them.
func (h *hostRun) includeGuard(n *playbooks.Node) int {
	if !h.pr.opts.tagsMatch(n.Scope.Tags) || !h.includeRunsHere(n) {
		return n.Body
	}
	vars := h.varsFor(n.Scope)
	ok, err := h.when(n, vars)
	switch {
	case err != nil:
		if h.finish(n, vars, modules.Fail(err.Error()), 0) == outOK {
			return n.Body // ignore_errors on the include
		}
		return n.OnFail
	case !ok:
		h.finish(n, vars, skippedResult(n), 0)
		return n.Body
	}
	h.finish(n, vars, includedResult(n.Task), 0)
	return n.Next
}

// includedResult is an include's own result when its tasks run, as
// Ansible reports it (ok, the file and the include's arguments).
func includedResult(t *playbooks.Task) modules.Result {
	_, file, _ := strings.Cut(t.Include, ": ")
	return modules.Result{"changed": false, "include": file, "include_args": map[string]any{}}
}

// includeRunsHere reports whether the host runs an include: with
// run_once (the include's own), only the batch's first host to reach it
// does, and the included tasks run on that host alone, as in Ansible.
func (h *hostRun) includeRunsHere(n *playbooks.Node) bool {
	if !n.Task.RunOnce {
		return true
	}
	first := h.pr.once(h.onceKey(n.ID)+"/include", func() modules.Result { return modules.Result{"host": h.host.Name} })
	return first["host"] == h.host.Name
}

// skippedResult is a task's result when its conditions are false.
func skippedResult(n *playbooks.Node) modules.Result {
	return modules.Result{"changed": false, "skipped": true, "skip_reason": "Conditional result was False",
		"false_condition": strings.Join(n.Scope.When, " and ")}
}

// popLoop leaves region loop (and any region inside it still open).
func (h *hostRun) popLoop(loop int) {
	for k := len(h.loops) - 1; k >= 0; k-- {
		if h.loops[k].loop == loop {
			h.lockCtx = h.lockCtx[:h.loops[k].ctxLen]
			h.loops = h.loops[:k]
			return
		}
	}
}

// addLoopVars gives v the variables of the loop regions of loops (the
// walk's, outer first).
func addLoopVars(v map[string]any, loops []*loopFrame) {
	for _, f := range loops {
		v[f.loopVar] = f.items[f.i]
		i := f.orig[f.i]
		if f.indexVar != "" {
			v[f.indexVar] = i
		}
		v["ansible_loop_var"] = f.loopVar
		v["ansible_loop"] = map[string]any{"index": i + 1, "index0": i, "first": i == 0,
			"last": i == f.length-1, "length": f.length}
	}
}

// loopItem is the innermost region's current item (nil outside regions).
func (h *hostRun) loopItem() any {
	if k := len(h.loops); k > 0 {
		return h.loops[k-1].items[h.loops[k-1].i]
	}
	return nil
}

// onceKey tells apart the passes of a region for run_once: node id, then
// each region's item index.
func (h *hostRun) onceKey(id int) string {
	if len(h.loops) == 0 {
		return strconv.Itoa(id)
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(id))
	for _, f := range h.loops {
		b.WriteString("/" + strconv.Itoa(f.i))
	}
	return b.String()
}
