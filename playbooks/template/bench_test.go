package template

import (
	"testing"
)

func benchVars() map[string]any {
	vars := map[string]any{
		"inventory_hostname": "web-042.example.org",
		"item":               "nginx",
		"result": map[string]any{
			"rc": 0, "stdout": "ok x done", "stdout_lines": []any{"ok x done"},
			"changed": true, "failed": false, "skipped": false,
		},
	}
	// A realistic amount of other variables (facts, inventory vars).
	for i := 0; i < 200; i++ {
		vars["var_"+string(rune('a'+i%26))+string(rune('a'+i/26))] = i
	}
	return vars
}

func BenchmarkRenderHostItem(b *testing.B) {
	e := New()
	vars := benchVars()
	const src = "{{ inventory_hostname }}-{{ item }}"
	if _, err := e.Render(src, vars); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Render(src, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTruthResult(b *testing.B) {
	e := New()
	vars := benchVars()
	const expr = "result.rc == 0 and 'x' in result.stdout"
	if ok, err := e.Truth(expr, vars); err != nil || !ok {
		b.Fatal(ok, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Truth(expr, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderPlain(b *testing.B) {
	e := New()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := e.Render("/usr/bin/systemctl restart nginx", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderParallel(b *testing.B) {
	e := New()
	vars := benchVars()
	const src = "{{ inventory_hostname }}-{{ item }}"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Render(src, vars); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
