package template

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	cs "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"

	"github.com/drover-sh/drover/playbooks/lookup"
)

// ExprNames returns the sorted top-level variable names expr reads.
// Names bound inside the expression, Jinja2 globals (range, dict, omit, ...)
// and loop are not reported.
func (e *Engine) ExprNames(expr string) ([]string, error) {
	c := e.compileExpr(expr)
	if c.err != nil {
		return nil, c.err
	}
	return e.namesOf(c), nil
}

// TemplateNames returns the sorted top-level variable names template s
// reads, excluding names it assigns itself ({% set %}, {% for %}, macro
// arguments). A string without delimiters reads nothing.
func (e *Engine) TemplateNames(s string) ([]string, error) {
	if !hasTemplate(s) {
		return nil, nil
	}
	c := e.compileTemplate(s)
	if c.err != nil {
		return nil, c.err
	}
	return e.namesOf(c), nil
}

// FactRefs returns the sorted names of the facts src (a template, or a
// bare expression when expr) reads through ansible_facts:
// ansible_facts.NAME and ansible_facts['NAME'] give NAME.
func (e *Engine) FactRefs(src string, expr bool) ([]string, error) {
	var c *compiled
	switch {
	case expr:
		c = e.compileExpr(src)
	case !hasTemplate(src):
		return nil, nil
	default:
		c = e.compileTemplate(src)
	}
	if c.err != nil {
		return nil, c.err
	}
	seen := map[string]bool{}
	w := &walker{onAttr: func(base, attr string, bound bool) {
		if base == "ansible_facts" && !bound {
			seen[attr] = true
		}
	}}
	w.template(c)
	return slices.Sorted(maps.Keys(seen)), nil
}

// CheckTemplate reports syntax errors in s (as *SyntaxError), including
// unknown filters and tests, without evaluating anything.
func (e *Engine) CheckTemplate(s string) error {
	if !hasTemplate(s) {
		return nil
	}
	return e.compileTemplate(s).err
}

// CheckExpr reports syntax errors in a bare expression (as *SyntaxError).
func (e *Engine) CheckExpr(expr string) error {
	return e.compileExpr(expr).err
}

func (e *Engine) namesOf(c *compiled) []string {
	c.namesOnce.Do(func() {
		seen := map[string]bool{}
		w := &walker{onName: func(n string, bound bool) {
			if bound {
				return
			}
			if _, global := e.globals[n]; global {
				return
			}
			seen[n] = true
		}}
		w.template(c)
		c.names = slices.Sorted(maps.Keys(seen))
	})
	return c.names
}

// checkNames verifies that every filter and test used exists.
func (e *Engine) checkNames(c *compiled) error {
	var first error
	report := func(kind, name string, tok *tokens.Token) {
		if first != nil {
			return
		}
		off := -1
		if tok != nil {
			off = tok.Pos - c.shift
		}
		msg := fmt.Sprintf("no %s named '%s'", kind, name)
		if strings.Contains(name, ".") {
			msg += e.fqcnHint(kind, name)
		} else if kind == "filter" && e.tests.Exists(name) {
			// `result|changed`: tests used as filters, removed in Ansible 2.9.
			msg += fmt.Sprintf(" (it is a test: write 'x is %s', as Ansible has since 2.9)", name)
		}
		if off < 0 {
			first = &SyntaxError{Msg: msg, Offset: -1, Line: -1, Col: -1}
			return
		}
		first = syntaxErrorAt(c.src, msg, off)
	}
	w := &walker{
		onFilter: func(f *nodes.FilterCall) {
			if !e.filters.Exists(f.Name) {
				report("filter", f.Name, f.Token)
			}
		},
		onTest: func(t *nodes.TestCall) {
			if !e.tests.Exists(t.Name) {
				report("test", t.Name, t.Token)
			}
		},
		onCall: func(c *nodes.Call) {
			if name, ok := lookupCallName(c); ok && !lookup.Supported(name) && !templateLookup(name) {
				report("lookup", name, c.Location)
			}
		},
	}
	w.template(c)
	return first
}

// walker visits a parsed template. onName receives every variable read
// with whether it is bound locally at that point.
type walker struct {
	onName func(name string, bound bool)
	// onAttr receives NAME.ATTR and NAME['ATTR'] (a constant key) read
	// from a variable NAME.
	onAttr   func(base, attr string, bound bool)
	onFilter func(*nodes.FilterCall)
	onTest   func(*nodes.TestCall)
	onCall   func(*nodes.Call)
	scopes   []map[string]bool
}

func (w *walker) template(c *compiled) {
	if c.tpl == nil {
		return
	}
	w.push()
	w.nodes(c.tpl.Root().Nodes)
	w.pop()
}

func (w *walker) push()            { w.scopes = append(w.scopes, map[string]bool{}) }
func (w *walker) pop()             { w.scopes = w.scopes[:len(w.scopes)-1] }
func (w *walker) bind(name string) { w.scopes[len(w.scopes)-1][name] = true }

func (w *walker) bound(name string) bool {
	for i := len(w.scopes) - 1; i >= 0; i-- {
		if w.scopes[i][name] {
			return true
		}
	}
	return false
}

func (w *walker) nodes(list []nodes.Node) {
	for _, n := range list {
		w.node(n)
	}
}

func (w *walker) wrapper(wr *nodes.Wrapper) {
	if wr != nil {
		w.nodes(wr.Nodes)
	}
}

func (w *walker) node(n nodes.Node) {
	switch t := n.(type) {
	case *nodes.Output:
		w.expr(t.Expression)
		w.expr(t.Condition)
		w.expr(t.Alternative)
	case *nodes.ControlStructureBlock:
		w.control(t.ControlStructure)
	case *nodes.Wrapper:
		w.wrapper(t)
	case nodes.Expression:
		w.expr(t)
	}
}

func (w *walker) control(c nodes.ControlStructure) {
	switch t := c.(type) {
	case *cs.IfControlStructure:
		for _, cond := range t.Conditions {
			w.expr(cond)
		}
		for _, wr := range t.Wrappers {
			w.wrapper(wr)
		}
	case *cs.ForControlStructure:
		w.expr(t.ObjectEvaluator)
		w.push()
		w.bind(t.Key)
		if t.Value != "" {
			w.bind(t.Value)
		}
		w.bind("loop")
		w.expr(t.IfCondition)
		w.wrapper(t.BodyWrapper)
		w.pop()
		w.wrapper(t.EmptyWrapper)
	case *tupleSet:
		w.expr(t.expr)
		for _, n := range t.names {
			w.bind(n)
		}
	case *cs.SetControlStructure:
		target, _ := unexported(t, "target").(nodes.Expression)
		for _, f := range []string{"expression", "condition", "alternative"} {
			if x, ok := unexported(t, f).(nodes.Expression); ok {
				w.expr(x)
			}
		}
		if body, ok := unexported(t, "body").(*nodes.Wrapper); ok {
			w.wrapper(body)
		}
		if name, ok := target.(*nodes.Name); ok {
			w.bind(name.Name.Val)
		} else if target != nil {
			w.expr(target)
		}
	case *cs.MacroControlStructure:
		if t.Macro == nil {
			return
		}
		w.bind(t.Macro.Name)
		w.push()
		for _, p := range t.Macro.Kwargs {
			if p.Value != nil {
				w.expr(p.Value)
			}
			if n, ok := p.Key.(*nodes.Name); ok {
				w.bind(n.Name.Val)
			} else if s, ok := p.Key.(*nodes.String); ok {
				w.bind(s.Val)
			}
		}
		for _, n := range []string{t.Macro.VarArgsName, t.Macro.KwArgsName, "varargs", "kwargs", "caller"} {
			if n != "" {
				w.bind(n)
			}
		}
		w.wrapper(t.Macro.Wrapper)
		w.pop()
	default:
		// Other statements (with, filter, call, raw, ...) are not inspected:
		// names they read are not reported.
	}
}

// unexported reads an unexported field of a gonja control structure that
// gonja offers no accessor for; nil if the field does not exist.
func unexported(p any, field string) any {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName(field)
	if !f.IsValid() || !f.CanAddr() {
		return nil
	}
	f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	if (f.Kind() == reflect.Interface || f.Kind() == reflect.Pointer) && f.IsNil() {
		return nil
	}
	return f.Interface()
}

func (w *walker) exprs(list []nodes.Expression) {
	for _, x := range list {
		w.expr(x)
	}
}

func (w *walker) kwargs(m map[string]nodes.Expression) {
	for _, x := range m {
		w.expr(x)
	}
}

func (w *walker) expr(n nodes.Node) {
	if n == nil || (reflect.ValueOf(n).Kind() == reflect.Pointer && reflect.ValueOf(n).IsNil()) {
		return
	}
	switch t := n.(type) {
	case *nodes.Name:
		if w.onName != nil {
			w.onName(t.Name.Val, w.bound(t.Name.Val))
		}
	case *nodes.GetAttribute:
		if b, ok := t.Node.(*nodes.Name); ok && w.onAttr != nil {
			w.onAttr(b.Name.Val, t.Attribute, w.bound(b.Name.Val))
		}
		w.expr(t.Node)
	case *nodes.GetItem:
		if b, ok := t.Node.(*nodes.Name); ok && w.onAttr != nil {
			if k, ok := t.Arg.(*nodes.String); ok {
				w.onAttr(b.Name.Val, k.Val, w.bound(b.Name.Val))
			}
		}
		w.expr(t.Node)
		w.expr(t.Arg)
	case *nodes.GetSlice:
		w.expr(t.Node)
		w.expr(t.Start)
		w.expr(t.End)
		w.expr(t.Step)
	case *nodes.Call:
		if w.onCall != nil {
			w.onCall(t)
		}
		w.expr(t.Func)
		w.exprs(t.Args)
		w.kwargs(t.Kwargs)
	case *nodes.FilteredExpression:
		w.expr(t.Expression)
		for _, f := range t.Filters {
			if w.onFilter != nil {
				w.onFilter(f)
			}
			w.exprs(f.Args)
			w.kwargs(f.Kwargs)
		}
	case *nodes.TestExpression:
		w.expr(t.Expression)
		if t.Test != nil {
			if w.onTest != nil {
				w.onTest(t.Test)
			}
			w.exprs(t.Test.Args)
			w.kwargs(t.Test.Kwargs)
		}
	case *nodes.BinaryExpression:
		w.expr(t.Left)
		w.expr(t.Right)
	case *nodes.UnaryExpression:
		w.expr(t.Term)
	case *nodes.Negation:
		w.expr(t.Term)
	case *nodes.List:
		w.exprs(t.Val)
	case *nodes.Tuple:
		w.exprs(t.Val)
	case *nodes.Dict:
		for _, p := range t.Pairs {
			w.expr(p)
		}
	case *nodes.Pair:
		w.expr(t.Key)
		w.expr(t.Value)
	}
}
