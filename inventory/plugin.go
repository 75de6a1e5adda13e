package inventory

import (
	"bytes"
	"context"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Plugin is an inventory plugin: it turns the configuration of a YAML
// source that names it (`plugin: NAME`) into the inventory, as the JSON an
// executable inventory prints for --list: groups (hosts, children, vars)
// and every host's variables under _meta.hostvars. file is the source's
// path, config its content. An error is the source's (reported as
// file: message); it must not hold secrets from config.
type Plugin interface {
	List(ctx context.Context, file string, config map[string]any) ([]byte, error)
}

// pluginConfig reports whether src is a YAML mapping with a `plugin` key,
// and returns the plugin's name, the whole mapping and the key's line.
func pluginConfig(file string, src []byte) (name string, config map[string]any, line int, ok bool) {
	ext := strings.ToLower(file[strings.LastIndex(file, ".")+1:])
	if ext != "yml" && ext != "yaml" && ext != "json" || !bytes.Contains(src, []byte("plugin")) {
		return "", nil, 0, false // not a plugin's (and a large inventory is parsed once)
	}
	root, err := parseYAML(file, src)
	if err != nil || root == nil {
		return "", nil, 0, false
	}
	root = deref(root)
	if root.Kind != yaml.MappingNode {
		return "", nil, 0, false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Value == "plugin" {
			v, err := yamlValue(root)
			if err != nil {
				return "", nil, 0, false
			}
			m, _ := v.(map[string]any)
			name, _ := m["plugin"].(string)
			return name, m, k.Line, true
		}
	}
	return "", nil, 0, false
}

// parsePlugin runs the plugin a configuration file names and reads its
// inventory.
func parsePlugin(ctx context.Context, d *data, opts LoadOptions, file, name string, config map[string]any, line int) error {
	if name == "constructed" || name == "ansible.builtin.constructed" {
		return parseConstructed(d, opts, file, config, line)
	}
	p := opts.Plugins[name]
	if p == nil {
		have := make([]string, 0, len(opts.Plugins))
		for n := range opts.Plugins {
			have = append(have, n)
		}
		sort.Strings(have)
		msg := "drover has constructed"
		if len(have) > 0 {
			msg += ", " + strings.Join(have, ", ")
		}
		return perr(file, line, "inventory plugin '%s' is not supported (%s)", name, msg)
	}
	out, err := p.List(ctx, file, config)
	if err != nil {
		return perr(file, 0, "%v", err)
	}
	return parseListJSON(d, file, out, func(h string) (map[string]any, error) { return nil, nil })
}
