package template

import "testing"

func TestSelectAttrUndefined(t *testing.T) {
	e := New()
	vars := map[string]any{"r": map[string]any{"results": []any{
		map[string]any{"item": "a", "skipped": true},
		map[string]any{"item": "b", "rc": 0},
		map[string]any{"item": "c", "rc": 1, "nested": map[string]any{"ok": true}},
	}}}
	for expr, want := range map[string]string{
		"{{ r.results | selectattr('skipped', 'defined') | map(attribute='item') | join(',') }}": "a",
		"{{ r.results | rejectattr('skipped', 'defined') | map(attribute='item') | join(',') }}": "b,c",
		"{{ r.results | selectattr('rc', 'equalto', 1) | map(attribute='item') | join(',') }}":   "c",
		"{{ r.results | selectattr('skipped') | map(attribute='item') | join(',') }}":            "a",
		"{{ r.results | selectattr('nested.ok') | map(attribute='item') | join(',') }}":          "c",
		"{{ r.results | rejectattr('rc', 'undefined') | list | length }}":                        "2",
	} {
		got, err := e.RenderString(expr, vars)
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", expr, got, err, want)
		}
	}
}
