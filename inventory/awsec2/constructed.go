package awsec2

import (
	"github.com/drover-sh/drover/inventory"
)

// Templater evaluates the constructed options' Jinja2.
type Templater = inventory.Templater

// result is the inventory being built: the groups' hosts and children,
// every host's variables. It is the constructed options' target.
type result struct {
	hostvars map[string]map[string]any
	groups   map[string]*group
}

type group struct {
	hosts    []string
	children []string
}

func (r *result) SetVar(host, k string, v any) { r.hostvars[host][k] = v }

func (r *result) AddToGroup(g, host string) {
	gr := r.group(g)
	for _, h := range gr.hosts {
		if h == host {
			return
		}
	}
	gr.hosts = append(gr.hosts, host)
}

func (r *result) AddChild(parent, child string) {
	p := r.group(parent)
	for _, c := range p.children {
		if c == child {
			return
		}
	}
	p.children = append(p.children, child)
}

func (r *result) group(g string) *group {
	gr := r.groups[g]
	if gr == nil {
		gr = &group{}
		r.groups[g] = gr
	}
	return gr
}
