package awsec2

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Names are the names a configuration file's `plugin:` may give.
var Names = []string{"aws_ec2", "amazon.aws.aws_ec2"}

// Plugin is the aws_ec2 inventory plugin (an inventory.Plugin).
type Plugin struct {
	T Templater
}

// List queries EC2 as config says and returns the inventory as an
// executable inventory's --list JSON.
func (p *Plugin) List(ctx context.Context, file string, config map[string]any) ([]byte, error) {
	o, err := parseOptions(config)
	if err != nil {
		return nil, fmt.Errorf("aws_ec2: %v", err)
	}
	if err := o.renderCredentials(p.T); err != nil {
		return nil, fmt.Errorf("aws_ec2: %v", err)
	}
	list, err := instances(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("aws_ec2: %w", err)
	}
	inv := &result{hostvars: map[string]map[string]any{}, groups: map[string]*group{}}
	inv.group("aws_ec2")
	for _, in := range list {
		vars := hostVars(in, o.extraAPICalls)
		name, err := hostname(vars, o.hostnames, o.sanitizer())
		if err != nil {
			return nil, fmt.Errorf("aws_ec2: %v", err)
		}
		if name == "" {
			continue // no name by the preferences: the plugin skips it
		}
		if _, dup := inv.hostvars[name]; dup {
			continue // the first instance (by id) keeps the name
		}
		hv := make(map[string]any, len(vars))
		for k, v := range vars {
			hv[o.hostvarsPrefix+k+o.hostvarsSuffix] = v
		}
		inv.hostvars[name] = hv
		inv.AddToGroup("aws_ec2", name)
		if err := o.c.Apply(p.T, inv, name, vars); err != nil {
			return nil, fmt.Errorf("aws_ec2: %v", err)
		}
	}
	out := map[string]any{"_meta": map[string]any{"hostvars": inv.hostvars}}
	children := []string{}
	for _, g := range slices.Sorted(maps.Keys(inv.groups)) {
		gr := inv.groups[g]
		entry := map[string]any{"hosts": gr.hosts}
		if gr.hosts == nil {
			entry["hosts"] = []string{}
		}
		if len(gr.children) > 0 {
			entry["children"] = gr.children
		}
		out[g] = entry
		children = append(children, g)
	}
	out["all"] = map[string]any{"children": children}
	return json.Marshal(out)
}

// renderCredentials renders credential options written as templates
// ("{{ lookup('env', 'KEY') }}"), as the plugin does.
func (o *options) renderCredentials(t Templater) error {
	for _, s := range []*string{&o.profile, &o.accessKey, &o.secretKey, &o.sessionToken, &o.iamRoleARN, &o.endpoint} {
		if !strings.Contains(*s, "{{") {
			continue
		}
		expr := strings.TrimSpace(*s)
		if !strings.HasPrefix(expr, "{{") || !strings.HasSuffix(expr, "}}") || strings.Count(expr, "{{") != 1 {
			return fmt.Errorf("a credential option may be one {{ expression }}, not mixed text")
		}
		v, err := t.Eval(strings.TrimSpace(expr[2:len(expr)-2]), map[string]any{})
		if err != nil {
			return fmt.Errorf("rendering a credential option: %v", err)
		}
		*s = fmt.Sprint(v)
	}
	return nil
}
