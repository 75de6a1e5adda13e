package playbooks

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// taskList reads a list of tasks (includes and roles inlined).
func (l *loader) taskList(file string, v *yaml.Node, what string, handler bool) []*Task {
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		l.c.add(pos(file, v), "%s must be a list of tasks, got %s", what, kindName(v))
		return nil
	}
	var out []*Task
	for _, n := range v.Content {
		out = append(out, l.task(file, n, handler)...)
	}
	return out
}

// shortActionName strips ansible.builtin. and ansible.legacy. from the
// include and import keywords, which Ansible also accepts fully
// qualified (ansible-lint's fqcn rule asks for it).
func shortActionName(key string) string {
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		if s, ok := strings.CutPrefix(key, prefix); ok {
			switch s {
			case "include_tasks", "import_tasks", "include_role", "import_role", "import_playbook":
				return s
			}
		}
	}
	return key
}

// actionKeys are task keys that say what the task does.
var actionKeys = []string{"include_tasks", "import_tasks", "include_role", "import_role", "local_action", "action"}

// task reads one task; an include expands to the included tasks.
func (l *loader) task(file string, n *yaml.Node, handler bool) []*Task {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		l.c.add(pos(file, n), "a task must be a mapping, got %s", kindName(n))
		return nil
	}
	if findKey(n, "block") != nil {
		if t := l.block(file, n, handler); t != nil {
			return []*Task{t}
		}
		return nil
	}
	t := &Task{Pos: pos(file, n)}
	tm := l.meta.task(t)
	tm.handler = handler
	var (
		action   []pair // module (or include/role/action) keys
		argsNode *yaml.Node
	)
	for _, kv := range pairs(n) {
		key, v := kv.k.Value, kv.v
		if short := shortActionName(key); slices.Contains(actionKeys, short) {
			if short != key { // ansible.builtin.include_tasks: read as include_tasks
				k := *kv.k
				k.Value = short
				kv.k = &k
			}
			action = append(action, kv)
			continue
		}
		if !slices.Contains(taskKeys, key) {
			if _, refused := refusedKeys[key]; refused && !l.isModule(key) {
				l.unknownKey(file, kv.k, "task", taskKeys, refusedKeys)
				continue
			}
			action = append(action, kv)
			continue
		}
		tm.keys[key] = pos(file, v)
		if key == "args" {
			argsNode = v
			continue
		}
		l.taskKeyword(file, t, kv, handler)
	}
	if !handler && len(t.Listen) > 0 {
		l.c.add(tm.keys["listen"], "listen is only allowed on handlers")
	}
	return l.taskAction(file, n, t, action, argsNode)
}

// environment reads the environment keyword: a mapping, or a template
// rendering to one (kept under EnvironmentTemplate).
func (l *loader) environment(file string, v *yaml.Node) map[string]any {
	if e, ok := templatedScalar(v); ok {
		return map[string]any{EnvironmentTemplate: e}
	}
	return l.varsMap(file, v, "environment")
}

// templatedScalar returns a scalar that is a template, for keywords
// rendered per host when the task runs.
func templatedScalar(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && isTemplated(n.Value) {
		return n.Value, true
	}
	return "", false
}

// isModule reports whether name is a registered module.
func (l *loader) isModule(name string) bool {
	_, m := lookupModule(name)
	return m != nil
}

// taskKeyword reads one of the keywords shared by tasks and blocks.
func (l *loader) taskKeyword(file string, t *Task, kv pair, handler bool) {
	key, v := kv.k.Value, kv.v
	switch key {
	case "name":
		t.Name, _ = l.str(file, v, key)
	case "when":
		t.When, _ = l.strList(file, v, key)
	case "register":
		if s, ok := l.str(file, v, key); ok {
			if !isIdent(s) {
				l.c.add(pos(file, v), "register name '%s' is not a valid variable name", s)
			}
			t.Register = s
		}
	case "loop", "with_items", "with_list", "with_dict", "with_indexed_items", "with_together", "with_nested",
		"with_subelements", "with_sequence", "with_fileglob", "with_first_found", "with_lines", "with_file",
		"with_pipe", "with_env":
		if t.Loop != nil {
			l.c.add(pos(file, kv.k), "a task may have only one of loop and the with_* keywords")
		}
		t.Loop = l.value(file, v)
		if t.Loop == nil {
			t.Loop = []any{}
		}
		t.LoopWith = strings.TrimPrefix(key, "with_")
		if key == "loop" {
			t.LoopWith = ""
		}
	case "loop_control":
		l.loopControl(file, t, v)
	case "until":
		if s, ok := l.strList(file, v, key); ok && len(s) > 0 {
			t.Until = strings.Join(s, " and ")
			if len(s) > 1 {
				t.Until = "(" + strings.Join(s, ") and (") + ")"
			}
		}
	case "retries":
		if e, ok := templatedScalar(v); ok {
			t.RetriesExpr = e
		} else {
			t.Retries, _ = l.integer(file, v, key)
		}
	case "delay":
		t.DelaySet = true
		if e, ok := templatedScalar(v); ok {
			t.DelayExpr = e
		} else {
			t.Delay, _ = l.duration(file, v, key)
		}
	case "failed_when":
		t.FailedWhen, _ = l.strList(file, v, key)
	case "changed_when":
		t.ChangedWhen, _ = l.strList(file, v, key)
	case "ignore_errors":
		t.IgnoreErrors, _ = l.boolean(file, v, key)
	case "ignore_unreachable":
		t.IgnoreUnreachable, _ = l.boolean(file, v, key)
	case "notify":
		t.Notify, _ = l.strList(file, v, key)
	case "listen":
		t.Listen, _ = l.strList(file, v, key)
	case "become":
		t.Become, t.BecomeExpr = l.boolOrTemplate(file, v, key)
	case "become_user":
		t.BecomeUser, _ = l.str(file, v, key)
	case "become_method":
		t.BecomeMethod = l.becomeMethod(file, v)
	case "tags":
		t.Tags, _ = l.strList(file, v, key)
	case "no_log":
		if e, ok := templatedScalar(v); ok {
			t.NoLogExpr = e
		} else {
			t.NoLog, _ = l.boolean(file, v, key)
		}
	case "delegate_to":
		if s, ok := l.str(file, v, key); ok {
			t.DelegateTo = l.delegate(file, v, s)
		}
	case "run_once":
		t.RunOnce, _ = l.boolean(file, v, key)
	case "delegate_facts":
		t.DelegateFacts, _ = l.boolean(file, v, key)
	case "environment":
		t.Environment = l.environment(file, v)
	case "timeout":
		t.Timeout, _ = l.duration(file, v, key)
	case "vars":
		t.Vars = l.varsMap(file, v, key)
	case "check_mode":
		t.CheckMode = l.boolPtr(file, v, key)
	case "throttle":
		t.Throttle, _ = l.integer(file, v, key)
	case "module_defaults":
		t.ModuleDefaults = l.moduleDefaults(file, v)
	case "any_errors_fatal":
		t.AnyErrorsFatal, _ = l.boolean(file, v, key)
	case "async":
		t.Async, _ = l.duration(file, v, key)
	case "poll":
		if p, ok := l.integer(file, v, key); ok {
			t.Poll = &p
		}
	}
}

// delegate reads delegate_to: the controller's names become "localhost";
// anything else (an inventory host, or a template naming one) is kept as
// written and checked by Validate against the inventory.
func (l *loader) delegate(file string, v *yaml.Node, s string) string {
	if IsLocalName(s) {
		return "localhost"
	}
	if strings.TrimSpace(s) == "" {
		l.c.add(pos(file, v), "delegate_to is empty")
		return ""
	}
	return s
}

// IsLocalName reports whether a delegate_to value names the controller.
func IsLocalName(s string) bool {
	switch s {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

func (l *loader) loopControl(file string, t *Task, v *yaml.Node) {
	if !l.mapping(file, v, "loop_control") {
		return
	}
	for _, kv := range pairs(v) {
		switch kv.k.Value {
		case "loop_var":
			if s, ok := l.str(file, kv.v, "loop_var"); ok {
				if !isIdent(s) {
					l.c.add(pos(file, kv.v), "loop_var '%s' is not a valid variable name", s)
				}
				t.LoopVar = s
			}
		case "label":
			t.LoopLabel, _ = l.str(file, kv.v, "label")
		case "index_var":
			if s, ok := l.str(file, kv.v, "index_var"); ok {
				t.LoopIndexVar = s
			}
		case "pause":
			t.LoopPause, _ = l.duration(file, kv.v, "pause")
		case "extended":
			// ansible_loop is always set by drover
		case "extended_allitems", "break_when":
			l.c.add(pos(file, kv.k), "loop_control '%s' is not supported: drover supports loop_var, index_var, label, pause and extended", kv.k.Value)
		default:
			l.c.add(pos(file, kv.k), "unknown loop_control key '%s'%s (drover supports loop_var, index_var, label, pause and extended)", kv.k.Value, didYouMean(kv.k.Value, []string{"loop_var", "index_var", "label", "pause", "extended"}))
		}
	}
}

// block reads a block/rescue/always task.
func (l *loader) block(file string, n *yaml.Node, handler bool) *Task {
	t := &Task{Pos: pos(file, n)}
	tm := l.meta.task(t)
	tm.handler = handler
	for _, kv := range pairs(n) {
		key, v := kv.k.Value, kv.v
		tm.keys[key] = pos(file, v)
		switch key {
		case "block":
			t.Block = l.taskList(file, v, key, handler)
			if t.Block == nil {
				t.Block = []*Task{}
			}
		case "rescue":
			t.Rescue = l.taskList(file, v, key, handler)
		case "always":
			t.Always = l.taskList(file, v, key, handler)
		default:
			if slices.Contains(blockKeys, key) {
				l.taskKeyword(file, t, kv, handler)
				continue
			}
			if why, ok := refusedKeys[key]; ok {
				l.c.add(pos(file, kv.k), "'%s' is not supported on a block: %s", key, why)
				continue
			}
			if slices.Contains(taskKeys, key) || l.isModule(key) {
				l.c.add(pos(file, kv.k), "'%s' is not allowed on a block: put it on the tasks inside the block", key)
				continue
			}
			l.c.add(pos(file, kv.k), "unknown block key '%s'%s", key, didYouMean(key, blockKeys))
		}
	}
	return t
}
