package playbooks

import (
	"cmp"
	"errors"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/drover-sh/drover/playbooks/template"
)

// TemplateChecker is what Validate needs from the template engine
// (*template.Engine implements it). It must be safe for concurrent use:
// Validate compiles templates on every CPU first.
type TemplateChecker interface {
	CheckTemplate(s string) error
	CheckFile(s string) error // a template file's content (the template module's src)
	CheckExpr(expr string) error
	TemplateNames(s string) ([]string, error)
	ExprNames(expr string) ([]string, error)
	// FactRefs: the facts read as ansible_facts.NAME (see template.Engine).
	FactRefs(src string, expr bool) ([]string, error)
}

// ValidateOptions configure Validate.
type ValidateOptions struct {
	// KnownVars are variable names defined outside the playbook: inventory
	// host and group variables, extra vars (-e).
	KnownVars []string
	// AllowUnknownVars turns the undefined-variable check off (for example
	// when no inventory was given, so its variables are unknown). Register
	// names used before any task registers them are still reported.
	AllowUnknownVars bool
	// Templates checks template syntax and lists the names templates read;
	// nil means a shared template.New().
	Templates TemplateChecker
	// Hosts are the inventory's host names: a delegate_to written as a
	// plain name must be one of them (or the controller). Nil: not checked.
	Hosts []string
	// Groups are the inventory's group names: batch_groups must name
	// them. Nil: not checked.
	Groups []string
}

var defaultEngine = sync.OnceValue(func() *template.Engine { return template.New() })

// Validate checks a loaded playbook before any host is contacted: module
// arguments against each module's schema, template and expression syntax,
// variables that cannot be defined anywhere, register names used before
// any task registers them, and notify names without a handler. Every
// problem is returned together as a *ErrorList.
func Validate(pb *Playbook, opts ValidateOptions) error {
	if pb == nil {
		return nil
	}
	meta := getMeta(pb)
	if meta == nil {
		meta = newMeta(newSourceCache())
	}
	v := &validator{
		baseDir:  filepath.Dir(pb.File),
		c:        newCollector(meta.sources),
		meta:     meta,
		opts:     opts,
		eng:      opts.Templates,
		known:    map[string]bool{},
		regSoFar: map[string]bool{},
		regAt:    map[string]Pos{},
	}
	if v.eng == nil {
		v.eng = defaultEngine()
	}
	for _, k := range opts.KnownVars {
		v.known[k] = true
	}
	if opts.Hosts != nil {
		v.hosts = make(map[string]bool, len(opts.Hosts))
		for _, h := range opts.Hosts {
			v.hosts[h] = true
		}
	}
	for k := range meta.dirVarNames {
		v.known[k] = true
	}
	v.collectDefinitions(pb)
	v.warm(pb)
	for _, p := range pb.Plays {
		v.play(p)
		v.batchGroups(p)
		if p.SerialExpr != "" {
			if err := v.eng.CheckTemplate(p.SerialExpr); err != nil {
				v.c.add(v.meta.plays[p].keys["serial"], "template syntax error in serial %q: %s", p.SerialExpr, syntaxMsg(err))
			}
		}
	}
	return v.c.err()
}

// batchGroups checks that batch_groups names the inventory's groups.
func (v *validator) batchGroups(p *Play) {
	if v.opts.Groups == nil {
		return
	}
	for _, g := range p.BatchGroups {
		if !slices.Contains(v.opts.Groups, g) {
			v.c.add(p.BatchGroupsPos, "batch_groups: no inventory group '%s'%s", g, didYouMean(g, v.opts.Groups))
		}
	}
}

// validator holds the state of one Validate.
type validator struct {
	baseDir    string // the playbook's directory
	candidates int    // depth of templated-include candidate blocks (see templatedInclude)
	c          *collector
	meta       *pbMeta
	opts       ValidateOptions
	eng        TemplateChecker
	// known holds every name some vars, vars file, role, set_fact, loop_var
	// or the inventory defines (registered names are apart).
	known map[string]bool
	// regAt is where each registered name is first registered; regSoFar the
	// names registered by the tasks walked so far.
	regAt    map[string]Pos
	regSoFar map[string]bool
	// open is true while walking a play whose variables cannot all be known.
	open bool
	// delegating is the delegate_to of the blocks around the task walked.
	delegating string
	// loopVars are the loop variables of the include_tasks loops around
	// the task walked.
	loopVars []string
	// moduleDefaults are the module_defaults of the play and the blocks
	// around the task walked, outer first.
	moduleDefaults []ModuleDefaults
	hosts          map[string]bool
}

// magicVars are Ansible's magic and special variables plus the Jinja2
// globals Ansible adds.
var magicVars = map[string]bool{
	"inventory_hostname": true, "inventory_hostname_short": true, "groups": true,
	"group_names": true, "hostvars": true, "play_hosts": true, "item": true, "omit": true,
	"playbook_dir": true, "inventory_dir": true, "inventory_file": true, "role_path": true,
	"role_name": true, "vars": true, "environment": true, "lookup": true, "query": true,
	"q": true, "now": true, "undef": true, "range": true, "dict": true, "lipsum": true,
	"true": true, "false": true, "none": true, "True": true, "False": true, "None": true,
	"loop": true, "hostname": true,
}

func (v *validator) isKnown(name string) bool {
	return v.known[name] || magicVars[name] || strings.HasPrefix(name, "ansible_") || strings.HasPrefix(name, "drover_")
}

// collectDefinitions records every name the playbook can define.
func (v *validator) collectDefinitions(pb *Playbook) {
	for _, p := range pb.Plays {
		for k := range p.Vars {
			v.known[k] = true
		}
		if pm := v.meta.plays[p]; pm != nil {
			for k := range pm.varNames {
				v.known[k] = true
			}
		}
		walkPlay(p, func(t *Task) {
			for k := range t.Vars {
				v.known[k] = true
			}
			if t.LoopVar != "" {
				v.known[t.LoopVar] = true
			}
			if t.LoopIndexVar != "" {
				v.known[t.LoopIndexVar] = true
			}
			for _, n := range moduleFactVars(t) {
				v.known[n] = true
			}
			if t.Module == "set_fact" {
				for k := range t.Args {
					if k != "cacheable" {
						v.known[k] = true
					}
				}
			}
			if t.Register != "" {
				if _, ok := v.regAt[t.Register]; !ok {
					v.regAt[t.Register] = v.taskKeyPos(t, "register")
				}
			}
		})
	}
}

// walkPlay calls f on every task of a play, blocks' children included.
func walkPlay(p *Play, f func(*Task)) {
	for _, l := range [][]*Task{p.PreTasks, p.Tasks, p.PostTasks, p.PreReboot, p.PostReboot, p.HealthGate, p.Handlers} {
		walkTasks(l, f)
	}
	if p.Reboot != nil {
		f(p.Reboot)
	}
}

func walkTasks(ts []*Task, f func(*Task)) {
	for _, t := range ts {
		f(t)
		walkTasks(t.Block, f)
		walkTasks(t.Rescue, f)
		walkTasks(t.Always, f)
	}
}

func (v *validator) taskKeyPos(t *Task, key string) Pos {
	if tm := v.meta.tasks[t]; tm != nil {
		if p, ok := tm.keys[key]; ok {
			return p
		}
	}
	return t.Pos
}

func (v *validator) play(p *Play) {
	pm := v.meta.plays[p]
	v.moduleDefaults = nil
	if len(p.ModuleDefaults) > 0 {
		v.moduleDefaults = []ModuleDefaults{p.ModuleDefaults}
	}
	v.open = v.opts.AllowUnknownVars || v.meta.openDirVars || (pm != nil && pm.openVars)
	// include_vars defines names only known at run time.
	walkPlay(p, func(t *Task) {
		if t.Module == "include_vars" {
			v.open = true
		}
	})
	handlers := map[string]bool{}
	var handlerNames []string
	for _, h := range p.Handlers {
		names := append([]string{h.Name}, h.Listen...)
		if h.Role != "" && h.Name != "" {
			names = append(names, h.Role+" : "+h.Name) // notify: "ROLE : handler", as Ansible allows
		}
		for _, n := range names {
			if n != "" && !handlers[n] {
				handlers[n] = true
				handlerNames = append(handlerNames, n)
			}
		}
	}
	sort.Strings(handlerNames)
	for k, val := range p.Vars {
		v.templateSyntaxDeep(p.Pos, "vars."+k, val)
	}
	keyPos := func(k string) Pos {
		if pm != nil {
			if at, ok := pm.keys[k]; ok {
				return at
			}
		}
		return p.Pos
	}
	v.templateSyntaxDeep(keyPos("become"), "become", p.BecomeExpr)
	v.templateSyntaxDeep(keyPos("become_user"), "become_user", p.BecomeUser)
	v.templateSyntaxDeep(keyPos("remote_user"), "remote_user", p.RemoteUser)
	for _, list := range [][]*Task{p.PreTasks, p.Tasks, p.PreReboot} {
		v.tasks(list, handlers, handlerNames)
	}
	if p.Reboot != nil {
		v.task(p.Reboot, handlers, handlerNames)
	}
	for _, list := range [][]*Task{p.PostReboot, p.PostTasks, p.HealthGate, p.Handlers} {
		v.tasks(list, handlers, handlerNames)
	}
}

func (v *validator) tasks(ts []*Task, handlers map[string]bool, names []string) {
	for _, t := range ts {
		v.task(t, handlers, names)
	}
}

func (v *validator) task(t *Task, handlers map[string]bool, handlerNames []string) {
	tm := v.meta.tasks[t]
	broken := tm != nil && tm.broken
	// Names visible inside this task: its vars and loop variable.
	local := map[string]bool{}
	for k := range t.Vars {
		local[k] = true
	}
	for _, k := range v.loopVars {
		local[k] = true
	}
	if t.LoopIndexVar != "" {
		local[t.LoopIndexVar] = true
	}
	if t.LoopVar != "" {
		local[t.LoopVar] = true
	}
	for _, w := range t.When {
		v.expr(t, "when", w, local)
	}
	// A name the task's when tests with `is defined` may be undefined in
	// its loop and arguments: the task is skipped then (Ansible checks
	// when before reporting a loop it cannot template).
	for _, w := range t.When {
		for _, m := range isDefinedRe.FindAllStringSubmatch(w, -1) {
			local[m[1]] = true
		}
	}
	if t.Loop != nil {
		v.value(t, "loop", t.Loop, local)
	}
	if !broken && t.Module != "" {
		v.checkArgs(t)
		v.templateFile(t, local)
		v.value(t, "args", t.Args, local)
	}
	for k, val := range t.Environment {
		label := "environment." + k
		if k == EnvironmentTemplate {
			label = "environment"
		}
		v.valueAt(t, v.taskKeyPos(t, "environment"), label, val, local)
	}
	for k, val := range t.Vars {
		v.templateSyntaxDeep(v.taskKeyPos(t, "vars"), "vars."+k, val)
	}
	if t.Name != "" {
		v.templateSyntaxDeep(t.Pos, "name", t.Name)
	}
	if t.LoopLabel != "" {
		v.valueAt(t, v.taskKeyPos(t, "loop_control"), "loop_control.label", t.LoopLabel, local)
	}
	if t.Register != "" {
		v.regSoFar[t.Register] = true
	}
	if t.Until != "" {
		v.expr(t, "until", t.Until, local)
	}
	if t.RetriesExpr != "" {
		v.template(t, v.taskKeyPos(t, "retries"), "retries", t.RetriesExpr, local)
	}
	if t.DelayExpr != "" {
		v.template(t, v.taskKeyPos(t, "delay"), "delay", t.DelayExpr, local)
	}
	for _, e := range t.FailedWhen {
		v.expr(t, "failed_when", e, local)
	}
	for _, e := range t.ChangedWhen {
		v.expr(t, "changed_when", e, local)
	}
	for _, n := range t.Notify {
		if !handlers[n] && !isTemplated(n) {
			v.c.add(v.taskKeyPos(t, "notify"), "notify names no handler '%s'%s", n, didYouMean(n, handlerNames))
		}
	}
	if t.DelegateTo != "" {
		v.delegate(t, local)
	}
	if t.BecomeExpr != "" {
		v.template(t, v.taskKeyPos(t, "become"), "become", t.BecomeExpr, local)
	}
	if isTemplated(t.BecomeUser) {
		v.template(t, v.taskKeyPos(t, "become_user"), "become_user", t.BecomeUser, local)
	}
	if d := cmp.Or(t.DelegateTo, v.delegating); t.Module == "reboot" && d != "" {
		at := t.Pos
		if t.DelegateTo != "" {
			at = v.taskKeyPos(t, "delegate_to")
		}
		what := "'" + d + "'"
		if d == "localhost" {
			what = "the controller"
		}
		v.c.add(at, "reboot cannot be delegated (delegate_to %s): drover reboots the play's own hosts, one batch at a time; it would reboot %s", d, what)
	}
	if t.Module == "reboot" && len(v.loopVars) > 0 {
		v.c.add(t.Pos, "reboot inside a looped include (include_tasks, include_role) is not supported: a host reboots once, at the play's reboot barrier")
	}
	outer, outerLoop, outerDefaults := v.delegating, v.loopVars, v.moduleDefaults
	if t.DelegateTo != "" {
		v.delegating = t.DelegateTo
	}
	if len(t.ModuleDefaults) > 0 {
		v.moduleDefaults = append(slices.Clip(v.moduleDefaults), t.ModuleDefaults)
	}
	if t.Block != nil && t.Loop != nil { // include_tasks with a loop
		v.loopVars = append(slices.Clip(v.loopVars), cmp.Or(t.LoopVar, "item"))
		if t.LoopIndexVar != "" {
			v.loopVars = append(v.loopVars, t.LoopIndexVar)
		}
	}
	candidate := v.meta.tasks[t] != nil && v.meta.tasks[t].candidate
	if candidate {
		v.candidates++
	}
	v.tasks(t.Block, handlers, handlerNames)
	v.tasks(t.Rescue, handlers, handlerNames)
	v.tasks(t.Always, handlers, handlerNames)
	if candidate {
		v.candidates--
	}
	v.delegating, v.loopVars, v.moduleDefaults = outer, outerLoop, outerDefaults
}

// defaults are the module_defaults arguments t's module gets.
func (v *validator) defaults(t *Task) map[string]any {
	sc := Scope{ModuleDefaults: v.moduleDefaults}
	if len(t.ModuleDefaults) > 0 {
		sc.ModuleDefaults = append(slices.Clip(sc.ModuleDefaults), t.ModuleDefaults)
	}
	return sc.Defaults(t.Module)
}

// delegate checks a task's delegate_to: its template, or the host it names.
func (v *validator) delegate(t *Task, local map[string]bool) {
	at := v.taskKeyPos(t, "delegate_to")
	d := t.DelegateTo
	if isTemplated(d) {
		v.template(t, at, "delegate_to", d, local)
		return
	}
	if d == "localhost" || v.hosts == nil || v.hosts[d] {
		return
	}
	names := make([]string, 0, len(v.hosts))
	for h := range v.hosts {
		names = append(names, h)
	}
	sort.Strings(names)
	v.c.add(at, "delegate_to '%s' is not an inventory host%s (drover delegates to inventory hosts and to localhost; add it to the inventory)", d, didYouMean(d, names))
}

// isDefinedRe finds `name is defined` (name.attr and name['key'] too) in
// a condition.
var isDefinedRe = regexp.MustCompile(`\b([A-Za-z_]\w*)(?:\.\w+|\[[^\]]*\])*\s+is\s+defined\b`)

// expr checks a bare expression (when, until, failed_when, changed_when).
func (v *validator) expr(t *Task, key, e string, local map[string]bool) {
	at := v.taskKeyPos(t, key)
	if isTemplated(e) {
		// Ansible accepts (with a warning) a templated condition.
		v.template(t, at, key, e, local)
		return
	}
	if err := v.eng.CheckExpr(e); err != nil {
		v.c.add(at, "syntax error in %s expression %q: %s", key, e, syntaxMsg(err))
		return
	}
	names, err := v.eng.ExprNames(e)
	if err != nil {
		return
	}
	v.names(at, key, e, names, local)
	v.facts(at, key, e, true, names)
}

// template checks one template string.
func (v *validator) template(t *Task, at Pos, key, s string, local map[string]bool) {
	if !isTemplated(s) {
		return
	}
	if err := v.eng.CheckTemplate(s); err != nil {
		v.c.add(at, "template syntax error in %s %q: %s", key, s, syntaxMsg(err))
		return
	}
	names, err := v.eng.TemplateNames(s)
	if err != nil {
		return
	}
	v.names(at, key, s, names, local)
	v.facts(at, key, s, false, names)
}

// guarded reports whether src tests definedness or gives defaults: its
// names are trusted.
func guarded(src string) bool {
	return strings.Contains(src, "defined") || strings.Contains(src, "default") || strings.Contains(src, "| d(") || strings.Contains(src, "|d(")
}

// names reports names that nothing defines, and registered names used
// before any task registers them. Expressions that test definedness or
// give defaults are trusted.
func (v *validator) names(at Pos, key, src string, names []string, local map[string]bool) {
	if guarded(src) {
		return
	}
	for _, n := range names {
		if local[n] || v.isKnown(n) || v.regSoFar[n] {
			continue
		}
		if rp, ok := v.regAt[n]; ok {
			// A templated include's candidate files are validated where
			// the include is, but most never run there.
			if v.candidates == 0 {
				v.c.add(at, "'%s' is used in %s before any task registers it (registered at %s)", n, key, rp)
			}
			continue
		}
		if v.open {
			continue
		}
		cands := make([]string, 0, len(v.known)+len(local))
		for k := range v.known {
			cands = append(cands, k)
		}
		for k := range local {
			cands = append(cands, k)
		}
		for k := range v.regSoFar {
			cands = append(cands, k)
		}
		v.c.add(at, "undefined variable '%s' in %s: no vars, vars file, role, inventory, set_fact or register defines it%s", n, key, didYouMean(n, cands))
	}
}

// value checks every template string inside an argument value.
func (v *validator) value(t *Task, key string, val any, local map[string]bool) {
	tm := v.meta.tasks[t]
	if m, ok := val.(map[string]any); ok && key == "args" {
		keys := sortedKeys(m)
		for _, k := range keys {
			at := t.Pos
			if tm != nil {
				if p, ok := tm.args[k]; ok {
					at = p
				} else if tm.modPos.Line > 0 {
					at = tm.modPos
				}
			}
			v.valueAt(t, at, argLabel(k), m[k], local)
		}
		return
	}
	v.valueAt(t, v.taskKeyPos(t, key), key, val, local)
}

func (v *validator) valueAt(t *Task, at Pos, key string, val any, local map[string]bool) {
	switch x := val.(type) {
	case string:
		v.template(t, at, key, x, local)
	case []any:
		for _, e := range x {
			v.valueAt(t, at, key, e, local)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			v.valueAt(t, at, key, x[k], local)
		}
	}
}

// templateSyntaxDeep checks only the syntax of templates in a value (vars
// are evaluated lazily, so their names are not checked).
func (v *validator) templateSyntaxDeep(at Pos, key string, val any) {
	switch x := val.(type) {
	case string:
		if isTemplated(x) {
			if err := v.eng.CheckTemplate(x); err != nil {
				v.c.add(at, "template syntax error in %s %q: %s", key, x, syntaxMsg(err))
			}
		}
	case []any:
		for _, e := range x {
			v.templateSyntaxDeep(at, key, e)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			v.templateSyntaxDeep(at, key, x[k])
		}
	}
}

func syntaxMsg(err error) string {
	var se *template.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// warm compiles every template and expression of the playbook on all CPUs
// before the (sequential) checks, which then find them in the engine's
// cache. Only an optimisation: its results are not used.
func (v *validator) warm(pb *Playbook) {
	var exprs, tmpls []string
	strs := func(x any) {
		eachString(x, func(y string) {
			if strings.Contains(y, "{{") || strings.Contains(y, "{%") {
				tmpls = append(tmpls, y)
			}
		})
	}
	for _, p := range pb.Plays {
		walkPlay(p, func(t *Task) {
			exprs = append(exprs, t.When...)
			exprs = append(exprs, t.FailedWhen...)
			exprs = append(exprs, t.ChangedWhen...)
			if t.Until != "" {
				exprs = append(exprs, t.Until)
			}
			strs(t.Args)
		})
	}
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || len(exprs)+len(tmpls) < 64 {
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(exprs); i += workers {
				_, _ = v.eng.ExprNames(exprs[i])
			}
			for i := w; i < len(tmpls); i += workers {
				_, _ = v.eng.TemplateNames(tmpls[i])
			}
		}()
	}
	wg.Wait()
}
