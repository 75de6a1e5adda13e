package lookup

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// List is a loop value as a list (loop: without a with_* lookup): a list,
// a single string as one item, nothing for null or "", an error for a
// dict or anything else.
func List(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case map[string]any:
		return nil, fmt.Errorf("expected a list, got a dict (use dict2items, or with_dict)")
	case nil:
		return nil, nil
	case string:
		if x == "" {
			return nil, nil
		}
		return []any{x}, nil
	}
	return nil, fmt.Errorf("expected a list, got %T", v)
}

// flatten flattens nested lists depth levels deep (-1: all).
func flatten(l []any, depth int) []any {
	out := make([]any, 0, len(l))
	for _, x := range l {
		if sub, ok := x.([]any); ok && depth != 0 {
			out = append(out, flatten(sub, depth-1)...)
			continue
		}
		out = append(out, x)
	}
	return out
}

// dictItems is with_dict: {key, value} items, by key (Go maps have no
// order; Ansible keeps the mapping's).
func dictItems(v any) ([]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("with_dict expects a dict, got %T", v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]any{"key": k, "value": m[k]})
	}
	return out, nil
}

// lists is a with_together/with_nested value: a list of lists (a scalar
// counts as a list of one).
func lists(kind string, v any) ([][]any, error) {
	l, err := List(v)
	if err != nil {
		return nil, fmt.Errorf("with_%s: %w", kind, err)
	}
	out := make([][]any, 0, len(l))
	for _, x := range l {
		sub, ok := x.([]any)
		if !ok {
			sub = []any{x}
		}
		out = append(out, sub)
	}
	return out, nil
}

// together is with_together: the lists zipped, the shorter ones padded with
// null.
func together(v any) ([]any, error) {
	ls, err := lists("together", v)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, l := range ls {
		n = max(n, len(l))
	}
	out := make([]any, 0, n)
	for i := range n {
		item := make([]any, len(ls))
		for j, l := range ls {
			if i < len(l) {
				item[j] = l[i]
			}
		}
		out = append(out, item)
	}
	return out, nil
}

// nested is with_nested: every combination, the last list varying fastest.
func nested(v any) ([]any, error) {
	ls, err := lists("nested", v)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, nil
	}
	out := []any{[]any{}}
	for _, l := range ls {
		var next []any
		for _, prefix := range out {
			for _, x := range l {
				item := append(append([]any{}, prefix.([]any)...), x)
				next = append(next, item)
			}
		}
		out = next
	}
	return out, nil
}

// subelements is with_subelements: [list of dicts, "key" (may be
// "a.b"), optional {skip_missing: bool}] → [element, sub-element] items.
func subelements(v any) ([]any, error) {
	args, ok := v.([]any)
	if !ok || len(args) < 2 || len(args) > 3 {
		return nil, fmt.Errorf("with_subelements expects [list, 'key'] or [list, 'key', {skip_missing: true}]")
	}
	elems, err := List(args[0])
	if err != nil {
		return nil, fmt.Errorf("with_subelements: %w", err)
	}
	key, ok := args[1].(string)
	if !ok || key == "" {
		return nil, fmt.Errorf("with_subelements: the second term must be a key name, got %v", args[1])
	}
	skip := false
	if len(args) == 3 {
		flags, ok := args[2].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("with_subelements: the third term must be a dict of flags, got %T", args[2])
		}
		for k, f := range flags {
			if k != "skip_missing" {
				return nil, fmt.Errorf("with_subelements: unknown flag %q (skip_missing is the only one)", k)
			}
			skip = truthy(f)
		}
	}
	var out []any
	for i, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("with_subelements: item %d is %T, not a dict", i, e)
		}
		var sub any = m
		for _, part := range strings.Split(key, ".") {
			d, ok := sub.(map[string]any)
			if !ok {
				sub = nil
				break
			}
			if sub, ok = d[part]; !ok {
				sub = nil
				break
			}
		}
		if sub == nil {
			if skip {
				continue
			}
			return nil, fmt.Errorf("with_subelements: item %d has no key %q (add {skip_missing: true} to skip such items)", i, key)
		}
		subs, ok := sub.([]any)
		if !ok {
			return nil, fmt.Errorf("with_subelements: item %d: %q is %T, not a list", i, key, sub)
		}
		for _, s := range subs {
			out = append(out, []any{e, s})
		}
	}
	return out, nil
}

// truthy is Ansible's boolean reading of a flag.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes", "on", "y", "1":
			return true
		}
	case int:
		return x != 0
	}
	return false
}

// sequence is with_sequence: "start=1 end=10 stride=2 format=web%02d",
// "count=4", or the short form "[start-]end[/stride][:format]"; items are
// strings.
func sequence(v any) ([]any, error) {
	spec, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("with_sequence expects a string such as 'start=1 end=5' or '1-5', got %T", v)
	}
	start, end, stride, count, format := 1, 0, 1, -1, "%d"
	haveEnd := false
	num := func(k, s string) (int, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64)
		if err != nil {
			return 0, fmt.Errorf("with_sequence: %s=%q is not a number", k, s)
		}
		return int(n), nil
	}
	var err error
	if !strings.Contains(spec, "=") {
		// short form
		s := strings.TrimSpace(spec)
		if i := strings.Index(s, ":"); i >= 0 {
			s, format = s[:i], s[i+1:]
		}
		if i := strings.Index(s, "/"); i >= 0 {
			if stride, err = num("stride", s[i+1:]); err != nil {
				return nil, err
			}
			s = s[:i]
		}
		if i := strings.Index(s, "-"); i > 0 {
			if start, err = num("start", s[:i]); err != nil {
				return nil, err
			}
			s = s[i+1:]
		}
		if end, err = num("end", s); err != nil {
			return nil, err
		}
		haveEnd = true
	} else {
		for _, f := range strings.Fields(spec) {
			k, val, ok := strings.Cut(f, "=")
			if !ok {
				return nil, fmt.Errorf("with_sequence: %q is not key=value", f)
			}
			switch k {
			case "start":
				start, err = num(k, val)
			case "end":
				end, err = num(k, val)
				haveEnd = true
			case "stride":
				stride, err = num(k, val)
			case "count":
				count, err = num(k, val)
			case "format":
				format = val
			default:
				return nil, fmt.Errorf("with_sequence: unknown key %q (start, end, stride, count, format)", k)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	switch {
	case count >= 0 && haveEnd:
		return nil, fmt.Errorf("with_sequence: give end or count, not both")
	case count == 0:
		return nil, nil
	case count > 0:
		end = start + (count-1)*stride
	case !haveEnd:
		return nil, fmt.Errorf("with_sequence: end or count is required")
	}
	if stride == 0 {
		return nil, fmt.Errorf("with_sequence: stride must not be 0")
	}
	if (stride > 0 && end < start) || (stride < 0 && end > start) {
		return nil, fmt.Errorf("with_sequence: to count from %d to %d the stride must be %s", start, end, map[bool]string{true: "negative", false: "positive"}[end < start])
	}
	render, err := seqFormat(format)
	if err != nil {
		return nil, err
	}
	var out []any
	for i := start; (stride > 0 && i <= end) || (stride < 0 && i >= end); i += stride {
		out = append(out, render(i))
		if len(out) > 1_000_000 {
			return nil, fmt.Errorf("with_sequence: more than a million items")
		}
	}
	return out, nil
}

// seqDirective is a with_sequence format's directive, after its %.
var seqDirective = regexp.MustCompile(`^([-+ #0]*)([0-9]{0,3})(\.[0-9]{1,3})?([diouxXeEfFgGs])`)

// seqFormat turns a with_sequence format (Python's %-formatting of one
// number) into a function: exactly one directive among d i u o x X e E f
// F g G s; %% is a literal %.
func seqFormat(format string) (func(int) string, error) {
	bad := fmt.Errorf("with_sequence: format %q must have exactly one %%-directive for the number (such as %%d, %%02d, %%x)", format)
	var prefix, suffix strings.Builder
	var spec, verb string
	for i := 0; i < len(format); i++ {
		out := &prefix
		if verb != "" {
			out = &suffix
		}
		if format[i] != '%' {
			out.WriteByte(format[i])
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			out.WriteByte('%')
			i++
			continue
		}
		m := seqDirective.FindStringSubmatch(format[i+1:])
		if verb != "" || m == nil {
			return nil, bad
		}
		spec, verb = "%"+m[1]+m[2]+m[3], m[4]
		i += len(m[0])
	}
	if verb == "" {
		return nil, bad
	}
	conv := func(i int) any { return i }
	switch verb {
	case "i", "u", "s":
		verb = "d"
	case "e", "E", "f", "F", "g", "G":
		conv = func(i int) any { return float64(i) }
	}
	goFmt := spec + verb
	return func(i int) string {
		return prefix.String() + fmt.Sprintf(goFmt, conv(i)) + suffix.String()
	}, nil
}

// fileglob is the fileglob lookup: the files (not directories) matching
// each pattern, sorted, as absolute paths. A relative pattern is looked
// up, as Ansible's files search path does, in dir's files/, its role's
// files/ (dir being roles/x/tasks), then dir itself; the first directory
// where it matches wins. No match is no item.
func fileglob(terms []any, dir string) ([]any, error) {
	var out []any
	for _, p := range terms {
		pat, ok := p.(string)
		if !ok {
			return nil, fmt.Errorf("fileglob: pattern %v is not a string", p)
		}
		for _, t := range searchPath(pat, dir) {
			m, err := filepath.Glob(t)
			if err != nil {
				return nil, fmt.Errorf("fileglob: %q: %w", pat, err)
			}
			var files []string
			for _, f := range m {
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					files = append(files, f)
				}
			}
			if len(files) > 0 {
				sort.Strings(files)
				for _, f := range files {
					out = append(out, f)
				}
				break
			}
		}
	}
	return out, nil
}

// searchPath is where a relative file name is looked for, in order: dir's
// files/, its role's files/ (dir being roles/x/tasks), dir. An absolute
// name is itself.
func searchPath(name, dir string) []string { return SearchPath(name, dir, "files") }

// SearchPath is where a lookup looks for a relative file name, in order:
// dir/sub, the role's sub directory (dir being roles/x/tasks), dir. sub is
// "files" for file lookups, "templates" for the template lookup. An
// absolute name is itself.
func SearchPath(name, dir, sub string) []string {
	if filepath.IsAbs(name) {
		return []string{name}
	}
	dir, _ = filepath.Abs(dir)
	bases := []string{filepath.Join(dir, sub)}
	if filepath.Base(dir) == "tasks" {
		bases = append(bases, filepath.Join(filepath.Dir(dir), sub))
	}
	bases = append(bases, dir)
	out := make([]string, len(bases))
	for i, b := range bases {
		out[i] = filepath.Join(b, name)
	}
	return out
}
