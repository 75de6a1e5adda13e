package playbooks

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// roleKeywords are the keys of a `roles:` entry or include_role that are
// keywords, not role parameters.
var roleEntryKeys = []string{"role", "name", "vars", "when", "tags", "become", "become_user", "become_method", "environment", "tasks_from", "ignore_errors", "no_log", "delegate_to", "run_once", "check_mode"}

// playRoles reads a play's roles: each becomes a block of the role's tasks.
func (l *loader) playRoles(file string, v *yaml.Node, p *Play) []*Task {
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		l.c.add(pos(file, v), "roles must be a list, got %s", kindName(v))
		return nil
	}
	var out []*Task
	for _, e := range v.Content {
		tasks, _ := l.roleEntry(file, e, false)
		out = append(out, tasks...)
	}
	return out
}

// roleEntry reads one entry of a play's roles or of a role's meta
// dependencies (a name, or a mapping of role, keywords and parameters)
// into the role's block. A dependency already loaded in this play with
// the same parameters is not loaded again, unless its meta allows
// duplicates (Ansible runs a role once per play).
//
// It also returns the role's variables (defaults, vars, parameters, with
// its dependencies'), which a role depending on it sees.
func (l *loader) roleEntry(file string, e *yaml.Node, dependency bool) ([]*Task, map[string]any) {
	e = resolve(e)
	t := &Task{Pos: pos(file, e)}
	tm := l.meta.task(t)
	var name string
	var nameAt Pos
	var vars map[string]any
	tasksFrom := "main"
	params := map[string]any{}
	roleParams := map[string]any{} // the extra keys: Ansible's role params
	switch e.Kind {
	case yaml.ScalarNode:
		name, nameAt = e.Value, pos(file, e)
	case yaml.MappingNode:
		for _, kv := range pairs(e) {
			key := kv.k.Value
			switch key {
			case "role", "name":
				name, _ = l.str(file, kv.v, key)
				nameAt = pos(file, kv.v)
			case "tasks_from":
				tasksFrom, _ = l.str(file, kv.v, key)
			case "vars":
				for k, val := range l.varsMap(file, kv.v, "vars") {
					params[k] = val
				}
			default:
				if contains(roleEntryKeys, key) {
					tm.keys[key] = pos(file, kv.v)
					l.taskKeyword(file, t, kv, false)
					continue
				}
				if why, ok := refusedKeys[key]; ok {
					l.c.add(pos(file, kv.k), "'%s' is not supported on a role: %s", key, why)
					continue
				}
				// Ansible's legacy role parameters: extra keys are variables.
				params[key] = l.value(file, kv.v)
				roleParams[key] = params[key]
			}
		}
	default:
		l.c.add(pos(file, e), "a role must be a name or a mapping, got %s", kindName(e))
		return nil, nil
	}
	if name == "" {
		l.c.add(pos(file, e), "role entry needs role: (the role's name)")
		return nil, nil
	}
	if l.play != nil {
		if dir, _ := l.findRole(file, name); dir != "" {
			key := absPath(dir) + "\x00" + tasksFrom + "\x00" + fmt.Sprint(params)
			pm := l.meta.play(l.play)
			if dependency && pm.rolesLoaded[key] && !roleAllowsDuplicates(dir) {
				return nil, pm.roleVars[key]
			}
			defer func() { pm.roleVars[key] = vars }()
			pm.rolesLoaded[key] = true
		}
	}
	rb, vars, ok := l.loadRole(nameAt, file, name, roleFrom{tasks: tasksFrom, params: roleParams}, params)
	if !ok {
		return nil, nil
	}
	return l.wrap(t, []*Task{rb}), vars
}

// includeRole inlines include_role / import_role.
func (l *loader) includeRole(file string, t *Task, kv pair) []*Task {
	tm := l.meta.task(t)
	what := kv.k.Value
	v := resolve(kv.v)
	var name string
	var nameAt Pos
	rf := roleFrom{tasks: "main"}
	var apply *yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		for _, p := range pairs(v) {
			switch p.k.Value {
			case "name", "role":
				name, _ = l.str(file, p.v, p.k.Value)
				nameAt = pos(file, p.v)
			case "tasks_from":
				rf.tasks, _ = l.str(file, p.v, "tasks_from")
			case "vars_from":
				rf.vars, _ = l.str(file, p.v, "vars_from")
			case "defaults_from":
				rf.defaults, _ = l.str(file, p.v, "defaults_from")
			case "public":
				// Role variables are visible to later tasks in drover anyway.
			case "rolespec_validate":
				b, isBool := boolNode(resolve(p.v))
				if !isBool {
					l.c.add(pos(file, p.v), "rolespec_validate must be true or false, got %s", nodeText(resolve(p.v)))
				}
				rf.noValidate = isBool && !b
			case "apply":
				apply = l.applyNode(file, what, p)
			default:
				l.c.add(pos(file, p.k), "'%s' is not supported on %s: drover supports name, tasks_from, vars_from, defaults_from, apply, public and rolespec_validate", p.k.Value, what)
			}
		}
	case yaml.ScalarNode:
		name, nameAt = v.Value, pos(file, v)
	default:
		l.c.add(pos(file, v), "%s must be a mapping with name:, got %s", what, kindName(v))
	}
	if name == "" || !l.includeKeywordsOK(t, what) {
		if name == "" {
			l.c.add(pos(file, v), "%s needs name: (the role's name)", what)
		}
		tm.broken = true
		return []*Task{t}
	}
	if isTemplated(name) || isTemplated(rf.tasks) || isTemplated(rf.vars) || isTemplated(rf.defaults) {
		l.c.add(nameAt, "%s with a templated role name is not supported: drover inlines roles before running", what)
		tm.broken = true
		return []*Task{t}
	}
	rb, _, ok := l.loadRole(nameAt, file, name, rf, nil)
	if !ok {
		tm.broken = true
		return []*Task{t}
	}
	t.Include = what + ": " + name
	return l.wrap(t, l.applied(file, apply, []*Task{rb}, tm.handler))
}

// findRole looks a role up next to the playbook (roles/NAME), in the
// including file's directory's roles/, and in roles_path.
func (l *loader) findRole(from, name string) (string, []string) {
	var cands []string
	if strings.ContainsRune(name, os.PathSeparator) || strings.HasPrefix(name, ".") {
		cands = append(cands, filepath.Join(l.baseDir, name))
	}
	cands = append(cands, filepath.Join(l.baseDir, "roles", name))
	if d := filepath.Dir(from); d != l.baseDir {
		cands = append(cands, filepath.Join(d, "roles", name))
	}
	for _, rp := range l.cfg.RolesPath {
		cands = append(cands, filepath.Join(rp, name))
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c, cands
		}
	}
	return "", cands
}

// roleFile finds DIR/SUB/NAME.yml or .yaml, or "".
func roleFile(dir, sub, name string) string {
	for _, ext := range []string{".yml", ".yaml", ""} {
		p := filepath.Join(dir, sub, name+ext)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// loadRole reads a role into one block: its tasks, with the role's
// defaults, vars, parameters and role_path as the block's vars; its handlers
// join the play's handlers (once per role).
//
// The role's meta dependencies come first (see roleDependencies); their
// variables are the role's too, below its own. The returned variables are
// the role's (with its dependencies').
func (l *loader) loadRole(at Pos, from, name string, rf roleFrom, params map[string]any) (*Task, map[string]any, bool) {
	tasksFrom := rf.tasks
	if strings.Count(name, ".") >= 2 && !strings.ContainsRune(name, os.PathSeparator) {
		l.c.add(at, "role '%s' looks like a collection role: drover resolves roles from roles/ and roles_path only", name)
		return nil, nil, false
	}
	dir, looked := l.findRole(from, name)
	if dir == "" {
		l.c.add(at, "role '%s' not found (looked in %s)", name, strings.Join(looked, ", "))
		return nil, nil, false
	}
	if !l.enter(at, filepath.Join(dir, "tasks", tasksFrom)) {
		return nil, nil, false
	}
	defer l.leave()
	vars := map[string]any{}
	var playVars map[string]any
	var pm *playMeta
	if l.play != nil {
		playVars = l.play.Vars
		pm = l.meta.play(l.play)
	}
	for _, sub := range []string{"defaults", "vars"} {
		file := map[string]string{"defaults": rf.defaults, "vars": rf.vars}[sub]
		p := roleFile(dir, sub, cmp.Or(file, "main"))
		if p == "" {
			if file != "" {
				l.c.add(at, "role '%s' has no %s file %s/%s.yml (%s_from)", name, sub, sub, file, sub)
				return nil, nil, false
			}
			continue
		}
		m, ok := l.varsFile(at, p, true)
		if !ok {
			continue
		}
		for k, v := range m {
			if pm != nil {
				pm.varNames[k] = true
			}
			// Role defaults have the lowest precedence: a play variable
			// of the same name wins.
			if _, inPlay := playVars[k]; sub == "defaults" && inPlay {
				continue
			}
			vars[k] = v
		}
	}
	for k, v := range params {
		vars[k] = v
	}
	deps, depVars := l.roleDependencies(dir)
	for k, v := range depVars {
		if _, own := vars[k]; !own {
			vars[k] = v
		}
	}
	abs := absPath(dir)
	vars["role_path"] = abs
	rb := &Task{Pos: at, Vars: vars, Block: []*Task{}}
	l.meta.task(rb)
	if tf := roleFile(dir, "tasks", tasksFrom); tf != "" {
		data, ok := l.readFile(at, tf, "role tasks")
		if ok {
			if root, ok := l.parse(tf, data); ok && root != nil {
				rb.Block = l.taskList(tf, root, "the tasks of role "+name, false)
			}
		}
	} else if tasksFrom != "main" {
		l.c.add(at, "role '%s' has no tasks file tasks/%s.yml", name, tasksFrom)
		return nil, nil, false
	}
	// The role's argument specs for this entry point: a validation task
	// first (see argspec.go).
	if !rf.noValidate {
		if vt := l.roleArgSpecTask(dir, name, filepath.Base(tasksFrom), rf.params); vt != nil {
			rb.Block = append([]*Task{vt}, rb.Block...)
		}
	}
	setRole(rb.Block, roleDisplayName(name))
	if l.play != nil {
		l.roleHandlers(name, dir)
	}
	if len(deps) == 0 {
		return rb, vars, true
	}
	// The dependencies run first, each in its own block, then the role.
	outer := &Task{Pos: at, Block: append(deps, rb)}
	l.meta.task(outer)
	return outer, vars, true
}

// roleFrom names the files of a role to load (include_role's tasks_from,
// vars_from, defaults_from): "" is main.
// params are the role's parameters (the extra keys of a roles: entry,
// not its vars:), which its argument specs validate; noValidate is
// include_role's rolespec_validate: false.
type roleFrom struct {
	tasks, vars, defaults string
	params                map[string]any
	noValidate            bool
}

// roleMetaKeys are the keys of a role's meta/main.yml drover reads or
// knows to be documentation.
var roleMetaKeys = []string{"dependencies", "allow_duplicates", "galaxy_info", "collections", "argument_specs"}

// roleDependencies loads the roles a role's meta/main.yml lists under
// dependencies, in order (Ansible runs them before the role).
func (l *loader) roleDependencies(dir string) ([]*Task, map[string]any) {
	mf := roleFile(dir, "meta", "main")
	if mf == "" {
		return nil, nil
	}
	data, ok := l.readFile(Pos{File: mf, Line: 1, Col: 1}, mf, "role meta")
	if !ok {
		return nil, nil
	}
	root, ok := l.parse(mf, data)
	if !ok || root == nil {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		l.c.add(pos(mf, root), "a role's meta/main.yml must be a mapping, got %s", kindName(root))
		return nil, nil
	}
	var out []*Task
	vars := map[string]any{}
	for _, kv := range pairs(root) {
		switch kv.k.Value {
		case "dependencies":
			v := resolve(kv.v)
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				l.c.add(pos(mf, v), "dependencies must be a list of roles, got %s", kindName(v))
				continue
			}
			for _, e := range v.Content {
				tasks, dv := l.roleEntry(mf, e, true)
				out = append(out, tasks...)
				for k, val := range dv {
					if k != "role_path" {
						vars[k] = val
					}
				}
			}
		case "allow_duplicates", "galaxy_info", "collections", "argument_specs":
		default:
			l.c.add(pos(mf, kv.k), "unknown key '%s' in a role's meta/main.yml%s", kv.k.Value, didYouMean(kv.k.Value, roleMetaKeys))
		}
	}
	return out, vars
}

// roleAllowsDuplicates reads allow_duplicates from a role's meta/main.yml.
func roleAllowsDuplicates(dir string) bool {
	mf := roleFile(dir, "meta", "main")
	if mf == "" {
		return false
	}
	data, err := os.ReadFile(mf)
	if err != nil {
		return false
	}
	var m struct {
		AllowDuplicates any `yaml:"allow_duplicates"`
	}
	if yaml.Unmarshal(data, &m) != nil {
		return false
	}
	b, ok := parseBool(fmt.Sprint(m.AllowDuplicates))
	return ok && b
}

// roleHandlers adds a role's handlers to the current play once.
func (l *loader) roleHandlers(name, dir string) {
	hf := roleFile(dir, "handlers", "main")
	if hf == "" {
		return
	}
	pm := l.meta.play(l.play)
	if pm.roleHandlers[hf] {
		return
	}
	pm.roleHandlers[hf] = true
	data, ok := l.readFile(Pos{File: hf, Line: 1, Col: 1}, hf, "role handlers")
	if !ok {
		return
	}
	if root, ok := l.parse(hf, data); ok && root != nil {
		hs := l.taskList(hf, root, "the handlers of role "+name, true)
		setRole(hs, roleDisplayName(name))
		l.play.Handlers = append(l.play.Handlers, hs...)
	}
}

// roleDisplayName is the role's name as Ansible shows it before its
// tasks' names: a role given as a path shows its last element.
func roleDisplayName(name string) string {
	return filepath.Base(name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
