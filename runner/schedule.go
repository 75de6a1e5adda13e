package runner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/drover-sh/drover/playbooks"
)

// OrderHosts applies a play's `order`.
func OrderHosts(hosts []*Host, order string, seed uint64) []*Host {
	out := append([]*Host{}, hosts...)
	switch order {
	case "reverse_inventory":
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	case "sorted":
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	case "reverse_sorted":
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	case "shuffle":
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// serialSize is the size of batch number i (0-based) of a play over total
// hosts: serial entries as counts or percentages (rounded down, at least
// 1), the last entry repeating; no serial means every host at once.
func serialSize(serial []playbooks.Serial, i, total int) int {
	if len(serial) == 0 || total == 0 {
		return max(total, 1)
	}
	s := serial[min(i, len(serial)-1)]
	n := s.Count
	if s.Percent > 0 {
		n = int(math.Floor(float64(total) * s.Percent / 100))
	}
	if n <= 0 {
		n = max(total, 1)
		if s.Percent > 0 {
			n = 1
		}
	}
	return n
}

// budgeter applies a disruption budget: hosts are grouped by the budget's
// `per` (a host variable, or failing that the host's first group whose name
// starts with it), and no group may have more than its allowance
// unavailable at once, counting hosts already down.
type budgeter struct {
	b      *playbooks.Budget
	group  map[string]string // host -> budget group
	allow  map[string]int    // group -> max unavailable
	groups []string
}

func newBudgeter(b *playbooks.Budget, hosts []*Host) *budgeter {
	if b == nil {
		return nil
	}
	bg := &budgeter{b: b, group: map[string]string{}, allow: map[string]int{}}
	size := map[string]int{}
	for _, h := range hosts {
		g := BudgetGroup(b.Per, h)
		bg.group[h.Name] = g
		size[g]++
	}
	for g, n := range size {
		a := b.MaxUnavailable
		if b.Percent > 0 {
			a = max(int(math.Floor(float64(n)*b.Percent/100)), 1)
		}
		bg.allow[g] = a
		bg.groups = append(bg.groups, g)
	}
	sort.Strings(bg.groups)
	return bg
}

// BudgetGroup is the budget group of a host for `per`.
func BudgetGroup(per string, h *Host) string {
	if v := varString(h.Vars, per); v != "" {
		return v
	}
	for _, g := range h.Groups {
		if strings.HasPrefix(g, per) {
			return g
		}
	}
	return "(none)"
}

// nextBatch picks the next batch from the remaining hosts, in order: at
// most size hosts, and under a budget only as many of each group as its
// allowance minus the group's hosts already down. Down hosts are taken
// freely (they are unavailable anyway). An empty batch with hosts left
// means the budget cannot be met.
func nextBatch(remaining []*Host, size int, bg *budgeter, down map[string]bool) (batch, rest []*Host) {
	var used map[string]int
	if bg != nil {
		used = map[string]int{}
		for h, d := range down {
			if d {
				if g, ok := bg.group[h]; ok {
					used[g]++
				}
			}
		}
	}
	for _, h := range remaining {
		if len(batch) >= size {
			rest = append(rest, h)
			continue
		}
		if bg != nil && !down[h.Name] {
			g := bg.group[h.Name]
			if used[g]+1 > bg.allow[g] {
				rest = append(rest, h)
				continue
			}
			used[g]++
		}
		batch = append(batch, h)
	}
	return batch, rest
}

// Plan is the batch order of a play, computed without contacting a host.
type Plan struct {
	Batches [][]*Host
	Groups  []string // each batch's batch_groups group ("" for none)
	Budget  *budgeter
}

// PlanBatches splits a play's ordered hosts into batches: the
// batch_groups tiers (see roll), serial, then the disruption budget. down
// names hosts known to be unavailable already.
func PlanBatches(hosts []*Host, serial []playbooks.Serial, adaptive *playbooks.AdaptiveSerial, groups []string, b *playbooks.Budget, down map[string]bool) (*Plan, error) {
	return newRoll(hosts, hosts, groups, serial, adaptive, newBudgeter(b, hosts)).plan(down)
}

// plan is the batches r has left, r unchanged; under adaptive_serial, if
// every batch succeeds.
func (r *roll) plan(down map[string]bool) (*Plan, error) {
	c := r.clone()
	p := &Plan{Budget: r.bg}
	for !c.done() {
		batch, g, _ := c.next(down)
		c.record(0)
		if len(batch) == 0 {
			return p, fmt.Errorf("disruption budget cannot be met: %d hosts cannot be scheduled (their groups' hosts already down use the whole budget)", len(c.left()))
		}
		p.Batches = append(p.Batches, batch)
		p.Groups = append(p.Groups, g)
	}
	return p, nil
}

// String prints the plan: one line a batch with its hosts, and the budget
// group of each host when there is a budget.
func (p *Plan) String() string {
	var b strings.Builder
	for i, batch := range p.Batches {
		names := make([]string, len(batch))
		for j, h := range batch {
			names[j] = h.Name
			if p.Budget != nil {
				names[j] += "(" + p.Budget.group[h.Name] + ")"
			}
		}
		group := ""
		if g := p.Groups[i]; g != "" {
			group = g + ", "
		}
		fmt.Fprintf(&b, "batch %d/%d (%s%s): %s\n", i+1, len(p.Batches), group, plural(len(batch), "host"), strings.Join(names, " "))
	}
	return b.String()
}
