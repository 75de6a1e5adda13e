package runner

import (
	"maps"
	"slices"
	"sync"

	"github.com/drover-sh/drover/playbooks/template"
)

// HostFacts holds, per host, what set_fact, register and fact gathering
// gave it during a run: the one record of them (a host's walk reads its
// variables from it). It outlives plays: a later play sees what an
// earlier one set, and hostvars shows it to every host. Values are never
// modified once set (a new value replaces the old). Safe for concurrent
// use.
type HostFacts struct {
	mu sync.RWMutex
	m  map[string]map[string]any
}

// NewHostFacts returns an empty store.
func NewHostFacts() *HostFacts { return &HostFacts{m: map[string]map[string]any{}} }

func (f *HostFacts) set(host, k string, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hm := f.m[host]
	if hm == nil {
		hm = map[string]any{}
		f.m[host] = hm
	}
	hm[k] = v
}

func (f *HostFacts) get(host, k string) (any, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	v, ok := f.m[host][k]
	return v, ok
}

func (f *HostFacts) has(host, k string) bool {
	_, ok := f.get(host, k)
	return ok
}

// of returns a copy of host's facts.
func (f *HostFacts) of(host string) map[string]any {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return maps.Clone(f.m[host])
}

func (f *HostFacts) keys(host string) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return slices.Collect(maps.Keys(f.m[host]))
}

func (f *HostFacts) clear(host string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, host)
}

// buildHostvars is the play's `hostvars`: for every inventory host, its
// variables merged with its facts at the moment a template reads them (a
// lookup per key, nothing copied per task: see template.Lazy).
func buildHostvars(inv map[string]map[string]any, facts *HostFacts) map[string]any {
	hv := make(map[string]any, len(inv))
	for name, vars := range inv {
		hv[name] = template.NewLazy(func(k string) (any, bool) {
			if v, ok := facts.get(name, k); ok {
				return v, true
			}
			v, ok := vars[k]
			return v, ok
		}, func() []string {
			ks := facts.keys(name)
			seen := make(map[string]bool, len(ks)+len(vars))
			for _, k := range ks {
				seen[k] = true
			}
			for k := range vars {
				if !seen[k] {
					ks = append(ks, k)
				}
			}
			return ks
		})
	}
	return hv
}
