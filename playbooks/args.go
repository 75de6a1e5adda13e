package playbooks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drover-sh/drover/modules"
)

// checkArgs checks a task's arguments against its module's schema.
func (v *validator) checkArgs(t *Task) {
	schema, ok := schemaOf(t.Module)
	if !ok {
		return
	}
	tm := v.meta.tasks[t]
	argPos := func(name string) Pos {
		if tm != nil {
			if p, ok := tm.args[name]; ok {
				return p
			}
			if tm.modPos.Line > 0 {
				return tm.modPos
			}
		}
		return t.Pos
	}
	modPos := t.Pos
	if tm != nil && tm.modPos.Line > 0 {
		modPos = tm.modPos
	}
	// canonical maps every name and alias to the argument's name.
	canonical, names := argNames(schema)
	present := map[string]bool{}
	// module_defaults around the task give arguments too.
	for k := range v.defaults(t) {
		present[canonical[k]] = true
	}
	for _, k := range sortedKeys(t.Args) {
		val := t.Args[k]
		if k == "_raw_params" {
			if !schema.FreeForm {
				v.c.add(argPos(k), "module '%s' takes no free-form argument", t.Module)
				continue
			}
		}
		name, ok := canonical[k]
		if !ok && schema.AnyArgs {
			continue
		}
		if !ok {
			if why, refused := schema.Unsupported[k]; refused {
				v.c.add(argPos(k), "argument '%s' of module '%s' is not supported: %s", k, t.Module, why)
			} else {
				v.c.add(argPos(k), "unknown argument '%s' for module '%s'%s", k, t.Module, didYouMean(k, names))
			}
			continue
		}
		present[name] = true
		a := schema.Args[name]
		if msg := checkType(a, val); msg != "" {
			v.c.add(argPos(k), "argument '%s' of module '%s' %s", k, t.Module, msg)
			continue
		}
		if len(a.Choices) > 0 {
			if s, literal := literalString(val); literal && !slices.Contains(a.Choices, s) {
				v.c.add(argPos(k), "argument '%s' of module '%s' must be one of %s, got '%s'%s", k, t.Module, strings.Join(a.Choices, ", "), s, didYouMean(s, a.Choices))
			}
		}
	}
	for _, name := range names {
		if schema.Args[name].Required && !present[name] {
			v.c.add(modPos, "module '%s' requires argument '%s'", t.Module, name)
		}
	}
	for _, group := range schema.MutuallyExclusive {
		var got []string
		for _, g := range group {
			if present[g] {
				got = append(got, argLabel(g))
			}
		}
		if len(got) > 1 {
			v.c.add(modPos, "arguments %s of module '%s' are mutually exclusive", quoteList(got), t.Module)
		}
	}
	for _, group := range schema.RequiredOneOf {
		found := false
		for _, g := range group {
			found = found || present[g]
		}
		if !found {
			labels := make([]string, len(group))
			for i, g := range group {
				labels[i] = argLabel(g)
			}
			v.c.add(modPos, "module '%s' requires one of %s", t.Module, quoteList(labels))
		}
	}
}

// argLabel names the free form readably.
func argLabel(name string) string {
	if name == "_raw_params" {
		return "the free form"
	}
	return name
}

// literalString returns a literal (not templated) scalar as a string.
func literalString(val any) (string, bool) {
	switch x := val.(type) {
	case string:
		if isTemplated(x) {
			return "", false
		}
		return x, true
	case bool, int, float64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// checkType returns "" when val may have the type (templates always may),
// or what is wrong.
func checkType(a modules.Arg, val any) string {
	if s, ok := val.(string); ok && isTemplated(s) {
		return ""
	}
	if _, ok := val.(Vaulted); ok {
		return ""
	}
	switch a.Type {
	case modules.TypeBool:
		switch x := val.(type) {
		case bool:
			return ""
		case string:
			if _, ok := parseBool(x); ok {
				return ""
			}
		case int:
			if x == 0 || x == 1 {
				return ""
			}
		}
		return "must be a boolean, got " + describeValue(val)
	case modules.TypeInt:
		switch x := val.(type) {
		case int:
			return ""
		case string:
			if _, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
				return ""
			}
		}
		return "must be an integer, got " + describeValue(val)
	case modules.TypeFloat:
		switch x := val.(type) {
		case int, float64:
			return ""
		case string:
			if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return ""
			}
		}
		return "must be a number, got " + describeValue(val)
	case modules.TypeDuration:
		switch x := val.(type) {
		case int, float64:
			return ""
		case string:
			s := strings.TrimSpace(x)
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return ""
			}
			if _, err := time.ParseDuration(s); err == nil {
				return ""
			}
		}
		return "must be a duration (seconds, or such as 30s, 2m), got " + describeValue(val)
	case modules.TypeList:
		switch val.(type) {
		case []any, string, int, float64:
			return ""
		}
		return "must be a list, got " + describeValue(val)
	case modules.TypeDict:
		if _, ok := val.(map[string]any); ok {
			return ""
		}
		return "must be a mapping, got " + describeValue(val)
	case modules.TypeString, modules.TypePath, modules.TypeRaw:
		switch val.(type) {
		case string, int, float64, bool:
			return ""
		}
		return "must be a string, got " + describeValue(val)
	}
	return ""
}

func describeValue(val any) string {
	switch x := val.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(val)
}
