package playbooks

import (
	"slices"
	"testing"

	"github.com/drover-sh/drover/playbooks/lookup"
)

// Every with_* keyword the parser accepts names a lookup drover has, and
// is a task key.
func TestLoopLookupsExist(t *testing.T) {
	for _, name := range LoopLookups {
		if !lookup.Supported(name) {
			t.Errorf("with_%s: no lookup %q", name, name)
		}
		if !slices.Contains(taskKeys, "with_"+name) {
			t.Errorf("with_%s is not a task key", name)
		}
	}
	for _, k := range taskKeys {
		if w, ok := cutWith(k); ok && !slices.Contains(LoopLookups, w) {
			t.Errorf("task key %s is not in LoopLookups", k)
		}
	}
}

func cutWith(k string) (string, bool) {
	if len(k) > 5 && k[:5] == "with_" {
		return k[5:], true
	}
	return "", false
}
