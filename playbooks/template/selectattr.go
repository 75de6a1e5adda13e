package template

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// selectAttr is Ansible's (Jinja2's) selectattr, or rejectattr when reject
// is true: it keeps the items whose attribute passes the test (truthiness
// when no test is named). An item without the attribute gives the test an
// undefined value, as Jinja2 does — gonja's own filter gives it None, so
// selectattr('x', 'defined') kept every item.
func selectAttr(reject bool) exec.FilterFunction {
	name := "selectattr"
	if reject {
		name = "rejectattr"
	}
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		if len(params.Args) < 1 {
			return exec.AsValue(fmt.Errorf("filter '%s': an attribute name is required", name))
		}
		attr := params.Args[0].String()
		test := ""
		if len(params.Args) > 1 {
			test = params.Args[1].String()
		}
		testParams := &exec.VarArgs{KwArgs: params.KwArgs}
		if len(params.Args) > 2 {
			testParams.Args = params.Args[2:]
		}
		out := make([]any, 0)
		var failed *exec.Value
		in.Iterate(func(_, _ int, key, value *exec.Value) bool {
			item := key
			if value != nil {
				item = value
			}
			av := attrValue(toNative(item), attr)
			var ok bool
			if test == "" {
				ok = !av.IsError() && av.IsTrue()
			} else {
				r := e.ExecuteTestByName(test, av, testParams)
				if r.IsError() && !isUndefined(r) {
					failed = r
					return false
				}
				ok = !r.IsError() && r.IsTrue()
			}
			if ok != reject {
				out = append(out, item.Interface())
			}
			return true
		}, func() {})
		if failed != nil {
			return failed
		}
		return exec.AsValue(out)
	}
}

// attrValue follows a dotted attribute path into native maps and lists; a
// missing step is an undefined value.
func attrValue(v any, path string) *exec.Value {
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return exec.AsValue(errors.New(`Unable to evaluate name "` + part + `"`))
		}
		if v, ok = m[part]; !ok {
			return exec.AsValue(errors.New(`Unable to evaluate name "` + part + `"`))
		}
	}
	return exec.AsValue(v)
}
