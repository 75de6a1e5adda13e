package template

import (
	"encoding/json"
	"sort"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Lazy is a read-only mapping whose items are computed when a template
// reads them. The runner's `hostvars` is a plain dict of host name to
// Lazy: a host's variables merged with what its tasks set or registered so
// far, looked up key by key when a template reads them, never copied for
// every host on every task (Ansible's quadratic hostvars,
// ansible/ansible#73926).
//
// Templates index it like a dict (hostvars['web1'].x, hostvars.web1['x']);
// extract reads it without materialising it; a filter or a result that
// takes it whole (to_json, debug) gets a plain dict of every item.
type Lazy struct {
	get  func(key string) (any, bool)
	keys func() []string
}

// NewLazy returns the mapping whose items get computes and whose keys keys
// lists. Both must be safe for concurrent use.
func NewLazy(get func(key string) (any, bool), keys func() []string) *Lazy {
	return &Lazy{get: get, keys: keys}
}

// Get returns the item for key.
func (l *Lazy) Get(key string) (any, bool) { return l.get(key) }

// Keys lists the keys, sorted.
func (l *Lazy) Keys() []string {
	k := l.keys()
	sort.Strings(k)
	return k
}

// GetItem implements gonja's item access (hostvars['web1']).
func (l *Lazy) GetItem(key any) (*exec.Value, bool) {
	s, ok := key.(string)
	if !ok {
		return exec.AsValue(nil), false
	}
	v, ok := l.get(s)
	if !ok {
		return exec.AsValue(nil), false
	}
	return exec.AsValue(v), true
}

// GetAttribute implements gonja's attribute access (hostvars.web1).
func (l *Lazy) GetAttribute(name string) (*exec.Value, bool) { return l.GetItem(name) }

// Map is the whole mapping, every item computed.
func (l *Lazy) Map() map[string]any {
	ks := l.keys()
	m := make(map[string]any, len(ks))
	for _, k := range ks {
		if v, ok := l.get(k); ok {
			m[k] = v
		}
	}
	return m
}

// MarshalJSON prints the whole mapping.
func (l *Lazy) MarshalJSON() ([]byte, error) { return json.Marshal(l.Map()) }

// fExtract is Ansible's extract filter: container[item], then
// [morekeys...] (one key or a list) into the result. container is a dict, a
// list or a Lazy mapping (map('extract', hostvars, 'ansible_host')).
func fExtract(in any, args *exec.VarArgs) (any, error) {
	// The container as given, not converted: hostvars' entries stay lazy.
	container, ok := rawArg(args, 0, "container")
	if !ok {
		return nil, errExtract("a container is required")
	}
	v, err := index(container, in)
	if err != nil {
		return nil, err
	}
	more, ok := argValue(args, 1, "morekeys")
	if !ok || more == nil {
		return native(v), nil
	}
	keys, isList := more.([]any)
	if !isList {
		keys = []any{more}
	}
	for _, k := range keys {
		if v, err = index(v, native(k)); err != nil {
			return nil, err
		}
	}
	return native(v), nil
}

// rawArg is argValue without the conversion to native values.
func rawArg(args *exec.VarArgs, i int, name string) (any, bool) {
	if i >= 0 && i < len(args.Args) {
		return args.Args[i].Interface(), true
	}
	if v, ok := args.KwArgs[name]; ok && name != "" {
		return v.Interface(), true
	}
	return nil, false
}

// index is c[k] for a dict, a list or a Lazy mapping; a missing key is an
// undefined-variable error, as in Ansible.
func index(c, k any) (any, error) {
	switch t := c.(type) {
	case *exec.Value:
		return index(t.Interface(), k)
	case *Lazy:
		if s, ok := k.(string); ok {
			if v, ok := t.Get(s); ok {
				return v, nil
			}
		}
	case map[string]any:
		if s, ok := k.(string); ok {
			if v, ok := t[s]; ok {
				return v, nil
			}
		}
	case []any:
		if i, ok := k.(int); ok && i >= -len(t) && i < len(t) {
			if i < 0 {
				i += len(t)
			}
			return t[i], nil
		}
	}
	obj := "dict object"
	if _, ok := c.([]any); ok {
		obj = "list object"
	}
	return nil, &UndefinedError{Name: pyStr(k), Object: obj}
}

type errExtract string

func (e errExtract) Error() string { return string(e) }

// strictMap wraps gonja's map filter: an item whose filter failed
// (map('extract', hostvars, 'missing') on a host without it) fails the
// expression, as in Ansible, instead of leaving an error value in the
// list.
func strictMap(orig exec.FilterFunction) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		out := orig(e, in, params)
		if out.IsError() {
			return out
		}
		if list, ok := out.Interface().([]any); ok {
			for _, item := range list {
				if err, ok := item.(error); ok {
					return exec.AsValue(err)
				}
			}
		}
		return out
	}
}
