package playbooks

import (
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Role argument validation, as ansible-core 2.14 does it
// (playbook/role/__init__.py): a role whose meta/argument_specs.yml (or,
// without that file, the argument_specs of meta/main.yml) has an entry
// point named as the tasks file being loaded (main, or tasks_from) starts
// with a task "Validating arguments against arg spec 'ENTRY' -
// SHORT_DESCRIPTION" (tags: always) running validate_argument_spec with
// the entry point's options and the role's parameters. include_role and
// import_role's rolespec_validate: false leave it out.

// argSpecEntryKeys are the keys of an entry point drover knows.
var argSpecEntryKeys = []string{"short_description", "description", "author", "options", "version_added", "seealso", "notes", "requirements", "examples", "attributes"}

// argSpecEntryIgnored are option-group checks Ansible does not apply at
// an entry point (it passes only the entry point's options).
var argSpecEntryIgnored = []string{"mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by"}

// argSpecOptionKeys are the keys of an option.
var argSpecOptionKeys = []string{"type", "required", "default", "choices", "elements", "options", "aliases", "no_log", "description",
	"version_added", "mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by", "apply_defaults",
	"deprecated_aliases", "removed_in_version", "removed_at_date", "removed_from_collection"}

// argSpecTypes are the type (and elements) names Ansible's validator knows.
var argSpecTypes = []string{"str", "list", "dict", "bool", "int", "float", "path", "raw", "jsonarg", "json", "bytes", "bits"}

// roleArgSpecs reads a role's argument specs: the file they come from and
// the argument_specs mapping (nil when the role has none).
func (l *loader) roleArgSpecs(dir string) (string, *yaml.Node) {
	if f := roleFile(dir, "meta", "argument_specs"); f != "" {
		root := l.argSpecRoot(f, false)
		if root == nil {
			return f, nil
		}
		for _, kv := range pairs(root) {
			if kv.k.Value != "argument_specs" {
				l.c.add(pos(f, kv.k), "unknown key '%s' in a role's meta/argument_specs.yml: it has argument_specs only", kv.k.Value)
			}
		}
		return f, l.argSpecMap(f, findKey(root, "argument_specs"))
	}
	mf := roleFile(dir, "meta", "main")
	if mf == "" {
		return "", nil
	}
	root := l.argSpecRoot(mf, true)
	if root == nil {
		return mf, nil
	}
	return mf, l.argSpecMap(mf, findKey(root, "argument_specs"))
}

// argSpecRoot reads the file's top mapping; quiet leaves a file that is
// not a mapping to the reader of meta/main.yml (roleDependencies).
func (l *loader) argSpecRoot(f string, quiet bool) *yaml.Node {
	data, ok := l.readFile(Pos{File: f, Line: 1, Col: 1}, f, "role argument specs")
	if !ok {
		return nil
	}
	root, ok := l.parse(f, data)
	if !ok || root == nil {
		return nil
	}
	root = resolve(root)
	if root.Kind != yaml.MappingNode {
		if quiet {
			return nil
		}
		l.c.add(pos(f, root), "%s must be a mapping, got %s", filepath.Base(f), kindName(root))
		return nil
	}
	return root
}

// argSpecMap checks the argument_specs mapping (entry points).
func (l *loader) argSpecMap(f string, v *yaml.Node) *yaml.Node {
	if v == nil {
		return nil
	}
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		l.c.add(pos(f, v), "argument_specs must be a mapping of entry points, got %s", kindName(v))
		return nil
	}
	ok := true
	for _, e := range pairs(v) {
		ok = l.argSpecEntry(f, e) && ok
	}
	if !ok {
		return nil
	}
	return v
}

func (l *loader) argSpecEntry(f string, e pair) bool {
	v := resolve(e.v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return true
	}
	if v.Kind != yaml.MappingNode {
		l.c.add(pos(f, v), "argument_specs entry point '%s' must be a mapping, got %s", e.k.Value, kindName(v))
		return false
	}
	ok := true
	for _, kv := range pairs(v) {
		key := kv.k.Value
		switch {
		case key == "options":
			ok = l.argSpecOptions(f, kv.v) && ok
		case contains(argSpecEntryIgnored, key):
			l.c.add(pos(f, kv.k), "'%s' at entry point '%s' is not applied by Ansible (it validates the options only): put it on a dict option", key, e.k.Value)
			ok = false
		case !contains(argSpecEntryKeys, key):
			l.c.add(pos(f, kv.k), "unknown key '%s' in argument_specs entry point '%s'%s", key, e.k.Value, didYouMean(key, argSpecEntryKeys))
			ok = false
		}
	}
	return ok
}

// argSpecOptions checks an options mapping (option name: its spec).
func (l *loader) argSpecOptions(f string, v *yaml.Node) bool {
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return true
	}
	if v.Kind != yaml.MappingNode {
		l.c.add(pos(f, v), "options must be a mapping of option names to their specs, got %s", kindName(v))
		return false
	}
	ok := true
	for _, o := range pairs(v) {
		ok = l.argSpecOption(f, o) && ok
	}
	return ok
}

func (l *loader) argSpecOption(f string, o pair) bool {
	name := o.k.Value
	v := resolve(o.v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return true
	}
	if v.Kind != yaml.MappingNode {
		l.c.add(pos(f, v), "the spec of option '%s' must be a mapping, got %s", name, kindName(v))
		return false
	}
	ok := true
	bad := func(n *yaml.Node, format string, a ...any) {
		l.c.add(pos(f, n), format, a...)
		ok = false
	}
	typ := "str"
	var required, def *yaml.Node
	for _, kv := range pairs(v) {
		key, val := kv.k.Value, resolve(kv.v)
		switch key {
		case "type", "elements":
			if val.Kind != yaml.ScalarNode || !contains(argSpecTypes, val.Value) {
				bad(val, "option '%s': %s must be one of %s, got %s", name, key, strings.Join(argSpecTypes, ", "), nodeText(val))
			} else if key == "type" {
				typ = val.Value
			}
		case "required", "no_log", "apply_defaults":
			if _, isBool := boolNode(val); !isBool {
				bad(val, "option '%s': %s must be a boolean, got %s", name, key, nodeText(val))
			} else if key == "required" {
				required = val
			}
		case "default":
			def = val
		case "choices", "aliases", "mutually_exclusive", "required_together", "required_one_of", "required_if":
			if val.Kind != yaml.SequenceNode {
				bad(val, "option '%s': %s must be a list, got %s", name, key, kindName(val))
			}
		case "required_by":
			if val.Kind != yaml.MappingNode {
				bad(val, "option '%s': required_by must be a mapping, got %s", name, kindName(val))
			}
		case "options":
			ok = l.argSpecOptions(f, kv.v) && ok
		default:
			if key == "suboptions" {
				bad(kv.k, "unknown key 'suboptions' in the spec of option '%s': role argument specs nest options under options:", name)
			} else if !contains(argSpecOptionKeys, key) {
				bad(kv.k, "unknown key '%s' in the spec of option '%s'%s", key, name, didYouMean(key, argSpecOptionKeys))
			}
		}
	}
	if el := findKey(v, "elements"); el != nil && typ != "list" {
		bad(el, "option '%s': elements is for options of type list, not %s", name, typ)
	}
	if required != nil && def != nil && !(def.Kind == yaml.ScalarNode && def.Tag == "!!null") {
		if b, _ := boolNode(required); b {
			bad(def, "option '%s' is required and has a default: Ansible fails on that (required and default are mutually exclusive)", name)
		}
	}
	return ok
}

func boolNode(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	return parseBool(n.Value)
}

func nodeText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("'%s'", n.Value)
	}
	return kindName(n)
}

// argSpecOrder records the order options are written in (Ansible
// validates them in that order, so its errors come in that order): the
// option names of each options mapping, keyed by their path of option
// names joined by NUL ("" for the entry point's).
func argSpecOrder(v *yaml.Node, path string, out map[string]any) {
	v = resolve(v)
	if v == nil || v.Kind != yaml.MappingNode {
		return
	}
	var names []any
	for _, o := range pairs(v) {
		names = append(names, o.k.Value)
		if sub := findKey(resolve(o.v), "options"); sub != nil && resolve(o.v).Kind == yaml.MappingNode {
			p := o.k.Value
			if path != "" {
				p = path + "\x00" + p
			}
			argSpecOrder(sub, p, out)
		}
	}
	out[path] = names
}

// roleArgSpecTask returns the validation task a role starts with for the
// entry point being loaded, or nil.
func (l *loader) roleArgSpecTask(dir, name, entry string, params map[string]any) *Task {
	f, specs := l.roleArgSpecs(dir)
	if specs == nil {
		return nil
	}
	var ep *yaml.Node
	for _, e := range pairs(specs) {
		if e.k.Value == entry {
			ep = resolve(e.v)
		}
	}
	// Ansible: an empty entry point ({} or null) adds no task.
	if ep == nil || ep.Kind != yaml.MappingNode || len(ep.Content) == 0 {
		return nil
	}
	taskName := fmt.Sprintf("Validating arguments against arg spec '%s'", entry)
	if sd := findKey(ep, "short_description"); sd != nil {
		taskName += " - " + fmt.Sprint(pyText(l.value(f, sd)))
	}
	options := map[string]any{}
	order := map[string]any{}
	if on := findKey(ep, "options"); on != nil {
		if m, ok := l.value(f, on).(map[string]any); ok {
			options = m
		}
		argSpecOrder(on, "", order)
	}
	provided := map[string]any{}
	for k, v := range params {
		provided[k] = v
	}
	t := &Task{
		Pos:    pos(f, ep),
		Name:   taskName,
		Module: "validate_argument_spec",
		Args: map[string]any{
			"argument_spec":      options,
			"provided_arguments": provided,
			"validate_args_context": map[string]any{
				"type": "role", "name": name, "argument_spec_name": entry, "path": absPath(dir),
			},
			"_argument_spec_order": order,
		},
		Tags: []string{"always"},
	}
	tm := l.meta.task(t)
	tm.modPos = t.Pos
	for k := range t.Args {
		tm.args[k] = t.Pos
	}
	return t
}

// pyText is how Python's %s shows a YAML scalar (null as None).
func pyText(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}
