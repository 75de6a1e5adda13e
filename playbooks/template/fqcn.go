package template

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Filters and tests by fully qualified name. ansible-core 2.14 resolves
// ansible.builtin.NAME and ansible.legacy.NAME to its own filter and test
// plugins only: Jinja2's built-in filters and tests (default, upper,
// string, ...) have no such name there ("Could not load
// ansible.builtin.default"), and drover does the same.

// builtinFilters are ansible-core 2.14's filter plugins (plugins/filter).
var builtinFilters = nameSet(`b64decode b64encode basename bool checksum combinations combine comment
	dict2items difference dirname expanduser expandvars extract fileglob flatten from_json from_yaml
	from_yaml_all hash human_readable human_to_bytes intersect items2dict log mandatory md5 password_hash
	path_join permutations pow product quote random realpath regex_escape regex_findall regex_replace
	regex_search rekey_on_member relpath root sha1 shuffle split splitext strftime subelements
	symmetric_difference ternary to_datetime to_json to_nice_json to_nice_yaml to_uuid to_yaml type_debug
	union unique unvault urldecode urlsplit vault win_basename win_dirname win_splitdrive zip zip_longest`)

// builtinTests are ansible-core 2.14's test plugins (plugins/test).
var builtinTests = nameSet(`abs all any change changed contains directory exists failed failure falsy
	file finished is_abs is_dir is_file is_link is_mount is_same_file isnan issubset issuperset link
	link_exists match mount nan reachable regex same_file search skip skipped started subset succeeded
	success successful superset truthy unreachable uri url urn vault_encrypted version version_compare`)

// collectionFilters and collectionTests are filters and tests of other
// collections that drover implements under their short name.
var collectionFilters = map[string]map[string]bool{
	// community.general's path_join is a shim that its runtime.yml routes
	// to ansible.builtin.path_join; to_yaml and to_nice_yaml are its
	// variants of ansible.builtin's.
	"community.general": nameSet(`path_join to_yaml to_nice_yaml`),
}

var collectionTests = map[string]map[string]bool{}

func nameSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(s) {
		m[n] = true
	}
	return m
}

// resolveName returns the name under which drover has the filter or test
// (kind "filter" or "test") written as full, a dotted name; full itself
// when drover has none.
func (e *Engine) resolveName(kind, full string) string {
	i := strings.LastIndexByte(full, '.')
	if i < 0 {
		return full
	}
	coll, short := full[:i], full[i+1:]
	var known bool
	switch coll {
	case "ansible.builtin", "ansible.legacy":
		if kind == "filter" {
			known = builtinFilters[short]
		} else {
			known = builtinTests[short]
		}
	default:
		if kind == "filter" {
			known = collectionFilters[coll][short]
		} else {
			known = collectionTests[coll][short]
		}
	}
	if known && e.has(kind, short) {
		return short
	}
	return full
}

func (e *Engine) has(kind, name string) bool {
	if kind == "filter" {
		return e.filters.Exists(name)
	}
	return e.tests.Exists(name)
}

// fqcnHint explains a dotted name that did not resolve, or returns "".
func (e *Engine) fqcnHint(kind, full string) string {
	i := strings.LastIndexByte(full, '.')
	if i < 0 {
		return ""
	}
	coll, short := full[:i], full[i+1:]
	if !e.has(kind, short) {
		return ""
	}
	switch coll {
	case "ansible.builtin", "ansible.legacy":
		return fmt.Sprintf(" (ansible-core has no %s %s: '%s' is Jinja2's own, written by its short name)", kind, full, short)
	}
	return fmt.Sprintf(" (drover has '%s' from ansible.builtin, not from %s)", short, coll)
}

// byNameArg wraps a filter that takes the name of a test or filter as
// argument i (select('ansible.builtin.version', ...), map(...)): a dotted
// name is resolved as in `is` and `|`.
func (e *Engine) byNameArg(orig exec.FilterFunction, i int, kind string) exec.FilterFunction {
	return func(ev *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if params != nil && i < len(params.Args) && params.Args[i].IsString() {
			if name := params.Args[i].String(); strings.Contains(name, ".") {
				if short := e.resolveName(kind, name); short != name {
					args := append([]*exec.Value(nil), params.Args...)
					args[i] = exec.AsValue(short)
					params = &exec.VarArgs{Args: args, KwArgs: params.KwArgs}
				}
			}
		}
		return orig(ev, in, params)
	}
}
