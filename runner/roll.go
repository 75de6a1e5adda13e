package runner

import (
	"slices"

	"github.com/drover-sh/drover/playbooks"
)

// roll hands out a play's batches in order. With batch_groups the play's
// hosts are split into tiers — each listed group in turn (a host goes to
// the first it is in), then the hosts in none — and a tier is done before
// the next one starts: a batch never mixes tiers. Each tier is batched as
// if it were the play's hosts: percentages of serial are of the tier, and a
// serial list starts again. The disruption budget applies throughout.
type roll struct {
	tiers  []*tier
	serial []playbooks.Serial
	bg     *budgeter
}

type tier struct {
	group string  // the batch_groups group; "" for the other hosts (and without batch_groups)
	hosts []*Host // not yet batched, in order
	size  int     // the tier's hosts in the play: the base of serial's percentages
	n     int     // batches handed out
}

// newRoll splits remaining (the hosts still to run, in order) into tiers;
// all are the play's hosts, resumed ones included, whose count per tier
// is the base of percentages.
func newRoll(all, remaining []*Host, groups []string, serial []playbooks.Serial, bg *budgeter) *roll {
	r := &roll{serial: serial, bg: bg}
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

// next takes the next batch and returns it with its tier's group. An
// empty batch with hosts left means the budget cannot be met.
func (r *roll) next(down map[string]bool) ([]*Host, string) {
	t := r.current()
	if t == nil {
		return nil, ""
	}
	batch, rest := nextBatch(t.hosts, serialSize(r.serial, t.n, t.size), r.bg, down)
	t.hosts = rest
	t.n++
	return batch, t.group
}

// peek is the batch next would return now, without taking it.
func (r *roll) peek(down map[string]bool) []*Host {
	t := r.current()
	if t == nil {
		return nil
	}
	batch, _ := nextBatch(t.hosts, serialSize(r.serial, t.n, t.size), r.bg, down)
	return batch
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
	c := &roll{serial: r.serial, bg: r.bg}
	for _, t := range r.tiers {
		ct := *t
		c.tiers = append(c.tiers, &ct)
	}
	return c
}
