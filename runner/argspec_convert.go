package runner

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Type conversions of an argument spec (str, int, bool, dict, bytes, ...)
// as ansible-core 2.14 performs them.

// asConvertType is Ansible's check_type_* for the spec's type names.
func asConvertType(wanted string, v any) (any, error) {
	s, isStr := asStr(v)
	switch wanted {
	case "str":
		if isStr {
			return v, nil
		}
		return asPyStr(v), nil
	case "path":
		if isStr {
			return s, nil
		}
		return asPyStr(v), nil
	case "raw":
		return v, nil
	case "list":
		switch t := v.(type) {
		case []any:
			return t, nil
		case int, float64, bool:
			return []any{asPyStr(t)}, nil
		}
		if isStr {
			parts := strings.Split(s, ",")
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		}
		return nil, fmt.Errorf("%s cannot be converted to a list", asPyType(v))
	case "dict":
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
		if isStr {
			return asCheckTypeDict(s)
		}
		return nil, fmt.Errorf("%s cannot be converted to a dict", asPyType(v))
	case "bool":
		switch t := v.(type) {
		case bool:
			return t, nil
		case int, float64:
			if asPyIn(t, asBoolTrue) {
				return true, nil
			}
			if asPyIn(t, asBoolFalse) {
				return false, nil
			}
			return nil, asBadBool(asPyStr(t))
		}
		if isStr {
			n := strings.ToLower(strings.TrimSpace(s))
			if asPyIn(n, asBoolTrue) {
				return true, nil
			}
			if asPyIn(n, asBoolFalse) {
				return false, nil
			}
			return nil, asBadBool(s)
		}
		return nil, fmt.Errorf("%s cannot be converted to a bool", asPyType(v))
	case "int":
		switch t := v.(type) {
		case int, bool:
			return t, nil
		}
		if isStr {
			if i, ok := asPyInt(s); ok {
				return i, nil
			}
		}
		return nil, fmt.Errorf("%s cannot be converted to an int", asPyType(v))
	case "float":
		switch t := v.(type) {
		case float64:
			return t, nil
		case int:
			return float64(t), nil
		case bool:
			if t {
				return 1.0, nil
			}
			return 0.0, nil
		}
		if isStr {
			if f, ok := asPyFloat(s); ok {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%s cannot be converted to a float", asPyType(v))
	case "jsonarg", "json":
		switch t := v.(type) {
		case []any, map[string]any:
			b, err := json.Marshal(t)
			if err != nil {
				return nil, err
			}
			return string(b), nil
		}
		if isStr {
			return strings.TrimSpace(s), nil
		}
		return nil, fmt.Errorf("%s cannot be converted to a json string", asPyType(v))
	case "bytes", "bits":
		n, err := asHumanToBytes(asPyStr(v), wanted == "bits")
		if err != nil {
			what := "Byte"
			if wanted == "bits" {
				what = "Bit"
			}
			return nil, fmt.Errorf("%s cannot be converted to a %s value", asPyType(v), what)
		}
		return n, nil
	}
	return nil, fmt.Errorf("'NoneType' object is not callable")
}

func asBadBool(s string) error {
	// The list is Python's set order as one ansible-core 2.14 run printed
	// it (it varies with the hash seed).
	return fmt.Errorf("The value '%s' is not a valid boolean.  Valid booleans include: 'y', 1, 0, 'f', 'true', 'false', 'n', 'on', 't', 'no', 'yes', 'off', '0', '1'", s)
}

// asCheckTypeDict is check_type_dict for a string: JSON when it starts
// with "{", else k=v pairs.
func asCheckTypeDict(s string) (any, error) {
	if strings.HasPrefix(s, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil {
			return asPlainValue(asJSONInts(m)), nil
		}
		return nil, fmt.Errorf("unable to evaluate string as dictionary")
	}
	if !strings.Contains(s, "=") {
		return nil, fmt.Errorf("dictionary requested, could not parse JSON or key=value")
	}
	var fields []string
	var buf []rune
	var quote rune
	escape := false
	for _, c := range strings.TrimSpace(s) {
		switch {
		case escape:
			buf = append(buf, c)
			escape = false
		case c == '\\':
			escape = true
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == ',' || c == ' '):
			if len(buf) > 0 {
				fields = append(fields, string(buf))
			}
			buf = buf[:0]
		default:
			buf = append(buf, c)
		}
	}
	if len(buf) > 0 {
		fields = append(fields, string(buf))
	}
	m := map[string]any{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("dictionary update sequence element #%d has length 1; 2 is required", len(m))
		}
		m[k] = v
	}
	return m, nil
}

func asJSONInts(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = asJSONInts(e)
		}
	case []any:
		for i, e := range t {
			t[i] = asJSONInts(e)
		}
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int(t)
		}
	}
	return v
}

var asPyIntRe = regexp.MustCompile(`^[+-]?(\d+(_\d+)*)$`)

func asPyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if !asPyIntRe.MatchString(s) {
		return 0, false
	}
	i, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	return i, err == nil
}

func asPyFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
	default:
		if strings.ContainsAny(s, "xXpP") {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil
}

var asHumanRe = regexp.MustCompile(`^\s*(\d*\.?\d*)\s*([A-Za-z]+)?`)

// asHumanToBytes is human_to_bytes ('2K' is 2048; bits with a 'b').
func asHumanToBytes(s string, bits bool) (int, error) {
	m := asHumanRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("can't interpret")
	}
	num, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	unit := m[2]
	if unit == "" {
		return int(math.RoundToEven(num)), nil
	}
	ranges := map[byte]float64{'Y': 1 << 80, 'Z': 1 << 70, 'E': 1 << 60, 'P': 1 << 50, 'T': 1 << 40, 'G': 1 << 30, 'M': 1 << 20, 'K': 1 << 10, 'B': 1}
	limit, ok := ranges[strings.ToUpper(unit[:1])[0]]
	if !ok {
		return 0, fmt.Errorf("bad suffix")
	}
	class, className := "B", "byte"
	if bits {
		class, className = "b", "bit"
	}
	if len(unit) > 1 && !strings.Contains(strings.ToLower(unit), className) && unit[1:2] != class {
		return 0, fmt.Errorf("bad unit")
	}
	return int(math.RoundToEven(num * limit)), nil
}
