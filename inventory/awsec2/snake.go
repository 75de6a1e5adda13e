package awsec2

import (
	"reflect"
	"regexp"
	"strings"
	"time"
)

var (
	pluralAbbrev = regexp.MustCompile(`[A-Z]{3,}s$`)
	firstCap     = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	allCap       = regexp.MustCompile(`([a-z0-9])([A-Z]+)`)
)

// camelToSnake is Ansible's _camel_to_snake (camel_dict_to_snake_dict's
// key conversion): PublicIpAddress → public_ip_address, TargetGroupARNs
// → target_group_arns.
func camelToSnake(name string) string {
	s1 := pluralAbbrev.ReplaceAllStringFunc(name, func(m string) string { return "_" + strings.ToLower(m) })
	if strings.HasPrefix(s1, "_") && !strings.HasPrefix(name, "_") {
		s1 = s1[1:]
	}
	s2 := firstCap.ReplaceAllString(s1, "${1}_${2}")
	return strings.ToLower(allCap.ReplaceAllString(s2, "${1}_${2}"))
}

var timeType = reflect.TypeOf(time.Time{})

// snakeValue turns an SDK value into what boto3 returns after Ansible's
// camel_dict_to_snake_dict: structs become maps with snake_case keys
// (absent fields left out), times ISO 8601 strings, enums strings. ok is
// false for an absent value (a nil pointer, an empty enum).
func snakeValue(v reflect.Value) (any, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timeType:
		return v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05+00:00"), true
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if x, ok := snakeValue(v.Field(i)); ok {
				out[camelToSnake(f.Name)] = x
			}
		}
		return out, true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if x, ok := snakeValue(v.Index(i)); ok {
				out = append(out, x)
			}
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			if x, ok := snakeValue(v.MapIndex(k)); ok {
				out[k.String()] = x
			}
		}
		return out, true
	case reflect.String:
		if v.String() == "" && v.Type().Name() != "string" {
			return nil, false // an unset enum
		}
		return v.String(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return nil, false
}
