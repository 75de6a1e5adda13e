package template

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// filterFunc is a filter on native Go values; in is never an error value.
type filterFunc func(in any, args *exec.VarArgs) (any, error)

// wrap adapts a filterFunc to gonja: errors (undefined included) in the
// input propagate, results are converted back into gonja values.
func wrap(name string, f filterFunc) exec.FilterFunction {
	return func(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		out, err := f(toNative(in), params)
		if err != nil {
			return exec.AsValue(fmt.Errorf("filter '%s': %w", name, err))
		}
		return exec.AsValue(out)
	}
}

// ansibleFilters returns the filters drover adds to, or replaces in, gonja.
func ansibleFilters() map[string]exec.FilterFunction {
	m := map[string]exec.FilterFunction{
		"default":         filterDefault,
		"d":               filterDefault,
		"mandatory":       filterMandatory,
		"bool":            wrap("bool", fBool),
		"int":             wrap("int", fInt),
		"float":           wrap("float", fFloat),
		"string":          wrap("string", fString),
		"split":           wrap("split", fSplit),
		"first":           wrap("first", fFirst),
		"last":            wrap("last", fLast),
		"unique":          wrap("unique", fUnique),
		"flatten":         wrap("flatten", fFlatten),
		"difference":      wrap("difference", fDifference),
		"intersect":       wrap("intersect", fIntersect),
		"union":           wrap("union", fUnion),
		"combine":         wrap("combine", fCombine),
		"dict2items":      wrap("dict2items", fDict2Items),
		"extract":         wrap("extract", fExtract),
		"items2dict":      wrap("items2dict", fItems2Dict),
		"ternary":         wrap("ternary", fTernary),
		"basename":        wrap("basename", fBasename),
		"dirname":         wrap("dirname", fDirname),
		"quote":           wrap("quote", fQuote),
		"b64encode":       wrap("b64encode", fB64Encode),
		"b64decode":       wrap("b64decode", fB64Decode),
		"regex_search":    wrap("regex_search", fRegexSearch),
		"regex_replace":   wrap("regex_replace", fRegexReplace),
		"regex_findall":   wrap("regex_findall", fRegexFindall),
		"regex_escape":    wrap("regex_escape", fRegexEscape),
		"to_json":         wrap("to_json", fToJSON),
		"to_nice_json":    wrap("to_nice_json", fToNiceJSON),
		"from_json":       wrap("from_json", fFromJSON),
		"to_yaml":         wrap("to_yaml", fToYAML),
		"to_nice_yaml":    wrap("to_nice_yaml", fToNiceYAML),
		"from_yaml":       wrap("from_yaml", fFromYAML),
		"type_debug":      wrap("type_debug", fTypeDebug),
		"version_compare": wrap("version_compare", fVersionCompare),
		"selectattr":      selectAttr(false),
		"rejectattr":      selectAttr(true),
	}
	for name, f := range coreFilters() {
		m[name] = f
	}
	return m
}

// filterDefault is Ansible's default(value=”, boolean=false): it replaces
// an undefined input, or with boolean=true any falsy input.
func filterDefault(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	var (
		def     any = ""
		boolean bool
	)
	if err := params.Take(
		exec.KeywordArgument("default_value", exec.AsValue(""), exec.AnyArgument(&def)),
		exec.KeywordArgument("boolean", exec.AsValue(false), exec.BoolArgument(&boolean)),
	); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if in.IsError() {
		if isUndefined(in) {
			return exec.ToValue(def)
		}
		return in
	}
	if boolean && !Truthy(toNative(in)) {
		return exec.ToValue(def)
	}
	return in
}

// filterMandatory fails on an undefined input, with an optional message.
func filterMandatory(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	var msg string
	if err := params.Take(exec.KeywordArgument("msg", exec.AsValue(""), exec.StringArgument(&msg))); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if in.IsError() && isUndefined(in) && msg != "" {
		return exec.AsValue(errors.New(msg))
	}
	return in
}

func argString(args *exec.VarArgs, i int, name, def string) string {
	if v, ok := argValue(args, i, name); ok {
		if v == nil {
			return def
		}
		return pyStr(v)
	}
	return def
}

func argBool(args *exec.VarArgs, i int, name string, def bool) bool {
	if v, ok := argValue(args, i, name); ok {
		return Truthy(v)
	}
	return def
}

func argInt(args *exec.VarArgs, i int, name string, def int) int {
	if v, ok := argValue(args, i, name); ok {
		if n, err := toInt(v); err == nil {
			return n
		}
	}
	return def
}

// argValue returns positional argument i (if i >= 0 and given) or keyword
// argument name.
func argValue(args *exec.VarArgs, i int, name string) (any, bool) {
	if i >= 0 && i < len(args.Args) {
		return toNative(args.Args[i]), true
	}
	if v, ok := args.KwArgs[name]; ok && name != "" {
		return toNative(v), true
	}
	return nil, false
}

// Truthy converts a value to a boolean with the rules drover uses for
// conditionals: booleans are themselves; nil is false; numbers are true
// when non-zero; strings "true", "yes", "on", "y", "1" (any case) are true
// and "false", "no", "off", "n", "0" and "" are false, any other non-empty
// string is true; lists and maps are true when non-empty.
func Truthy(v any) bool {
	if t, ok := v.(string); ok {
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "", "false", "no", "off", "n", "0", "none", "null":
			return false
		}
		return true
	}
	return PyTruth(v)
}

// fBool is Ansible's bool filter.
func fBool(in any, _ *exec.VarArgs) (any, error) {
	switch t := in.(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "yes", "on", "1", "true", "y":
			return true, nil
		}
		return false, nil
	case int:
		return t == 1, nil
	case float64:
		return t == 1, nil
	}
	return false, nil
}

func toInt(v any) (int, error) {
	switch t := v.(type) {
	case int:
		return t, nil
	case int64:
		return int(t), nil
	case float64:
		return int(t), nil
	case bool:
		if t {
			return 1, nil
		}
		return 0, nil
	case string:
		s := strings.TrimSpace(t)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return int(n), nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return int(f), nil
		}
	}
	return 0, fmt.Errorf("cannot convert %v to int", v)
}

// fInt is Jinja2's int(default=0, base=10).
func fInt(in any, args *exec.VarArgs) (any, error) {
	def, _ := argValue(args, 0, "default")
	if def == nil {
		def = 0
	}
	base := argInt(args, 1, "base", 10)
	if s, ok := in.(string); ok && base != 10 {
		s = strings.TrimSpace(strings.ToLower(s))
		for _, p := range []string{"0x", "0o", "0b"} {
			s = strings.TrimPrefix(s, p)
		}
		if n, err := strconv.ParseInt(s, base, 64); err == nil {
			return int(n), nil
		}
		return def, nil
	}
	n, err := toInt(in)
	if err != nil {
		return def, nil
	}
	return n, nil
}

func fFloat(in any, args *exec.VarArgs) (any, error) {
	def, _ := argValue(args, 0, "default")
	if def == nil {
		def = 0.0
	}
	switch t := in.(type) {
	case int:
		return float64(t), nil
	case float64:
		return t, nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(t), 64); err == nil {
			return f, nil
		}
	}
	return def, nil
}

func fString(in any, _ *exec.VarArgs) (any, error) { return pyStr(in), nil }

// pyStr formats a value as Python's str() does.
func pyStr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case string:
		return t
	}
	return exec.AsValue(v).String()
}

// fSplit is Python's str.split(sep=None, maxsplit=-1).
func fSplit(in any, args *exec.VarArgs) (any, error) {
	s := pyStr(in)
	sepv, _ := argValue(args, 0, "sep")
	max := argInt(args, 1, "maxsplit", -1)
	var parts []string
	if sepv == nil {
		parts = strings.Fields(s)
		if max >= 0 && len(parts) > max+1 {
			// Re-split keeping the remainder intact.
			rest := strings.TrimLeft(s, " \t\n\r\v\f")
			parts = parts[:0]
			for i := 0; i < max; i++ {
				j := strings.IndexAny(rest, " \t\n\r\v\f")
				parts = append(parts, rest[:j])
				rest = strings.TrimLeft(rest[j:], " \t\n\r\v\f")
			}
			parts = append(parts, rest)
		}
	} else {
		sep := pyStr(sepv)
		if sep == "" {
			return nil, errors.New("empty separator")
		}
		parts = strings.SplitN(s, sep, max+1)
		if max < 0 {
			parts = strings.Split(s, sep)
		}
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// sequence returns a value's items as a list: lists as they are, strings
// as characters, maps as their sorted keys.
func sequence(v any) ([]any, error) {
	switch t := v.(type) {
	case []any:
		return t, nil
	case string:
		out := make([]any, 0, len(t))
		for _, r := range t {
			out = append(out, string(r))
		}
		return out, nil
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out, nil
	case nil:
		return nil, errors.New("None is not iterable")
	}
	return nil, fmt.Errorf("%T is not iterable", v)
}

func fFirst(in any, _ *exec.VarArgs) (any, error) {
	s, err := sequence(in)
	if err != nil {
		return nil, err
	}
	if len(s) == 0 {
		return nil, errors.New("no first item, sequence was empty")
	}
	return s[0], nil
}

func fLast(in any, _ *exec.VarArgs) (any, error) {
	s, err := sequence(in)
	if err != nil {
		return nil, err
	}
	if len(s) == 0 {
		return nil, errors.New("no last item, sequence was empty")
	}
	return s[len(s)-1], nil
}

// key returns a comparable identity for a native value.
func key(v any) string {
	switch t := v.(type) {
	case string:
		return "s" + t
	case int:
		return "n" + strconv.Itoa(t)
	case float64:
		if t == float64(int(t)) {
			return "n" + strconv.Itoa(int(t))
		}
		return "f" + strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		return "b" + strconv.FormatBool(t)
	case nil:
		return "z"
	}
	b, _ := marshalJSON(v, "", true)
	return "j" + b
}

func fUnique(in any, _ *exec.VarArgs) (any, error) {
	s, err := sequence(in)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := make([]any, 0, len(s))
	for _, item := range s {
		k := key(item)
		if !seen[k] {
			seen[k] = true
			out = append(out, item)
		}
	}
	return out, nil
}

func fFlatten(in any, args *exec.VarArgs) (any, error) {
	levels := argInt(args, 0, "levels", -1)
	s, err := sequence(in)
	if err != nil {
		return nil, err
	}
	var out []any
	var walk func([]any, int)
	walk = func(list []any, depth int) {
		for _, item := range list {
			if sub, ok := item.([]any); ok && (levels < 0 || depth < levels) {
				walk(sub, depth+1)
				continue
			}
			if item == nil {
				continue // Ansible drops None/null by default
			}
			out = append(out, item)
		}
	}
	walk(s, 0)
	if out == nil {
		out = []any{}
	}
	return out, nil
}

func setOp(in any, args *exec.VarArgs, keep func(inA, inB bool) bool, includeB bool) (any, error) {
	a, err := sequence(in)
	if err != nil {
		return nil, err
	}
	bv, _ := argValue(args, 0, "")
	b, err := sequence(bv)
	if err != nil {
		return nil, err
	}
	inB := map[string]bool{}
	for _, x := range b {
		inB[key(x)] = true
	}
	inA := map[string]bool{}
	for _, x := range a {
		inA[key(x)] = true
	}
	seen := map[string]bool{}
	out := []any{}
	add := func(x any, fromA bool) {
		k := key(x)
		if seen[k] {
			return
		}
		if keep(inA[k], inB[k]) {
			seen[k] = true
			out = append(out, x)
		}
	}
	for _, x := range a {
		add(x, true)
	}
	if includeB {
		for _, x := range b {
			add(x, false)
		}
	}
	return out, nil
}

func fDifference(in any, args *exec.VarArgs) (any, error) {
	return setOp(in, args, func(a, b bool) bool { return a && !b }, false)
}

func fIntersect(in any, args *exec.VarArgs) (any, error) {
	return setOp(in, args, func(a, b bool) bool { return a && b }, false)
}

func fUnion(in any, args *exec.VarArgs) (any, error) {
	return setOp(in, args, func(a, b bool) bool { return a || b }, true)
}

// fCombine merges maps left to right; recursive=true merges nested maps.
func fCombine(in any, args *exec.VarArgs) (any, error) {
	recursive := argBool(args, -1, "recursive", false)
	base, ok := in.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expects dictionaries, got %T", in)
	}
	out := merge(map[string]any{}, base, false)
	for _, a := range args.Args {
		m, ok := toNative(a).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("expects dictionaries, got %T", toNative(a))
		}
		out = merge(out, m, recursive)
	}
	return out, nil
}

func merge(dst, src map[string]any, recursive bool) map[string]any {
	for k, v := range src {
		if recursive {
			if dm, ok := dst[k].(map[string]any); ok {
				if sm, ok := v.(map[string]any); ok {
					dst[k] = merge(merge(map[string]any{}, dm, false), sm, true)
					continue
				}
			}
		}
		dst[k] = v
	}
	return dst
}

func fDict2Items(in any, args *exec.VarArgs) (any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("requires a dictionary, got %T", in)
	}
	kn := argString(args, -1, "key_name", "key")
	vn := argString(args, -1, "value_name", "value")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = map[string]any{kn: k, vn: m[k]}
	}
	return out, nil
}

func fItems2Dict(in any, args *exec.VarArgs) (any, error) {
	list, ok := in.([]any)
	if !ok {
		return nil, fmt.Errorf("requires a list, got %T", in)
	}
	kn := argString(args, -1, "key_name", "key")
	vn := argString(args, -1, "value_name", "value")
	out := make(map[string]any, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("requires a list of dictionaries, got %T", item)
		}
		out[pyStr(m[kn])] = m[vn]
	}
	return out, nil
}

func fTernary(in any, args *exec.VarArgs) (any, error) {
	t, _ := argValue(args, 0, "true_val")
	f, _ := argValue(args, 1, "false_val")
	if len(args.Args) > 2 && in == nil {
		n, _ := argValue(args, 2, "none_val")
		return n, nil
	}
	if Truthy(in) {
		return t, nil
	}
	return f, nil
}

// fBasename is Python's os.path.basename.
func fBasename(in any, _ *exec.VarArgs) (any, error) {
	s := pyStr(in)
	return s[strings.LastIndexByte(s, '/')+1:], nil
}

// fDirname is Python's os.path.dirname.
func fDirname(in any, _ *exec.VarArgs) (any, error) {
	s := pyStr(in)
	head := s[:strings.LastIndexByte(s, '/')+1]
	if strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head, nil
}

// fQuote is Python's shlex.quote.
func fQuote(in any, _ *exec.VarArgs) (any, error) {
	if in == nil {
		in = ""
	}
	return ShellQuote(pyStr(in)), nil
}

// ShellQuote quotes s for a POSIX shell as Python's shlex.quote does.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func fB64Encode(in any, _ *exec.VarArgs) (any, error) {
	return base64.StdEncoding.EncodeToString([]byte(pyStr(in))), nil
}

func fB64Decode(in any, _ *exec.VarArgs) (any, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pyStr(in)))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func fTypeDebug(in any, _ *exec.VarArgs) (any, error) {
	switch in.(type) {
	case nil:
		return "NoneType", nil
	case string:
		return "str", nil
	case bool:
		return "bool", nil
	case int, int64:
		return "int", nil
	case float64:
		return "float", nil
	case []any:
		return "list", nil
	case map[string]any:
		return "dict", nil
	}
	return fmt.Sprintf("%T", in), nil
}
