package playbooks

import (
	"fmt"
	"strings"
	"sync"

	"github.com/drover-sh/drover/modules"
	"gopkg.in/yaml.v3"
)

// taskAction works out what a task does from its action keys: a module, an
// include or a role.
func (l *loader) taskAction(file string, n *yaml.Node, t *Task, action []pair, argsNode *yaml.Node) []*Task {
	tm := l.meta.task(t)
	var valid []pair
	var unknown []pair
	for _, kv := range action {
		if l.isModule(kv.k.Value) || isActionKeyword(kv.k.Value) {
			valid = append(valid, kv)
		} else {
			unknown = append(unknown, kv)
		}
	}
	for _, kv := range unknown {
		l.unknownTaskKey(file, kv.k, len(valid) > 0)
	}
	if len(valid) > 1 {
		names := make([]string, len(valid))
		for i, kv := range valid {
			names[i] = "'" + kv.k.Value + "'"
		}
		l.c.add(pos(file, valid[1].k), "a task has exactly one module, this one has %s", strings.Join(names, " and "))
	}
	if len(valid) == 0 {
		if len(unknown) == 0 {
			l.c.add(t.Pos, "task has no module: give it one, such as command, shell or reboot")
		}
		tm.broken = true
		return []*Task{t}
	}
	kv := valid[0]
	switch kv.k.Value {
	case "include_tasks", "import_tasks":
		return l.includeTasks(file, t, kv)
	case "include_role", "import_role":
		return l.includeRole(file, t, kv)
	case "local_action", "action":
		if kv.k.Value == "local_action" {
			t.DelegateTo = "localhost"
		}
		l.actionValue(file, t, kv)
	default:
		l.moduleArgs(file, t, kv.k, kv.k.Value, kv.v)
	}
	if argsNode != nil && !tm.broken {
		if l.mapping(file, argsNode, "args") {
			for _, a := range pairs(argsNode) {
				if _, dup := t.Args[a.k.Value]; !dup {
					t.Args[a.k.Value] = l.value(file, a.v)
					tm.args[a.k.Value] = pos(file, a.k)
				}
			}
		}
	}
	return []*Task{t}
}

func isActionKeyword(k string) bool {
	for _, a := range actionKeys {
		if a == k {
			return true
		}
	}
	return false
}

// unknownTaskKey reports a task key that is neither a keyword nor a module,
// as a misspelt keyword or a misspelt module, whichever is closer.
func (l *loader) unknownTaskKey(file string, k *yaml.Node, haveModule bool) {
	name := k.Value
	at := pos(file, k)
	kw := suggest(name, taskKeys)
	mods := shortModuleNames()
	mod := suggest(stripPrefix(name), mods)
	qualified := strings.Contains(name, ".")
	switch {
	case kw != "" && (mod == "" || levenshtein(name, kw) <= levenshtein(stripPrefix(name), mod)) && !qualified:
		l.c.add(at, "unknown task key '%s', did you mean '%s'?", name, kw)
	case mod != "":
		l.c.add(at, "unknown module '%s', did you mean '%s'?", name, mod)
	case haveModule && !qualified:
		l.c.add(at, "unknown task key '%s'", name)
	default:
		l.c.add(at, "unknown module '%s' (drover's modules: %s)", name, strings.Join(mods, ", "))
	}
}

// actionValue reads `local_action:` / `action:`: "module args" or a mapping
// with a module key.
func (l *loader) actionValue(file string, t *Task, kv pair) {
	v := resolve(kv.v)
	switch v.Kind {
	case yaml.ScalarNode:
		name, rest, _ := strings.Cut(strings.TrimSpace(v.Value), " ")
		if name == "" {
			l.c.add(pos(file, v), "%s needs a module name", kv.k.Value)
			l.meta.task(t).broken = true
			return
		}
		if !l.isModule(name) {
			l.unknownTaskKey(file, v, false)
			l.meta.task(t).broken = true
			return
		}
		restNode := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.TrimSpace(rest), Line: v.Line, Column: v.Column}
		if strings.TrimSpace(rest) == "" {
			restNode = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: v.Line, Column: v.Column}
		}
		l.moduleArgs(file, t, v, name, restNode)
	case yaml.MappingNode:
		modNode := findKey(v, "module")
		if modNode == nil {
			l.c.add(pos(file, v), "%s needs a module: key", kv.k.Value)
			l.meta.task(t).broken = true
			return
		}
		spec, _ := l.str(file, modNode, "module")
		// `module: wait_for host=h port=22`: the name, then key=value
		// arguments, as Ansible splits them.
		name, inline, _ := strings.Cut(strings.TrimSpace(spec), " ")
		if !l.isModule(name) {
			l.unknownTaskKey(file, &yaml.Node{Kind: yaml.ScalarNode, Value: name, Line: modNode.Line, Column: modNode.Column}, false)
			l.meta.task(t).broken = true
			return
		}
		rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column}
		for _, p := range pairs(v) {
			if p.k.Value != "module" {
				rest.Content = append(rest.Content, p.k, p.v)
			}
		}
		if inline = strings.TrimSpace(inline); inline == "" {
			l.moduleArgs(file, t, modNode, name, rest)
			break
		}
		l.moduleArgs(file, t, modNode, name, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: inline, Line: modNode.Line, Column: modNode.Column})
		tm := l.meta.task(t)
		for _, p := range pairs(rest) { // the mapping's own keys win
			t.Args[p.k.Value] = l.value(file, p.v)
			tm.args[p.k.Value] = pos(file, p.k)
		}
	default:
		l.c.add(pos(file, v), "%s must be a string or a mapping, got %s", kv.k.Value, kindName(v))
		l.meta.task(t).broken = true
	}
}

// moduleArgs sets the task's module and reads its arguments.
func (l *loader) moduleArgs(file string, t *Task, k *yaml.Node, name string, v *yaml.Node) {
	tm := l.meta.task(t)
	canon, m := lookupModule(name)
	t.Module = canon
	tm.modPos = pos(file, k)
	t.Args = map[string]any{}
	v = resolve(v)
	schema := cachedSchema(m)
	switch v.Kind {
	case yaml.MappingNode:
		for _, a := range pairs(v) {
			t.Args[a.k.Value] = l.value(file, a.v)
			tm.args[a.k.Value] = pos(file, a.k)
		}
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return
		}
		tm.freeForm = true
		at := pos(file, v)
		known := func(k string) bool {
			if k == "_raw_params" {
				return false
			}
			if _, ok := schema.Args[k]; ok {
				return true
			}
			for _, a := range schema.Args {
				for _, al := range a.Aliases {
					if al == k {
						return true
					}
				}
			}
			return false
		}
		args, raw, bad := parseFreeForm(v.Value, schema.FreeForm, known)
		for k, val := range args {
			t.Args[k] = val
			tm.args[k] = at
		}
		if raw != "" {
			t.Args["_raw_params"] = raw
			tm.args["_raw_params"] = at
		}
		if len(bad) > 0 {
			l.c.add(at, "module '%s' takes no free-form argument: %s %s not of the form key=value", canon, quoteList(bad), isAre(len(bad)))
		}
	default:
		l.c.add(pos(file, v), "arguments of module '%s' must be a mapping or a key=value string, got %s", canon, kindName(v))
	}
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("'%s'", x)
	}
	return strings.Join(q, ", ")
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// schemaOf returns the schema of a canonical module name.
func schemaOf(name string) (modules.Schema, bool) {
	_, m := lookupModule(name)
	if m == nil {
		return modules.Schema{}, false
	}
	return cachedSchema(m), true
}

// schemaCache holds each module's schema: schemas are static, and some
// modules build theirs on every call.
var schemaCache sync.Map // modules.Module name -> modules.Schema

func cachedSchema(m modules.Module) modules.Schema {
	if s, ok := schemaCache.Load(m.Name()); ok {
		return s.(modules.Schema)
	}
	s := m.Schema()
	schemaCache.Store(m.Name(), s)
	return s
}
