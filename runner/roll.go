package runner

import (
	"fmt"
	"math"
	"slices"

	"github.com/drover-sh/drover/playbooks"
)

// roll hands out a play's batches in order. With batch_groups the play's
// hosts are split into tiers — each listed group in turn (a host goes to
// the first it is in), then the hosts in none — and a tier is done before
// the next one starts: a batch never mixes tiers. Each tier is batched as
// if it were the play's hosts: percentages of serial are of the tier, and a
// serial list starts again. The disruption budget applies throughout.
//
// With adaptive_serial (serial is then unused) each tier's first batch has
// start hosts; after a batch without failures the next is grow times
// larger (rounded up, at most max), after a batch with failures half as
// large (never below start): record reports each batch's outcome.
type roll struct {
	tiers    []*tier
	serial   []playbooks.Serial
	adaptive *playbooks.AdaptiveSerial
	bg       *budgeter
	last     *tier // the tier of the last batch handed out
}

type tier struct {
	group string  // the batch_groups group; "" for the other hosts (and without batch_groups)
	hosts []*Host // not yet batched, in order
	size  int     // the tier's hosts in the play: the base of serial's percentages
	n     int     // batches handed out
	cur   int     // adaptive_serial: the next batch's size (0: start)
	why   string  // adaptive_serial: why cur is what it is
}

// newRoll splits remaining (the hosts still to run, in order) into tiers;
// all are the play's hosts, resumed ones included, whose count per tier
// is the base of percentages.
func newRoll(all, remaining []*Host, groups []string, serial []playbooks.Serial, adaptive *playbooks.AdaptiveSerial, bg *budgeter) *roll {
	r := &roll{serial: serial, adaptive: adaptive, bg: bg}
	idx := map[string]int{}
	for i, g := range groups {
		r.tiers = append(r.tiers, &tier{group: g})
		idx[g] = i
	}
	r.tiers = append(r.tiers, &tier{})
	tierOf := func(h *Host) *tier {
		for i, g := range groups {
			if inGroup(h, g) {
				return r.tiers[i]
			}
		}
		return r.tiers[len(groups)]
	}
	for _, h := range all {
		tierOf(h).size++
	}
	for _, h := range remaining {
		t := tierOf(h)
		t.hosts = append(t.hosts, h)
	}
	return r
}

// inGroup reports whether h is in inventory group g (all: every host;
// ungrouped: a host in no group).
func inGroup(h *Host, g string) bool {
	switch g {
	case "all":
		return true
	case "ungrouped":
		return len(h.Groups) == 0
	}
	return slices.Contains(h.Groups, g)
}

// current is the first tier with hosts left (nil when none).
func (r *roll) current() *tier {
	for _, t := range r.tiers {
		if len(t.hosts) > 0 {
			return t
		}
	}
	return nil
}

// next takes the next batch and returns it with its tier's group and,
// under adaptive_serial, why it has its size. An empty batch with hosts
// left means the budget cannot be met.
func (r *roll) next(down map[string]bool) (batch []*Host, group, why string) {
	t := r.current()
	if t == nil {
		return nil, "", ""
	}
	batch, t.hosts = nextBatch(t.hosts, r.size(t), r.bg, down)
	t.n++
	r.last = t
	return batch, t.group, t.why
}

// peek is the batch next would return now, without taking it (under
// adaptive_serial: as if the batch running now succeeds).
func (r *roll) peek(down map[string]bool) []*Host {
	c := r.clone()
	c.record(0)
	t := c.current()
	if t == nil {
		return nil
	}
	batch, _ := nextBatch(t.hosts, c.size(t), c.bg, down)
	return batch
}

// size is the size of tier t's next batch.
func (r *roll) size(t *tier) int {
	if r.adaptive == nil {
		return serialSize(r.serial, t.n, t.size)
	}
	if t.cur == 0 {
		t.cur = r.adaptiveStart(t)
		t.why = fmt.Sprintf("adaptive_serial: first batch of %s", plural(t.cur, "host"))
	}
	return t.cur
}

func (r *roll) adaptiveStart(t *tier) int {
	return min(serialSize([]playbooks.Serial{r.adaptive.Start}, 0, t.size), r.adaptiveMax(t))
}

func (r *roll) adaptiveMax(t *tier) int {
	return serialSize([]playbooks.Serial{r.adaptive.Max}, 0, t.size)
}

// record reports the outcome of the last batch handed out: how many of
// its hosts failed. Under adaptive_serial it sizes the tier's next batch.
func (r *roll) record(failed int) {
	t := r.last
	if r.adaptive == nil || t == nil || t.cur == 0 {
		return
	}
	prev := t.cur
	if failed == 0 {
		t.cur = min(int(math.Ceil(float64(prev)*r.adaptive.Grow)), r.adaptiveMax(t))
		t.why = fmt.Sprintf("adaptive_serial: %s after a batch of %d without failures", plural(t.cur, "host"), prev)
		if t.cur == prev {
			t.why = fmt.Sprintf("adaptive_serial: %s (max) after a batch without failures", plural(t.cur, "host"))
		}
		return
	}
	t.cur = max(prev/2, r.adaptiveStart(t))
	t.why = fmt.Sprintf("adaptive_serial: %s after a batch of %d with %s", plural(t.cur, "host"), prev, plural(failed, "failed host"))
}

// left returns the hosts not yet batched, tier by tier.
func (r *roll) left() []*Host {
	var out []*Host
	for _, t := range r.tiers {
		out = append(out, t.hosts...)
	}
	return out
}

// done reports whether every host has been batched.
func (r *roll) done() bool { return r.current() == nil }

// clone is a copy to plan with (next on it leaves r as it is).
func (r *roll) clone() *roll {
	c := &roll{serial: r.serial, adaptive: r.adaptive, bg: r.bg}
	for _, t := range r.tiers {
		ct := *t
		c.tiers = append(c.tiers, &ct)
		if t == r.last {
			c.last = &ct
		}
	}
	return c
}

// plural is "1 host", "2 hosts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
