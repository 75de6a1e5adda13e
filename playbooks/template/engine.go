package template

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// maxCacheEntries bounds each parse cache. Playbook sources are a bounded
// set; the bound only protects against data that happens to hold "{{".
const maxCacheEntries = 50000

// Omit is the value of Ansible's special variable "omit". A module argument
// whose rendered value equals Omit is meant to be dropped by the caller.
const Omit = "__omit_place_holder__drover__"

// Engine renders templates and evaluates expressions. It is safe for
// concurrent use; parsed templates are cached by source string.
type Engine struct {
	cfg     *config.Config
	filters *exec.FilterSet
	tests   *exec.TestSet
	methods exec.Methods
	globals map[string]any

	templates cache // playbook template source -> *compiled
	files     cache // template file source -> *compiled
	exprs     cache // condition -> *compiled
	vexprs    cache // value expression -> *compiled
}

// cache is a bounded concurrent map of parse results.
type cache struct {
	m sync.Map
	n atomic.Int64
}

func (c *cache) get(key string) (*compiled, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*compiled), true
}

func (c *cache) put(key string, v *compiled) *compiled {
	if c.n.Load() >= maxCacheEntries {
		// Crude but safe: drop everything and start again.
		c.m.Clear()
		c.n.Store(0)
	}
	actual, loaded := c.m.LoadOrStore(key, v)
	if !loaded {
		c.n.Add(1)
	}
	return actual.(*compiled)
}

// New returns an Engine with Ansible's filters and tests installed.
func New() *Engine {
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.KeepTrailingNewline = true
	cfg.TrimBlocks = true // Ansible's default

	filters := exec.NewFilterSet(map[string]exec.FilterFunction{})
	filters.Update(builtins.Filters)
	tests := exec.NewTestSet(map[string]exec.TestFunction{})
	tests.Update(builtins.Tests)

	e := &Engine{
		cfg:     cfg,
		filters: filters,
		tests:   tests,
		methods: builtins.Methods,
		globals: map[string]any{"omit": Omit, "none": nil, "None": nil, "True": true, "False": false},
	}
	for _, name := range []string{"range", "dict", "namespace", "cycler", "joiner", "lipsum"} {
		if v, ok := builtins.GlobalFunctions.Get(name); ok {
			e.globals[name] = v
		}
	}
	e.globals["dict"] = dictGlobal
	e.globals["lookup"] = e.lookupFunction(false, true)
	e.globals["query"] = e.lookupFunction(true, true)
	e.globals["q"] = e.lookupFunction(true, true)
	if r, ok := e.globals["range"]; ok {
		e.globals["range"] = boundedRange(r)
	}
	for name, f := range ansibleFilters() {
		e.setFilter(name, f)
	}
	if m, ok := filters.Get("map"); ok {
		e.setFilter("map", strictMap(m))
	}
	for name, t := range ansibleTests() {
		e.setTest(name, t)
	}
	for name, arg := range map[string]struct {
		i    int
		kind string
	}{"select": {0, "test"}, "reject": {0, "test"}, "selectattr": {1, "test"}, "rejectattr": {1, "test"}, "map": {0, "filter"}} {
		if f, ok := e.filters.Get(name); ok {
			e.setFilter(name, e.byNameArg(f, arg.i, arg.kind))
		}
	}
	return e
}

func (e *Engine) setFilter(name string, f exec.FilterFunction) {
	if e.filters.Exists(name) {
		_ = e.filters.Replace(name, f)
		return
	}
	_ = e.filters.Register(name, f)
}

func (e *Engine) setTest(name string, t exec.TestFunction) {
	var err error
	if e.tests.Exists(name) {
		err = e.tests.Replace(name, t)
	} else {
		err = e.tests.Register(name, t)
	}
	if err != nil {
		panic(fmt.Sprintf("template: test %s: %v", name, err)) // programming error
	}
}

// hasTemplate reports whether s holds any Jinja2 delimiter.
func hasTemplate(s string) bool {
	i := strings.IndexByte(s, '{')
	for i >= 0 && i+1 < len(s) {
		switch s[i+1] {
		case '{', '%', '#':
			return true
		}
		j := strings.IndexByte(s[i+1:], '{')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// environment builds the per-call execution environment. The caller's vars
// map is used in place (never written); globals and template-local
// assignments live in a child context.
func (e *Engine) environment(c *compiled, vars map[string]any, child bool) *exec.Environment {
	local := exec.NewContext(vars)
	if child || len(c.globals) > 0 {
		local = local.Inherit()
	}
	for _, k := range c.globals {
		if _, shadowed := vars[k]; !shadowed {
			local.Set(k, e.globals[k])
		}
	}
	return &exec.Environment{
		Context:           local,
		Filters:           e.filters,
		Tests:             e.tests,
		ControlStructures: controlStructures,
		Methods:           e.methods,
	}
}

// Render renders s. A string that is exactly one "{{ expr }}" yields the
// expression's native value (list, map, bool, int, ...), as Ansible does;
// any other template yields a string. Strings without Jinja2 delimiters are
// returned unchanged.
func (e *Engine) Render(s string, vars map[string]any) (any, error) {
	if !hasTemplate(s) {
		return s, nil
	}
	c := e.compileTemplate(s)
	if c.err != nil {
		return nil, c.err
	}
	if c.single != nil {
		return e.evalNode(c, vars)
	}
	return e.execute(c, vars)
}

// RenderString renders s to a string. A single "{{ expr }}" whose value is
// not a string is formatted as Jinja2 prints it.
func (e *Engine) RenderString(s string, vars map[string]any) (string, error) {
	if !hasTemplate(s) {
		return s, nil
	}
	c := e.compileTemplate(s)
	if c.err != nil {
		return "", c.err
	}
	return e.execute(c, vars)
}

// RenderValue renders every string found in v, walking maps and lists
// recursively (map keys are rendered too). v itself is not modified; parts
// without templates are shared with the result.
func (e *Engine) RenderValue(v any, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		return e.Render(x, vars)
	case []any:
		var out []any
		for i, item := range x {
			r, err := e.RenderValue(item, vars)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if out == nil && !same(r, item) {
				out = make([]any, len(x))
				copy(out, x[:i])
			}
			if out != nil {
				out[i] = r
			}
		}
		if out == nil {
			return x, nil
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, item := range x {
			r, err := e.Render(item, vars)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		changed := false
		out := make(map[string]any, len(x))
		for k, item := range x {
			key := k
			if hasTemplate(k) {
				ks, err := e.RenderString(k, vars)
				if err != nil {
					return nil, fmt.Errorf("key %q: %w", k, err)
				}
				key, changed = ks, true
			}
			r, err := e.RenderValue(item, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if !same(r, item) {
				changed = true
			}
			out[key] = r
		}
		if !changed {
			return x, nil
		}
		return out, nil
	default:
		return v, nil
	}
}

// same reports whether RenderValue left a value untouched (strings compare by
// value, containers are only ever returned as-is when untouched).
func same(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		return reflect.ValueOf(x).Pointer() == reflect.ValueOf(y).Pointer()
	}
	return false
}

// Eval evaluates a bare Jinja2 expression that Ansible templates as
// "{{ expr }}" (debug's var, an inventory's compose and keyed_groups) and
// returns its native value: as in any playbook string's {{ }}, its string
// literals keep their backslashes ('\d', '\1' and '\n' are two
// characters each). An expression written as a single "{{ expr }}" is
// accepted too.
func (e *Engine) Eval(expr string, vars map[string]any) (any, error) {
	c := e.compileValueExpr(expr)
	if c.err != nil {
		return nil, c.err
	}
	return e.evalNode(c, vars)
}

// Truth evaluates a condition (when, until, failed_when, changed_when,
// assert's that, an inventory's groups) and converts the result with
// Truthy. Ansible evaluates conditions as "{% if expr %}": string literals
// are read as Jinja2 reads them ('\n' is a newline, '\d' stays
// backslash-d). An expression written as a single "{{ expr }}" is
// accepted too, and read as a playbook string.
func (e *Engine) Truth(expr string, vars map[string]any) (bool, error) {
	c := e.compileExpr(expr)
	if c.err != nil {
		return false, c.err
	}
	v, err := e.evalNode(c, vars)
	if err != nil {
		return false, err
	}
	return Truthy(v), nil
}

// RenderFile renders the content of a template file (the template module's
// src) to a string. It differs from RenderString as Ansible's template
// module differs from its templating of playbook strings: string literals
// inside {{ }} are read as Jinja2 reads them ('\n' is a newline).
func (e *Engine) RenderFile(s string, vars map[string]any) (string, error) {
	if !hasTemplate(s) {
		return s, nil
	}
	c := e.compileFile(s)
	if c.err != nil {
		return "", c.err
	}
	return e.execute(c, vars)
}

// CheckFile reports syntax errors in the content of a template file (as
// *SyntaxError), as RenderFile reads it.
func (e *Engine) CheckFile(s string) error {
	if !hasTemplate(s) {
		return nil
	}
	return e.compileFile(s).err
}

// maxRange bounds range() as Jinja2's sandbox does (MAX_RANGE).
const maxRange = 100000

// boundedRange wraps gonja's range global and refuses huge ranges.
func boundedRange(inner any) func(*exec.Evaluator, *exec.VarArgs) (<-chan int, error) {
	f, _ := inner.(func(*exec.Evaluator, *exec.VarArgs) (<-chan int, error))
	return func(e *exec.Evaluator, params *exec.VarArgs) (<-chan int, error) {
		nums := make([]int, 0, 3)
		for _, a := range params.Args {
			nums = append(nums, a.Integer())
		}
		start, stop, step := 0, 0, 1
		switch len(nums) {
		case 1:
			stop = nums[0]
		case 2:
			start, stop = nums[0], nums[1]
		case 3:
			start, stop, step = nums[0], nums[1], nums[2]
		}
		if step == 0 {
			return nil, fmt.Errorf("range() step must not be zero")
		}
		if n := (stop - start) / step; n > maxRange {
			return nil, fmt.Errorf("range() of %d items exceeds the limit of %d", n, maxRange)
		}
		if f == nil {
			return nil, fmt.Errorf("range() is not available")
		}
		return f(e, params)
	}
}
