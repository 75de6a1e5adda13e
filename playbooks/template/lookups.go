package template

import (
	"fmt"
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
func lookupFunction(wantlist, commands bool) func(*exec.Evaluator, *exec.VarArgs) (any, error) {
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
		if name == "vars" || name == "ansible.builtin.vars" {
			res, err = varsLookup(e, terms, kw)
		} else {
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
	return name == "vars" || name == "ansible.builtin.vars"
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
