package template

import (
	"sync/atomic"
	"testing"
)

// lazyHostvars is hostvars as the runner builds it: a dict of Lazy
// entries; reads counts the items computed.
func lazyHostvars(reads *atomic.Int64) map[string]any {
	m := map[string]map[string]any{
		"web1": {"ansible_host": "10.0.0.1", "reg": map[string]any{"stdout": "v1"}},
		"web2": {"ansible_host": "10.0.0.2"},
	}
	hv := map[string]any{}
	for name, vars := range m {
		hv[name] = NewLazy(func(k string) (any, bool) {
			reads.Add(1)
			v, ok := vars[k]
			return v, ok
		}, func() []string {
			var ks []string
			for k := range vars {
				ks = append(ks, k)
			}
			return ks
		})
	}
	return hv
}

func TestLazyHostvars(t *testing.T) {
	e := New()
	var reads atomic.Int64
	vars := map[string]any{"hostvars": lazyHostvars(&reads), "groups": map[string]any{"web": []any{"web1", "web2"}}, "inventory_hostname": "web1"}
	for _, tc := range []struct{ tmpl, want string }{
		{"{{ hostvars['web1'].ansible_host }}", "10.0.0.1"},
		{"{{ hostvars.web2['ansible_host'] }}", "10.0.0.2"},
		{"{{ hostvars[inventory_hostname]['reg']['stdout'] }}", "v1"},
		{"{{ groups['web'] | map('extract', hostvars, 'ansible_host') | join(',') }}", "10.0.0.1,10.0.0.2"},
		{"{{ 'web1' | extract(hostvars, ['reg', 'stdout']) }}", "v1"},
		{"{{ 'web1' in hostvars }} {{ 'db1' in hostvars }}", "True False"},
		{"{% for h in hostvars | sort %}{{ h }} {% endfor %}", "web1 web2 "},
		{"{{ hostvars['web2'].missing | default('d') }}", "d"},
		{"{{ hostvars['web1'].reg is defined }} {{ hostvars['web2'].reg is defined }}", "True False"},
		{"{{ hostvars['web2'] | to_json }}", `{"ansible_host": "10.0.0.2"}`},
		{"{{ hostvars | to_json }}", `{"web1": {"ansible_host": "10.0.0.1", "reg": {"stdout": "v1"}}, "web2": {"ansible_host": "10.0.0.2"}}`},
	} {
		got, err := e.RenderString(tc.tmpl, vars)
		if err != nil || got != tc.want {
			t.Errorf("%s = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
	// A missing host or key is undefined, with Ansible's wording.
	for _, tmpl := range []string{"{{ hostvars['db1'].x }}", "{{ 'web2' | extract(hostvars, 'reg') }}",
		"{{ groups['web'] | map('extract', hostvars, ['reg', 'stdout']) | list }}"} {
		if _, err := e.RenderString(tmpl, vars); err == nil {
			t.Errorf("%s rendered without an error", tmpl)
		}
	}
	// Reading one key of one host computes that key only.
	reads.Store(0)
	if _, err := e.RenderString("{{ hostvars['web1'].ansible_host }}", vars); err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("one lookup computed %d items, want 1", n)
	}
	reads.Store(0)
	if _, err := e.RenderString("{{ groups['web'] | map('extract', hostvars, 'ansible_host') | list }}", vars); err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 2 {
		t.Errorf("extract over 2 hosts computed %d items, want 2", n)
	}
}
