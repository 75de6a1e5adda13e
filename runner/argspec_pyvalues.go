package runner

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Python value behaviours the argument spec messages and checks rely on
// (type names, repr, equality).

func asStr(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case yamlStr:
		return string(t), true
	}
	return "", false
}

// asPyType is Python's type() of a value as Ansible's messages show it.
func asPyType(v any) string {
	if _, ok := v.(yamlStr); ok {
		return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
	}
	return "<class '" + asPyClassName(v) + "'>"
}

func asPyClassName(v any) string {
	switch v.(type) {
	case yamlStr:
		return "AnsibleUnicode"
	case string:
		return "str"
	case bool:
		return "bool"
	case int, int64:
		return "int"
	case float64:
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case nil:
		return "NoneType"
	}
	return fmt.Sprintf("%T", v)
}

// asPyStr is Python's str() of a value.
func asPyStr(v any) string {
	if s, ok := asStr(v); ok {
		return s
	}
	return asPyRepr(v)
}

func asPyRepr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case string, yamlStr:
		s, _ := asStr(t)
		if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
			return "\"" + s + "\""
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "\\", "\\\\"), "'", "\\'") + "'"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		if math.IsInf(t, 1) {
			return "inf"
		}
		if math.IsInf(t, -1) {
			return "-inf"
		}
		if math.IsNaN(t) {
			return "nan"
		}
		if t == math.Trunc(t) && math.Abs(t) < 1e16 {
			return strconv.FormatFloat(t, 'f', 1, 64)
		}
		return strconv.FormatFloat(t, 'g', -1, 64)
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = asPyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = asPyRepr(k) + ": " + asPyRepr(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// asPyEq is Python's ==: numbers (and booleans) by value, strings by text.
func asPyEq(a, b any) bool {
	if as, ok := asStr(a); ok {
		bs, ok := asStr(b)
		return ok && as == bs
	}
	if an, ok := asPyNum(a); ok {
		bn, ok := asPyNum(b)
		return ok && an == bn
	}
	switch t := a.(type) {
	case nil:
		return b == nil
	case []any:
		u, ok := b.([]any)
		if !ok || len(u) != len(t) {
			return false
		}
		for i := range t {
			if !asPyEq(t[i], u[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		u, ok := b.(map[string]any)
		if !ok || len(u) != len(t) {
			return false
		}
		for k, x := range t {
			y, ok := u[k]
			if !ok || !asPyEq(x, y) {
				return false
			}
		}
		return true
	}
	return false
}

func asPyNum(v any) (float64, bool) {
	switch t := v.(type) {
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}

func asPyIn(v any, list []any) bool {
	for _, x := range list {
		if asPyEq(v, x) {
			return true
		}
	}
	return false
}

func asDeepCopyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = asDeepCopyValue(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = asDeepCopyValue(e)
		}
		return s
	}
	return v
}
