package runner

import (
	"cmp"
	"context"
	"fmt"
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
	loop     int // the region
	ctxLen   int // the walk's lockCtx before the region's pair
	items    []any
	i        int
	loopVar  string
	indexVar string
	pause    time.Duration
}

// loopStart enters a region: it computes the host's items and returns the
// node to go to (the body, or past the region when there are none).
func (h *hostRun) loopStart(n *playbooks.Node) int {
	t := n.Task
	vars := h.varsFor(n.Scope)
	items, err := h.loopItems(t, vars)
	if err != nil {
		h.finish(n, vars, modules.Fail(fmt.Sprintf("include_tasks loop: %v", err)), 0)
		return n.OnFail
	}
	if len(items) == 0 {
		return h.pr.prog.Nodes[n.Body].Next
	}
	h.loops = append(h.loops, &loopFrame{loop: n.Loop, items: items, ctxLen: len(h.lockCtx),
		loopVar: cmp.Or(t.LoopVar, "item"), indexVar: t.LoopIndexVar, pause: t.LoopPause})
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
		if f.indexVar != "" {
			v[f.indexVar] = f.i
		}
		v["ansible_loop_var"] = f.loopVar
		v["ansible_loop"] = map[string]any{"index": f.i + 1, "index0": f.i, "first": f.i == 0,
			"last": f.i == len(f.items)-1, "length": len(f.items)}
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
