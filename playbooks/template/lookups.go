package template

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"

	"github.com/drover-sh/drover/playbooks/lookup"
)

// lookupFunction is Ansible's lookup() (wantlist false: a list of strings
// is joined with ",", a single value is itself) or query()/q() (wantlist
// true: always the list). The first argument names the lookup, the others
// are its terms; keyword arguments go to the lookup (errors=, default=,
// rstrip=, skip=, ...). Relative file names are looked up under the
// role's files/ (role_path) or the playbook's (playbook_dir).
// With commands false the lookups that run controller commands (pipe,
// lines) are refused (the fuzz test's engine).
func (eng *Engine) lookupFunction(wantlist, commands bool) func(*exec.Evaluator, *exec.VarArgs) (any, error) {
	return func(e *exec.Evaluator, params *exec.VarArgs) (any, error) {
		if len(params.Args) == 0 {
			return nil, fmt.Errorf("lookup() needs the name of a lookup, such as lookup('env', 'HOME')")
		}
		name, ok := toNative(params.Args[0]).(string)
		if !ok {
			return nil, fmt.Errorf("lookup(): the first argument is the lookup's name, got %s", params.Args[0].String())
		}
		if !commands && lookup.RunsCommands(name) {
			return nil, fmt.Errorf("lookup '%s' is disabled here", name)
		}
		terms := make([]any, 0, len(params.Args)-1)
		for _, a := range params.Args[1:] {
			terms = append(terms, toNative(a))
		}
		kw := map[string]any{}
		want := wantlist
		for k, v := range params.KwArgs {
			switch k {
			case "wantlist":
				want = Truthy(toNative(v))
			case "allow_unsafe":
			default:
				kw[k] = toNative(v)
			}
		}
		var res []any
		var err error
		switch name {
		case "vars", "ansible.builtin.vars":
			res, err = varsLookup(e, terms, kw)
		case "template", "ansible.builtin.template":
			res, err = eng.templateLookup(e, terms)
		default:
			res, err = lookup.Run(name, terms, lookup.Options{Dir: lookupDir(e), Kwargs: kw})
		}
		if err != nil {
			return nil, err
		}
		if want {
			if res == nil {
				res = []any{}
			}
			return res, nil
		}
		return joinLookup(res), nil
	}
}

// varsLookup is the vars lookup: the values of the variables named by the
// terms (names computed at run time: lookup('vars', 'port_' ~ env)), or
// default= for an undefined one.
func varsLookup(e *exec.Evaluator, terms []any, kw map[string]any) ([]any, error) {
	out := make([]any, 0, len(terms))
	for _, t := range terms {
		name, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("lookup 'vars': term %v is not a variable name", t)
		}
		var v any
		found := false
		if e != nil && e.Environment != nil && e.Environment.Context != nil {
			v, found = e.Environment.Context.Get(name)
		}
		if !found {
			d, has := kw["default"]
			if !has {
				return nil, fmt.Errorf("lookup 'vars': No variable found with this name: %s", name)
			}
			v = d
		}
		out = append(out, native(v))
	}
	return out, nil
}

// templateLookups are the lookups the template engine answers itself
// (they read the template's variables).
func templateLookup(name string) bool {
	switch name {
	case "vars", "ansible.builtin.vars", "template", "ansible.builtin.template":
		return true
	}
	return false
}

// maxTemplateDepth bounds templates that look up templates.
const maxTemplateDepth = 8

// templateDepthVar counts nested template lookups in a render's context.
const templateDepthVar = "__drover_template_lookup_depth"

// templateLookup is the template lookup: each term is a template file
// (found in the role's or playbook's templates/, then its directory),
// rendered with the variables of the template that looks it up.
func (eng *Engine) templateLookup(e *exec.Evaluator, terms []any) ([]any, error) {
	if e == nil || e.Environment == nil || e.Environment.Context == nil {
		return nil, fmt.Errorf("lookup 'template': no variables to render with")
	}
	depth := 0
	if v, ok := e.Environment.Context.Get(templateDepthVar); ok {
		depth, _ = v.(int)
	}
	if depth >= maxTemplateDepth {
		return nil, fmt.Errorf("lookup 'template': templates nested more than %d deep (a template that looks itself up?)", maxTemplateDepth)
	}
	out := make([]any, 0, len(terms))
	for _, t := range terms {
		name, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("lookup 'template': term %v is not a file name", t)
		}
		var src []byte
		var err error
		tried := lookup.SearchPath(name, lookupDir(e), "templates")
		for _, p := range tried {
			if src, err = os.ReadFile(p); err == nil {
				break
			}
		}
		if err != nil {
			return nil, fmt.Errorf("lookup 'template': could not find or read '%s' (looked in %s)", name, strings.Join(tried, ", "))
		}
		c := eng.compileFile(string(src))
		if c.err != nil {
			return nil, fmt.Errorf("lookup 'template': %s: %w", name, c.err)
		}
		local := e.Environment.Context.Inherit()
		local.Set(templateDepthVar, depth+1)
		for _, k := range c.globals {
			if !local.Has(k) {
				local.Set(k, eng.globals[k])
			}
		}
		env := *e.Environment
		env.Context = local
		var b strings.Builder
		if err := exec.NewRenderer(&env, &b, eng.cfg, sourceLoader{}, c.tpl).Execute(); err != nil {
			return nil, fmt.Errorf("lookup 'template': %s: %w", name, convertError(c.src, err))
		}
		out = append(out, b.String())
	}
	return out, nil
}

// joinLookup is what lookup() returns for results: strings joined with
// ",", else a single result itself, else the list.
func joinLookup(res []any) any {
	ss := make([]string, 0, len(res))
	for _, r := range res {
		s, ok := r.(string)
		if !ok {
			if len(res) == 1 {
				return res[0]
			}
			return res
		}
		ss = append(ss, s)
	}
	return strings.Join(ss, ",")
}

// lookupDir is where a lookup in this template finds relative files: the
// role's tasks directory in a role (its files/ is searched), else the
// playbook's directory.
func lookupDir(e *exec.Evaluator) string {
	if e == nil || e.Environment == nil || e.Environment.Context == nil {
		return "."
	}
	ctx := e.Environment.Context
	if v, ok := ctx.Get("role_path"); ok {
		if s, ok := v.(string); ok && s != "" {
			return filepath.Join(s, "tasks")
		}
	}
	if v, ok := ctx.Get("playbook_dir"); ok {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return "."
}

// lookupCallName is the literal lookup name of a lookup()/query()/q()
// call ("" when n is another call, or the name is not a literal).
func lookupCallName(n *nodes.Call) (string, bool) {
	fn, ok := n.Func.(*nodes.Name)
	if !ok || fn.Name == nil {
		return "", false
	}
	switch fn.Name.Val {
	case "lookup", "query", "q":
	default:
		return "", false
	}
	if len(n.Args) == 0 {
		return "", false
	}
	s, ok := n.Args[0].(*nodes.String)
	if !ok {
		return "", false
	}
	return s.Val, true
}
