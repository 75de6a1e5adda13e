package playbooks

import (
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// includeTasks inlines include_tasks / import_tasks: the included file's
// tasks replace the include, wrapped in a block carrying the include's own
// keywords (when, tags, vars, ...) when it has some.
func (l *loader) includeTasks(file string, t *Task, kv pair) []*Task {
	tm := l.meta.task(t)
	what := kv.k.Value
	v := resolve(kv.v)
	nameNode := v
	var apply *yaml.Node
	if v.Kind == yaml.MappingNode {
		nameNode = nil
		for _, p := range pairs(v) {
			switch p.k.Value {
			case "file":
				nameNode = p.v
			case "apply":
				apply = l.applyNode(file, what, p)
			default:
				l.c.add(pos(file, p.k), "'%s' is not supported on %s: drover supports file and apply", p.k.Value, what)
			}
		}
		if nameNode == nil {
			l.c.add(pos(file, v), "%s needs file:", what)
			tm.broken = true
			return []*Task{t}
		}
	}
	name, ok := l.str(file, nameNode, what)
	if !ok {
		tm.broken = true
		return []*Task{t}
	}
	at := pos(file, nameNode)
	if !l.includeKeywordsOK(t, what) {
		tm.broken = true
		return []*Task{t}
	}
	if isTemplated(name) {
		tasks, ok := l.templatedInclude(file, t, at, what, name)
		if !ok {
			tm.broken = true
			return []*Task{t}
		}
		t.Include = what + ": " + name
		return l.wrap(t, l.applied(file, apply, tasks, tm.handler))
	}
	if name == "" {
		l.c.add(at, "%s needs a file name", what)
		tm.broken = true
		return []*Task{t}
	}
	path := l.resolveRel(file, name)
	tasks, ok := l.tasksFile(at, path, what, tm.handler)
	if !ok {
		tm.broken = true
		return []*Task{t}
	}
	t.Include = what + ": " + name
	return l.wrap(t, l.applied(file, apply, tasks, tm.handler))
}

// applyNode checks an include's apply: (a mapping of block keywords,
// include_tasks and include_role only, as in Ansible) and returns it, or
// nil after reporting why not.
func (l *loader) applyNode(file, what string, p pair) *yaml.Node {
	if what != "include_tasks" && what != "include_role" {
		l.c.add(pos(file, p.k), "Invalid options for %s: apply (only include_tasks and include_role take it)", what)
		return nil
	}
	n := resolve(p.v)
	if n.Kind != yaml.MappingNode {
		l.c.add(pos(file, p.v), "apply must be a mapping of task keywords, got %s", kindName(n))
		return nil
	}
	return n
}

// applied puts the included tasks in a block carrying apply's keywords
// (Ansible applies them to every included task, as a parent block does);
// without apply, the tasks as they are.
func (l *loader) applied(file string, apply *yaml.Node, tasks []*Task, handler bool) []*Task {
	if apply == nil {
		return tasks
	}
	b := &Task{Pos: pos(file, apply), Block: tasks}
	if b.Block == nil {
		b.Block = []*Task{}
	}
	bm := l.meta.task(b)
	bm.handler = handler
	for _, kv := range pairs(apply) {
		key := kv.k.Value
		if key == "block" || key == "rescue" || key == "always" || !slices.Contains(blockKeys, key) {
			l.c.add(pos(file, kv.k), "'%s' is not supported in apply: it takes the keywords a block takes%s", key, didYouMean(key, blockKeys))
			continue
		}
		bm.keys[key] = pos(file, kv.v)
		l.taskKeyword(file, b, kv, handler)
	}
	return []*Task{b}
}

// includeKeywordsOK refuses keywords that cannot apply to an inlined include.
// A loop is include_tasks' and include_role's only (Ansible refuses it on
// imports): the included tasks run once per item (see Program, loop
// regions).
func (l *loader) includeKeywordsOK(t *Task, what string) bool {
	tm := l.meta.task(t)
	ok := true
	keys := []string{"register", "until", "retries", "delay", "failed_when", "changed_when", "notify", "async", "poll", "listen"}
	loopKeys := []string{"loop", "loop_control"}
	for _, w := range LoopLookups {
		loopKeys = append(loopKeys, "with_"+w)
	}
	if what != "include_tasks" && what != "include_role" {
		keys = append(keys, loopKeys...)
	} else {
		ok = l.dynamicIncludeKeys(t, what)
	}
	for _, k := range keys {
		if at, has := tm.keys[k]; has {
			why := "drover inlines included tasks before running; put it on the included tasks"
			if slices.Contains(loopKeys, k) {
				why = "Ansible does not loop over an import (use include_tasks or include_role)"
			}
			l.c.add(at, "'%s' is not supported on %s: %s", k, what, why)
			ok = false
		}
	}
	return ok
}

// includeKeywords are the keywords Ansible allows on include_tasks and
// include_role (TaskInclude.VALID_INCLUDE_KEYWORDS); it refuses any other
// ("'become' is not a valid attribute for a TaskInclude"), since they
// would apply to the include alone. drover refuses register on them
// anyway (see includeKeywordsOK).
var includeKeywords = []string{"name", "when", "tags", "vars", "loop", "loop_control", "ignore_errors", "no_log",
	"run_once", "timeout", "debugger", "register", "args"}

// dynamicIncludeKeys refuses, as Ansible does, keywords on include_tasks
// and include_role that would apply to the include alone, pointing at
// apply, which gives them to the included tasks.
func (l *loader) dynamicIncludeKeys(t *Task, what string) bool {
	tm := l.meta.task(t)
	class := map[string]string{"include_tasks": "TaskInclude", "include_role": "IncludeRole"}[what]
	ok := true
	for _, k := range slices.Sorted(maps.Keys(tm.keys)) {
		if slices.Contains(includeKeywords, k) || strings.HasPrefix(k, "with_") {
			continue
		}
		l.c.add(tm.keys[k], "'%s' is not a valid attribute for a %s (Ansible refuses it on %s too: it would apply to the include alone); to give it to the included tasks, write apply: {%s: ...}", k, class, what, k)
		ok = false
	}
	return ok
}

// wrap returns the tasks as they replace t: spliced as they are, or in a
// block that carries t's keywords.
func (l *loader) wrap(t *Task, tasks []*Task) []*Task {
	tm := l.meta.task(t)
	plain := true
	for k := range tm.keys {
		if k != "name" {
			plain = false
		}
	}
	// A dynamic include stays a block even without keywords: the run's
	// --tags and --skip-tags select it, not only its tasks (an untagged
	// include does not run under --tags x, as in Ansible).
	if plain && !t.DynamicInclude() {
		delete(l.meta.tasks, t)
		return tasks
	}
	t.Module, t.Args = "", nil
	t.Block = tasks
	if t.Block == nil {
		t.Block = []*Task{}
	}
	return []*Task{t}
}

// tasksFile reads a file holding a list of tasks.
func (l *loader) tasksFile(at Pos, path, what string, handler bool) ([]*Task, bool) {
	data, ok := l.readFile(at, path, what)
	if !ok || !l.enter(at, path) {
		return nil, false
	}
	defer l.leave()
	root, ok := l.parse(path, data)
	if !ok {
		return nil, false
	}
	if root == nil {
		return nil, true
	}
	return l.taskList(path, root, "the tasks of "+what+" file", handler), true
}
