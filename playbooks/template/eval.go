package template

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// evalNode evaluates a compiled single expression and returns its native
// value. gonja panics are turned into errors.
func (e *Engine) evalNode(c *compiled, vars map[string]any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &EvalError{Src: c.src, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	ev := &exec.Evaluator{Config: e.cfg, Environment: e.environment(c, vars, false), Loader: sourceLoader{}}
	o := c.single
	expr := o.Expression
	if o.Condition != nil { // "a if b else c"
		cond := ev.Eval(o.Condition)
		if cond.IsError() {
			return nil, convertError(c.src, cond)
		}
		if !cond.IsTrue() {
			if o.Alternative == nil {
				return "", nil
			}
			expr = o.Alternative
		}
	}
	v := ev.Eval(expr)
	if v.IsError() {
		return nil, convertError(c.src, v)
	}
	return toNative(v), nil
}

// execute renders a compiled template to a string.
func (e *Engine) execute(c *compiled, vars map[string]any) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", &EvalError{Src: c.src, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	var b strings.Builder
	b.Grow(len(c.src))
	r := exec.NewRenderer(e.environment(c, vars, true), &b, e.cfg, sourceLoader{}, c.tpl)
	if err := r.Execute(); err != nil {
		return "", convertError(c.src, err)
	}
	return b.String(), nil
}

// toNative converts a gonja value into plain Go values: nil, bool, int,
// float64, string, []any, map[string]any, or whatever the variables held.
func toNative(v *exec.Value) any {
	if v == nil || v.IsNil() {
		return nil
	}
	return native(v.Interface())
}

func native(x any) any {
	switch t := x.(type) {
	case nil, string, bool, int, float64, int64:
		return t
	case *exec.Value:
		return toNative(t)
	case *Lazy:
		return native(t.Map())
	case exec.ValuesList:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = toNative(item)
		}
		return out
	case []*exec.Value:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = toNative(item)
		}
		return out
	case *exec.Dict:
		return dictNative(t)
	case exec.Dict:
		return dictNative(&t)
	case []any:
		var out []any
		for i, item := range t {
			n := native(item)
			if out == nil && !sameScalar(n, item) {
				out = make([]any, len(t))
				copy(out, t[:i])
			}
			if out != nil {
				out[i] = n
			}
		}
		if out == nil {
			return t
		}
		return out
	case map[string]any:
		var out map[string]any
		for k, item := range t {
			n := native(item)
			if out == nil && !sameScalar(n, item) {
				out = make(map[string]any, len(t))
				for k2, v2 := range t {
					out[k2] = v2
				}
			}
			if out != nil {
				out[k] = n
			}
		}
		if out == nil {
			return t
		}
		return out
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().ConvertibleTo(typeMapStringAny) { // modules.Result and friends
			return native(rv.Convert(typeMapStringAny).Interface())
		}
	case reflect.Slice:
		if rv.Type().ConvertibleTo(typeSliceAny) {
			return native(rv.Convert(typeSliceAny).Interface())
		}
		if rv.Type().Elem().Kind() == reflect.String {
			out := make([]any, rv.Len())
			for i := range out {
				out[i] = rv.Index(i).String()
			}
			return out
		}
	case reflect.Chan: // range()
		var out []any
		for {
			item, ok := rv.Recv()
			if !ok {
				return out
			}
			out = append(out, native(item.Interface()))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		return int(rv.Int())
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int(rv.Uint())
	case reflect.Float32:
		return rv.Float()
	}
	return x
}

// sameScalar reports whether native() left an element unchanged; only
// gonja-specific types are ever replaced, and containers are replaced by
// new containers.
func sameScalar(a, b any) bool {
	switch b.(type) {
	case *exec.Value, exec.ValuesList, []*exec.Value, *exec.Dict, exec.Dict, *Lazy:
		return false
	case []any, map[string]any:
		ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
		return ra.Kind() == rb.Kind() && ra.Pointer() == rb.Pointer() && ra.Len() == rb.Len()
	}
	return true
}

func dictNative(d *exec.Dict) map[string]any {
	out := make(map[string]any, len(d.Pairs))
	for _, p := range d.Pairs {
		out[p.Key.String()] = toNative(p.Value)
	}
	return out
}

var typeMapStringAny = reflect.TypeOf(map[string]any(nil))
var typeSliceAny = reflect.TypeOf([]any(nil))
