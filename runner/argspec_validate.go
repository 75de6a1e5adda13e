package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/drover-sh/drover/playbooks/template"
)

// The argument spec validator (ansible-core 2.14 ArgumentSpecValidator):
// names, required, types, choices, nested options.

// argValidator is Ansible's ArgumentSpecValidator.validate (module_utils
// common/arg_spec.py and parameters.py), with its messages.
type argValidator struct {
	errs        []string
	unsupported map[string]bool
	supported   map[string][2][]string
	order       map[string]any
}

func validateArgSpec(spec, params map[string]any, order map[string]any) []string {
	v := &argValidator{unsupported: map[string]bool{}, supported: map[string][2][]string{}, order: order}
	p := asDeepCopyValue(params).(map[string]any)
	aliases, err := asHandleAliases(spec, p)
	if err != nil {
		v.errs = append(v.errs, err.Error())
		aliases = map[string]string{}
	}
	if err := asListNoLog(spec, p); err != nil {
		v.errs = append(v.errs, err.Error())
	}
	v.checkUnsupported(spec, p, aliases, nil)
	asSetDefaults(spec, p, false)
	if err := asCheckRequired(spec, p, nil); err != nil {
		v.errs = append(v.errs, err.Error())
	}
	v.checkTypes(spec, p, nil, nil)
	v.checkValues(spec, p, nil, nil)
	asSetDefaults(spec, p, true)
	v.subSpecs(spec, p, nil, nil)
	if len(v.unsupported) > 0 {
		names := make([]string, 0, len(v.unsupported))
		for k := range v.unsupported {
			names = append(names, k)
		}
		sort.Strings(names)
		// Ansible lists the supported names of the last unsupported
		// one it looks at (an unordered set): the last in order here.
		sup := v.supported[names[len(names)-1]]
		s := strings.Join(sup[0], ", ")
		if len(sup[1]) > 0 {
			s += " (" + strings.Join(sup[1], ", ") + ")"
		}
		v.errs = append(v.errs, fmt.Sprintf("%s. Supported parameters include: %s.", strings.Join(names, ", "), s))
	}
	return v.errs
}

// specKeys are a spec's option names in the order written (when known:
// the role's argument_specs file), else sorted.
func (v *argValidator) specKeys(spec map[string]any, path []string) []string {
	keys := make([]string, 0, len(spec))
	if o, ok := v.order[strings.Join(path, "\x00")].([]any); ok && len(o) == len(spec) {
		for _, k := range o {
			s, _ := k.(string)
			if _, ok := spec[s]; !ok {
				break
			}
			keys = append(keys, s)
		}
		if len(keys) == len(spec) {
			return keys
		}
		keys = keys[:0]
	}
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func asOptOf(spec map[string]any, k string) map[string]any {
	m, _ := spec[k].(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

func asOptType(o map[string]any) string {
	if t, ok := o["type"]; ok && t != nil {
		return fmt.Sprint(t)
	}
	return "str"
}

func asHandleAliases(spec, params map[string]any) (map[string]string, error) {
	out := map[string]string{}
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o := asOptOf(spec, k)
		if o["default"] != nil && template.PyTruth(o["required"]) {
			return nil, fmt.Errorf("internal error: required and default are mutually exclusive for %s", k)
		}
		al, ok := o["aliases"]
		if !ok || al == nil {
			continue
		}
		list, ok := al.([]any)
		if !ok {
			return nil, fmt.Errorf("internal error: aliases must be a list or tuple")
		}
		for _, a := range list {
			name := asPyStr(a)
			out[name] = k
			if val, ok := params[name]; ok {
				params[k] = val
			}
		}
	}
	return out, nil
}

// asListNoLog is _list_no_log_values, for the errors it raises (the
// values themselves are not hidden: Ansible's action does not hide them
// either).
func asListNoLog(spec, params map[string]any) error {
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o := asOptOf(spec, k)
		sub, ok := o["options"].(map[string]any)
		if !ok {
			continue
		}
		sp, ok := params[k]
		if !ok || sp == nil {
			continue
		}
		wanted := asOptType(o)
		if !(wanted == "dict" || (wanted == "list" && asPyStr(o["elements"]) == "dict")) {
			continue
		}
		items, isList := sp.([]any)
		if !isList {
			items = []any{sp}
		}
		for _, it := range items {
			if s, ok := asStr(it); ok {
				d, err := asCheckTypeDict(s)
				if err != nil {
					return err
				}
				it = d
			}
			m, ok := it.(map[string]any)
			if !ok {
				return fmt.Errorf("Value '%s' in the sub parameter field '%s' must by a %s, not '%s'", asPyStr(it), k, wanted, asPyClassName(it))
			}
			if err := asListNoLog(sub, m); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *argValidator) checkUnsupported(spec, params map[string]any, aliases map[string]string, ctx []string) {
	var legalNames, aliasNames []string
	for a := range aliases {
		aliasNames = append(aliasNames, a)
	}
	for k := range spec {
		if _, isAlias := aliases[k]; !isAlias {
			legalNames = append(legalNames, k)
		}
	}
	sort.Strings(legalNames)
	sort.Strings(aliasNames)
	for k := range params {
		if _, ok := spec[k]; ok {
			continue
		}
		if _, ok := aliases[k]; ok {
			continue
		}
		name := strings.Join(append(append([]string{}, ctx...), k), ".")
		v.unsupported[name] = true
		v.supported[name] = [2][]string{legalNames, aliasNames}
	}
}

func asSetDefaults(spec, params map[string]any, setDefault bool) {
	for k := range spec {
		d := asOptOf(spec, k)["default"]
		if _, ok := params[k]; !ok && (d != nil || setDefault) {
			params[k] = asDeepCopyValue(d)
		}
	}
}

func asInCtx(msg string, ctx []string) string {
	if len(ctx) > 0 {
		return msg + " found in " + strings.Join(ctx, " -> ")
	}
	return msg
}

func asCheckRequired(spec, params map[string]any, ctx []string) error {
	var missing []string
	for k := range spec {
		if template.PyTruth(asOptOf(spec, k)["required"]) {
			if _, ok := params[k]; !ok {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("%s", asInCtx("missing required arguments: "+strings.Join(missing, ", "), ctx))
}

func (v *argValidator) checkTypes(spec, params map[string]any, path, ctx []string) {
	for _, k := range v.specKeys(spec, path) {
		val, ok := params[k]
		if !ok || val == nil {
			continue
		}
		o := asOptOf(spec, k)
		wanted := asOptType(o)
		conv, err := asConvertType(wanted, val)
		if err != nil {
			msg := fmt.Sprintf("argument '%s' is of type %s", k, asPyType(val))
			if len(ctx) > 0 {
				msg += fmt.Sprintf(" found in '%s'.", strings.Join(ctx, " -> "))
			}
			v.errs = append(v.errs, msg+fmt.Sprintf(" and we were unable to convert to %s: %s", wanted, err))
			continue
		}
		params[k] = conv
		el, ok := o["elements"]
		if !ok || el == nil {
			continue
		}
		list, isList := conv.([]any)
		if wanted != "list" || !isList {
			msg := fmt.Sprintf("Invalid type %s for option '%s'", wanted, asPyStr(conv))
			if len(ctx) > 0 {
				msg += fmt.Sprintf(" found in '%s'.", strings.Join(ctx, " -> "))
			}
			v.errs = append(v.errs, msg+", elements value check is supported only with 'list' type")
			continue
		}
		ewanted := asPyStr(el)
		out := []any{}
		for _, e := range list {
			c, err := asConvertType(ewanted, e)
			if err != nil {
				msg := fmt.Sprintf("Elements value for option '%s'", k)
				if len(ctx) > 0 {
					msg += fmt.Sprintf(" found in '%s'", strings.Join(ctx, " -> "))
				}
				v.errs = append(v.errs, msg+fmt.Sprintf(" is of type %s and we were unable to convert to %s: %s", asPyType(e), ewanted, err))
				continue
			}
			out = append(out, c)
		}
		params[k] = out
	}
}

var (
	asBoolTrue  = []any{"y", "yes", "on", "1", "true", "t", 1}
	asBoolFalse = []any{"n", "no", "off", "0", "false", "f", 0}
)

func (v *argValidator) checkValues(spec, params map[string]any, path, ctx []string) {
	for _, k := range v.specKeys(spec, path) {
		ch, ok := asOptOf(spec, k)["choices"]
		if !ok || ch == nil {
			continue
		}
		choices, ok := ch.([]any)
		if !ok {
			v.errs = append(v.errs, asInCtx(fmt.Sprintf("internal error: choices for argument %s are not iterable: %s", k, asPyStr(ch)), ctx))
			continue
		}
		val, ok := params[k]
		if !ok {
			continue
		}
		strs := make([]string, len(choices))
		for i, c := range choices {
			strs[i] = asPyStr(c)
		}
		if list, isList := val.([]any); isList {
			var diff []string
			for _, it := range list {
				if !asPyIn(it, choices) {
					diff = append(diff, asPyStr(it))
				}
			}
			if len(diff) > 0 {
				v.errs = append(v.errs, asInCtx(fmt.Sprintf("value of %s must be one or more of: %s. Got no match for: %s", k, strings.Join(strs, ", "), strings.Join(diff, ", ")), ctx))
			}
			continue
		}
		if asPyIn(val, choices) {
			continue
		}
		// PyYAML's booleans: "False"/"True" match one unambiguous choice.
		for _, b := range []struct {
			s   string
			set []any
		}{{"False", asBoolFalse}, {"True", asBoolTrue}} {
			if s, ok := asStr(val); ok && s == b.s {
				var overlap []any
				for _, c := range choices {
					if asPyIn(c, b.set) && !asPyIn(c, overlap) {
						overlap = append(overlap, c)
					}
				}
				if len(overlap) == 1 {
					val = overlap[0]
					params[k] = val
				}
			}
		}
		if !asPyIn(val, choices) {
			v.errs = append(v.errs, asInCtx(fmt.Sprintf("value of %s must be one of: %s, got: %s", k, strings.Join(strs, ", "), asPyStr(val)), ctx))
		}
	}
}

// subSpecs is _validate_sub_spec: options of dict and list-of-dict options.
func (v *argValidator) subSpecs(spec, params map[string]any, path, ctx []string) {
	for _, k := range v.specKeys(spec, path) {
		o := asOptOf(spec, k)
		wanted := asOptType(o)
		if !(wanted == "dict" || (wanted == "list" && asPyStr(o["elements"]) == "dict")) {
			continue
		}
		sub, hasSub := o["options"].(map[string]any)
		if template.PyTruth(o["apply_defaults"]) {
			if !hasSub {
				continue
			}
			if params[k] == nil {
				params[k] = map[string]any{}
			}
		} else if !hasSub || params[k] == nil {
			continue
		}
		ctx := append(append([]string{}, ctx...), k)
		subPath := append(append([]string{}, path...), k)
		elems, isList := params[k].([]any)
		if !isList {
			elems = []any{params[k]}
		}
		for _, e := range elems {
			sp, ok := e.(map[string]any)
			if !ok {
				v.errs = append(v.errs, fmt.Sprintf("value of '%s' must be of type dict or list of dicts", k))
				continue
			}
			aliases, err := asHandleAliases(sub, sp)
			if err != nil {
				v.errs = append(v.errs, err.Error())
				aliases = map[string]string{}
			}
			if err := asListNoLog(sub, sp); err != nil {
				v.errs = append(v.errs, err.Error())
			}
			v.checkUnsupported(sub, sp, aliases, ctx)
			if err := asCheckMutuallyExclusive(o["mutually_exclusive"], sp, ctx); err != nil {
				v.errs = append(v.errs, err.Error())
			}
			asSetDefaults(sub, sp, false)
			if err := asCheckRequired(sub, sp, ctx); err != nil {
				v.errs = append(v.errs, err.Error())
			}
			v.checkTypes(sub, sp, subPath, ctx)
			v.checkValues(sub, sp, subPath, ctx)
			for _, check := range []func() error{
				func() error { return asCheckRequiredTogether(o["required_together"], sp, ctx) },
				func() error { return asCheckRequiredOneOf(o["required_one_of"], sp, ctx) },
				func() error { return asCheckRequiredIf(o["required_if"], sp, ctx) },
				func() error { return asCheckRequiredBy(o["required_by"], sp, ctx) },
			} {
				if err := check(); err != nil {
					v.errs = append(v.errs, err.Error())
				}
			}
			asSetDefaults(sub, sp, true)
			v.subSpecs(sub, sp, subPath, ctx)
		}
	}
}
