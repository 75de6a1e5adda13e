package template

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"
)

type testFn = func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error)

// ansibleTests returns the tests drover adds to, or replaces in, gonja.
func ansibleTests() map[string]exec.TestFunction {
	m := map[string]exec.TestFunction{}
	add := func(f testFn, names ...string) {
		for _, n := range names {
			m[n] = f
		}
	}
	add(testDefined, "defined")
	add(testUndefined, "undefined")
	add(testNone, "none")
	add(resultTest("succeeded", func(r resultView) bool { return !r.flag("failed") }), "succeeded", "success", "successful")
	add(resultTest("failed", func(r resultView) bool { return r.flag("failed") }), "failed", "failure")
	add(resultTest("changed", func(r resultView) bool { return r.flag("changed") }), "changed", "change")
	add(resultTest("skipped", func(r resultView) bool { return r.flag("skipped") }), "skipped", "skip")
	add(resultTest("unreachable", func(r resultView) bool { return r.flag("unreachable") }), "unreachable")
	add(resultTest("reachable", func(r resultView) bool { return !r.flag("unreachable") }), "reachable")
	add(regexTest("match", true), "match")
	add(regexTest("search", false), "search", "regex")
	add(testVersion, "version", "version_compare")
	add(testTruthy, "truthy")
	add(func(e *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
		t, err := testTruthy(e, in, a)
		return !t, err
	}, "falsy")
	add(testContains, "contains")
	add(testSubset, "subset", "issubset")
	add(testSuperset, "superset", "issuperset")
	for name, t := range coreTests() {
		m[name] = t
	}
	return m
}

// propagate returns the error carried by in unless it is "undefined".
func propagate(in *exec.Value) error {
	if in.IsError() {
		return errors.New(in.Error())
	}
	return nil
}

func testDefined(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
	if in.IsError() {
		if isUndefined(in) {
			return false, nil
		}
		return false, propagate(in)
	}
	return true, nil
}

func testUndefined(e *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
	d, err := testDefined(e, in, a)
	return !d, err
}

func testNone(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
	if err := propagate(in); err != nil {
		return false, err
	}
	return in.IsNil(), nil
}

// resultView reads flags of a registered result (any map type).
type resultView struct{ v *exec.Value }

func (r resultView) flag(k string) bool {
	item, ok := r.v.GetItem(k)
	if !ok || item.IsError() {
		return false
	}
	return Truthy(toNative(item))
}

func resultTest(name string, f func(resultView) bool) testFn {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		if err := propagate(in); err != nil {
			return false, err
		}
		if in.IsNil() || reflect.Indirect(in.Val).Kind() != reflect.Map {
			return false, fmt.Errorf("the '%s' test expects a dictionary (a registered result)", name)
		}
		return f(resultView{in}), nil
	}
}

// regexTest is Ansible's match (anchored at the start) and search.
func regexTest(name string, anchored bool) testFn {
	return func(_ *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
		if err := propagate(in); err != nil {
			return false, err
		}
		re, err := regexArgsAt(a, 1, 2)
		if err != nil {
			return false, fmt.Errorf("test '%s': %w", name, err)
		}
		s := pyStr(toNative(in))
		loc := re.FindStringIndex(s)
		if loc == nil {
			return false, nil
		}
		if anchored && loc[0] != 0 {
			// RE2 finds the leftmost match; an anchored retry decides.
			re2, err := compileRegex(`\A(?:`+re.String()+`)`, false, false)
			if err != nil {
				return false, err
			}
			return re2.MatchString(s), nil
		}
		return true, nil
	}
}

func testTruthy(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
	if err := propagate(in); err != nil {
		return false, err
	}
	return Truthy(toNative(in)), nil
}

func testContains(_ *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
	if err := propagate(in); err != nil {
		return false, err
	}
	return in.Contains(a.First()), nil
}

func testSubset(_ *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
	if err := propagate(in); err != nil {
		return false, err
	}
	sub, err := sequence(toNative(in))
	if err != nil {
		return false, err
	}
	sup, err := sequence(toNative(a.First()))
	if err != nil {
		return false, err
	}
	return subset(sub, sup), nil
}

func testSuperset(_ *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
	if err := propagate(in); err != nil {
		return false, err
	}
	sup, err := sequence(toNative(in))
	if err != nil {
		return false, err
	}
	sub, err := sequence(toNative(a.First()))
	if err != nil {
		return false, err
	}
	return subset(sub, sup), nil
}

func subset(sub, sup []any) bool {
	have := map[string]bool{}
	for _, x := range sup {
		have[key(x)] = true
	}
	for _, x := range sub {
		if !have[key(x)] {
			return false
		}
	}
	return true
}

// testVersion is Ansible's version(other, operator='eq') test, comparing
// as LooseVersion does: numeric and alphabetic components in order.
func testVersion(_ *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
	if err := propagate(in); err != nil {
		return false, err
	}
	if len(a.Args) == 0 {
		return false, errors.New("version test needs a version to compare with")
	}
	op := argString(a, 1, "operator", "eq")
	return compareVersions(pyStr(toNative(in)), a.Args[0].String(), op)
}

func fVersionCompare(in any, a *exec.VarArgs) (any, error) {
	if len(a.Args) == 0 {
		return nil, errors.New("version_compare needs a version to compare with")
	}
	return compareVersions(pyStr(in), a.Args[0].String(), argString(a, 1, "operator", "eq"))
}

func compareVersions(x, y, op string) (bool, error) {
	c := versionCmp(x, y)
	switch op {
	case "==", "=", "eq":
		return c == 0, nil
	case "!=", "<>", "ne":
		return c != 0, nil
	case "<", "lt":
		return c < 0, nil
	case "<=", "le":
		return c <= 0, nil
	case ">", "gt":
		return c > 0, nil
	case ">=", "ge":
		return c >= 0, nil
	}
	return false, fmt.Errorf("invalid version comparison operator %q", op)
}

// versionParts splits "5.10.0-21-amd64" into 5 10 0 21 amd 64.
func versionParts(v string) []string {
	var parts []string
	cur := []rune{}
	kind := 0 // 1 digit, 2 letter
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range v {
		k := 0
		switch {
		case unicode.IsDigit(r):
			k = 1
		case unicode.IsLetter(r):
			k = 2
		}
		if k == 0 || k != kind {
			flush()
		}
		kind = k
		if k != 0 {
			cur = append(cur, r)
		}
	}
	flush()
	return parts
}

func versionCmp(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		if i >= len(pa) {
			return -1
		}
		if i >= len(pb) {
			return 1
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
		case ea == nil: // numbers sort after letters in LooseVersion? keep numbers greater
			return 1
		case eb == nil:
			return -1
		default:
			if c := strings.Compare(pa[i], pb[i]); c != 0 {
				return c
			}
		}
	}
	return 0
}
