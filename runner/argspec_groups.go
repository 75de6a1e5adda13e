package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/drover-sh/drover/playbooks/template"
)

// The group checks of an argument spec: mutually_exclusive,
// required_one_of, required_together, required_if, required_by.

// asTermGroups reads a list of term lists; a bare string is a one-name
// group.
func asTermGroups(v any) [][]string {
	list, _ := v.([]any)
	var out [][]string
	for _, g := range list {
		switch t := g.(type) {
		case []any:
			var names []string
			for _, n := range t {
				names = append(names, asPyStr(n))
			}
			out = append(out, names)
		default:
			out = append(out, []string{asPyStr(t)})
		}
	}
	return out
}

func asCountTerms(terms []string, params map[string]any) int {
	n := 0
	seen := map[string]bool{}
	for _, t := range terms {
		if _, ok := params[t]; ok && !seen[t] {
			n++
		}
		seen[t] = true
	}
	return n
}

func asCheckMutuallyExclusive(v any, params map[string]any, ctx []string) error {
	var hits []string
	for _, g := range asTermGroups(v) {
		if asCountTerms(g, params) > 1 {
			hits = append(hits, strings.Join(g, "|"))
		}
	}
	if len(hits) == 0 {
		return nil
	}
	return fmt.Errorf("%s", asInCtx("parameters are mutually exclusive: "+strings.Join(hits, ", "), ctx))
}

func asCheckRequiredOneOf(v any, params map[string]any, ctx []string) error {
	for _, g := range asTermGroups(v) {
		if asCountTerms(g, params) == 0 {
			return fmt.Errorf("%s", asInCtx("one of the following is required: "+strings.Join(g, ", "), ctx))
		}
	}
	return nil
}

func asCheckRequiredTogether(v any, params map[string]any, ctx []string) error {
	for _, g := range asTermGroups(v) {
		some, none := false, false
		for _, f := range g {
			if _, ok := params[f]; ok {
				some = true
			} else {
				none = true
			}
		}
		if some && none {
			return fmt.Errorf("%s", asInCtx("parameters are required together: "+strings.Join(g, ", "), ctx))
		}
	}
	return nil
}

func asCheckRequiredIf(v any, params map[string]any, ctx []string) error {
	list, _ := v.([]any)
	for _, r := range list {
		req, ok := r.([]any)
		if !ok || len(req) < 3 {
			continue
		}
		key, val := asPyStr(req[0]), req[1]
		var reqs []string
		if rl, ok := req[2].([]any); ok {
			for _, x := range rl {
				reqs = append(reqs, asPyStr(x))
			}
		} else {
			reqs = []string{asPyStr(req[2])}
		}
		oneOf := len(req) == 4 && template.PyTruth(req[3])
		maxMissing, requires := 0, "all"
		if oneOf {
			maxMissing, requires = len(reqs), "any"
		}
		var missing []string
		if pv, ok := params[key]; ok && asPyEq(pv, val) {
			for _, c := range reqs {
				if _, ok := params[c]; !ok {
					missing = append(missing, c)
				}
			}
		}
		if len(missing) > 0 && len(missing) >= maxMissing {
			return fmt.Errorf("%s", asInCtx(fmt.Sprintf("%s is %s but %s of the following are missing: %s", key, asPyStr(val), requires, strings.Join(missing, ", ")), ctx))
		}
	}
	return nil
}

func asCheckRequiredBy(v any, params map[string]any, ctx []string) error {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if params[k] == nil {
			continue
		}
		var reqs []string
		if l, ok := m[k].([]any); ok {
			for _, x := range l {
				reqs = append(reqs, asPyStr(x))
			}
		} else {
			reqs = []string{asPyStr(m[k])}
		}
		var missing []string
		for _, r := range reqs {
			if params[r] == nil {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s", asInCtx(fmt.Sprintf("missing parameter(s) required by '%s': %s", k, strings.Join(missing, ", ")), ctx))
		}
	}
	return nil
}
