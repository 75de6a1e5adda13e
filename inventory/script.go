package inventory

import (
	"bytes"
	"context"
	"os/exec"
	"strings"

	"gopkg.in/yaml.v3"
)

// runScript runs an executable inventory with args and returns its stdout.
func runScript(ctx context.Context, opts LoadOptions, path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.scriptTimeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	if opts.Env != nil {
		cmd.Env = opts.Env
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "..."
		}
		if ctx.Err() != nil {
			return nil, perr(path, 0, "inventory script %s timed out or was cancelled: %v", strings.Join(args, " "), ctx.Err())
		}
		return nil, perr(path, 0, "inventory script %s failed: %v: %s", strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// parseScript runs an executable inventory with --list and reads Ansible's
// JSON: groups (a host list, or hosts/vars/children, or vars only for a
// host of the group's name) and _meta.hostvars; without _meta, each host's
// variables come from `script --host NAME`.
func parseScript(ctx context.Context, d *data, opts LoadOptions, path string) error {
	out, err := runScript(ctx, opts, path, "--list")
	if err != nil {
		return err
	}
	return parseListJSON(d, path+" --list", out, func(h string) (map[string]any, error) {
		return scriptHostVars(ctx, opts, path, h)
	})
}

// parseListJSON reads the JSON an executable inventory prints for --list
// (file names it in errors); without _meta, hostVars gives each host's
// variables.
func parseListJSON(d *data, file string, out []byte, hostVars func(host string) (map[string]any, error)) error {
	root, err := parseYAML(file, out)
	if err != nil {
		return err
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return perr(file, 0, "inventory script output needs to be a JSON object")
	}
	var hosts []string
	seen := map[string]bool{}
	var meta *yaml.Node
	for _, p := range pairs(root) {
		name, err := scalarString(file, p[0], "group name")
		if err != nil {
			return err
		}
		if name == "_meta" {
			m := deref(p[1])
			if m.Kind == yaml.MappingNode {
				for _, q := range pairs(m) {
					if q[0].Value == "hostvars" {
						meta = deref(q[1])
					}
				}
			}
			continue
		}
		if err := scriptGroup(d, file, name, deref(p[1]), &hosts, seen); err != nil {
			return err
		}
	}
	var metaVars map[string]any
	if meta != nil {
		v, err := yamlValue(meta)
		if err != nil {
			return perr(file, meta.Line, "%v", err)
		}
		if v != nil {
			m, ok := v.(map[string]any)
			if !ok {
				return perr(file, meta.Line, "_meta.hostvars must be an object")
			}
			metaVars = m
		} else {
			metaVars = map[string]any{}
		}
	}
	for _, h := range hosts {
		var vars map[string]any
		if metaVars != nil {
			if x, ok := metaVars[h]; ok && x != nil {
				m, ok := x.(map[string]any)
				if !ok {
					return perr(file, 0, "improperly formatted host information for %s", h)
				}
				vars = m
			}
		} else {
			vars, err = hostVars(h)
			if err != nil {
				return err
			}
		}
		he, err := d.addHost(h, "", 0, pos{file, 0})
		if err != nil {
			return err
		}
		for k, v := range vars {
			if err := d.setHostVar(he, k, v, pos{file, 0}); err != nil {
				return err
			}
		}
	}
	return nil
}

func scriptGroup(d *data, file, name string, n *yaml.Node, hosts *[]string, seen map[string]bool) error {
	g := d.addGroup(name)
	at := pos{file, n.Line}
	var hostsN, varsN, childrenN *yaml.Node
	if n.Kind != yaml.MappingNode {
		hostsN = n
	} else {
		simple := true
		for _, p := range pairs(n) {
			switch p[0].Value {
			case "hosts":
				hostsN, simple = deref(p[1]), false
			case "vars":
				varsN, simple = deref(p[1]), false
			case "children":
				childrenN, simple = deref(p[1]), false
			}
		}
		if simple { // {"var": ...}: a host named like the group, with vars
			hostsN = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: name, Style: yaml.DoubleQuotedStyle}}}
			varsN = n
		}
	}
	if hostsN != nil {
		if hostsN.Kind != yaml.SequenceNode {
			return perr(file, hostsN.Line, "group %s: bad data for the host list (expected a list)", name)
		}
		for _, hn := range hostsN.Content {
			h, err := scalarString(file, hn, "host name")
			if err != nil {
				return err
			}
			if !seen[h] {
				seen[h] = true
				*hosts = append(*hosts, h)
			}
			if _, err := d.addHost(h, name, 0, at); err != nil {
				return err
			}
		}
	}
	if varsN != nil {
		v, err := yamlValue(varsN)
		if err != nil {
			return perr(file, varsN.Line, "%v", err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return perr(file, varsN.Line, "group %s: bad data for variables (expected an object)", name)
		}
		for k, x := range m {
			if err := d.setGroupVar(g, k, x, at); err != nil {
				return err
			}
		}
	}
	if childrenN != nil {
		if childrenN.Kind != yaml.SequenceNode && childrenN.Kind != yaml.MappingNode {
			return perr(file, childrenN.Line, "group %s: bad data for children (expected a list)", name)
		}
		step := 1
		if childrenN.Kind == yaml.MappingNode {
			step = 2
		}
		for i := 0; i < len(childrenN.Content); i += step {
			c, err := scalarString(file, childrenN.Content[i], "child group name")
			if err != nil {
				return err
			}
			d.addGroup(c)
			if err := d.addChild(name, c); err != nil {
				return perr(file, childrenN.Content[i].Line, "%v", err)
			}
		}
	}
	return nil
}

func scriptHostVars(ctx context.Context, opts LoadOptions, path, host string) (map[string]any, error) {
	out, err := runScript(ctx, opts, path, "--host", host)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(out)) == "" {
		return nil, nil
	}
	file := path + " --host " + host
	root, err := parseYAML(file, out)
	if err != nil || root == nil {
		return nil, err
	}
	v, err := yamlValue(root)
	if err != nil {
		return nil, perr(file, root.Line, "%v", err)
	}
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return nil, perr(file, root.Line, "host variables must be a JSON object")
	}
	return m, nil
}
