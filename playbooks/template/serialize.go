package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"gopkg.in/yaml.v3"
)

// marshalJSON encodes v as Python's json.dumps does: ", " and ": "
// separators when compact, indent spaces otherwise; map keys sorted.
func marshalJSON(v any, indent string, sortKeys bool) (string, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, indent, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v any, indent string, depth int) error {
	nl := func(d int) {
		if indent != "" {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(indent, d))
		}
	}
	sep := ", "
	if indent != "" {
		sep = ","
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case float64:
		switch {
		case math.IsNaN(t):
			b.WriteString("NaN")
		case math.IsInf(t, 1):
			b.WriteString("Infinity")
		case math.IsInf(t, -1):
			b.WriteString("-Infinity")
		case t == math.Trunc(t) && math.Abs(t) < 1e16:
			b.WriteString(strconv.FormatFloat(t, 'f', 1, 64))
		default:
			b.WriteString(strconv.FormatFloat(t, 'g', -1, 64))
		}
	case string:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(t); err != nil {
			return err
		}
		b.WriteString(strings.TrimSuffix(buf.String(), "\n"))
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, item := range t {
			if i > 0 {
				b.WriteString(sep)
			}
			nl(depth + 1)
			if err := writeJSON(b, item, indent, depth+1); err != nil {
				return err
			}
		}
		nl(depth)
		b.WriteByte(']')
	case map[string]any:
		if len(t) == 0 {
			b.WriteString("{}")
			return nil
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(sep)
			}
			nl(depth + 1)
			if err := writeJSON(b, k, indent, depth+1); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := writeJSON(b, t[k], indent, depth+1); err != nil {
				return err
			}
		}
		nl(depth)
		b.WriteByte('}')
	default:
		n := plain(v)
		if reflect.TypeOf(n) == reflect.TypeOf(v) {
			return fmt.Errorf("cannot encode %T as JSON", v)
		}
		return writeJSON(b, n, indent, depth)
	}
	return nil
}

// plain converts named maps/slices and other numeric kinds to the plain
// types writeJSON knows.
func plain(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[fmt.Sprint(it.Key().Interface())] = native(it.Value().Interface())
		}
		return out
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = native(rv.Index(i).Interface())
		}
		return out
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(rv.Uint())
	case reflect.Float32:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	}
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return v
}

func fToJSON(in any, _ *exec.VarArgs) (any, error) { return marshalJSON(in, "", true) }

func fToNiceJSON(in any, args *exec.VarArgs) (any, error) {
	return marshalJSON(in, strings.Repeat(" ", argInt(args, -1, "indent", 4)), true)
}

// fromJSONValue normalises decoded JSON: integral numbers become int.
func fromJSONValue(v any) any {
	switch t := v.(type) {
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return int(n)
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i := range t {
			t[i] = fromJSONValue(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = fromJSONValue(t[k])
		}
	}
	return v
}

func fFromJSON(in any, _ *exec.VarArgs) (any, error) {
	dec := json.NewDecoder(strings.NewReader(pyStr(in)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return fromJSONValue(v), nil
}

func toYAML(in any, indent int) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(indent)
	if err := enc.Encode(yamlSafe(in)); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// yamlSafe converts named types so the YAML encoder sees plain values.
func yamlSafe(v any) any {
	switch t := v.(type) {
	case nil, string, bool, int, int64, float64:
		return t
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = yamlSafe(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = yamlSafe(x)
		}
		return out
	}
	p := plain(v)
	if reflect.TypeOf(p) == reflect.TypeOf(v) {
		return p
	}
	return yamlSafe(p)
}

func fToYAML(in any, args *exec.VarArgs) (any, error) {
	return toYAML(in, argInt(args, -1, "indent", 2))
}

func fToNiceYAML(in any, args *exec.VarArgs) (any, error) {
	return toYAML(in, argInt(args, -1, "indent", 4))
}

func fFromYAML(in any, _ *exec.VarArgs) (any, error) {
	var v any
	if err := yaml.Unmarshal([]byte(pyStr(in)), &v); err != nil {
		return nil, err
	}
	return yamlSafe(normalizeYAML(v)), nil
}

// normalizeYAML turns map[any]any (non-string keys) into map[string]any.
func normalizeYAML(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalizeYAML(x)
		}
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalizeYAML(x)
		}
		return out
	case []any:
		for i, x := range t {
			t[i] = normalizeYAML(x)
		}
	}
	return v
}
