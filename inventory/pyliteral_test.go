package inventory

import (
	"reflect"
	"testing"
)

func TestParseINIValue(t *testing.T) {
	cases := map[string]any{
		"8080": 8080, "-3": -3, "1_000": 1000, "0x1F": 31, "0o17": 15, "1.5": 1.5, "1e3": 1000.0, ".5": 0.5,
		"True": true, "None": nil, "'x y'": "x y", `"a\tb"`: "a\tb", "[1, 'two', (3,)]": []any{1, "two", []any{3}},
		"{'k': [1]}": map[string]any{"k": []any{1}}, "(7)": 7,
		"yes": "yes", "true": "true", "0755": "0755", "10.0.0.1": "10.0.0.1", "{a:1}": "{a:1}", "1_": "1_",
		"": "", "x=y": "x=y", "1 2": "1 2",
	}
	for in, want := range cases {
		if got := parseINIValue(in); !reflect.DeepEqual(got, want) {
			t.Errorf("parseINIValue(%q) = %#v, want %#v", in, got, want)
		}
	}
}

func TestShlexSplit(t *testing.T) {
	got, err := shlexSplit(`h1 a="x y" b='q"' c=d\ e # comment`)
	if err != nil || !reflect.DeepEqual(got, []string{"h1", "a=x y", `b=q"`, "c=d e"}) {
		t.Errorf("shlexSplit = %q, %v", got, err)
	}
	if _, err := shlexSplit(`h1 a="open`); err == nil {
		t.Errorf("unclosed quote accepted")
	}
}

func TestExpandHostPattern(t *testing.T) {
	cases := map[string][]string{
		"web[01:03].x":  {"web01.x", "web02.x", "web03.x"},
		"db-[a:c]":      {"db-a", "db-b", "db-c"},
		"n[1:7:3]":      {"n1", "n4", "n7"},
		"r[1:2]-h[a:b]": {"r1-ha", "r1-hb", "r2-ha", "r2-hb"},
		"plain.example": {"plain.example"},
		"[::1]:22":      {"::1"},
	}
	for in, want := range cases {
		got, _, err := expandHostPattern(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("expandHostPattern(%q) = %q, %v", in, got, err)
		}
	}
	if _, port, _ := expandHostPattern("h.example:2222"); port != 2222 {
		t.Errorf("port = %d", port)
	}
	if _, _, err := expandHostPattern("h[01:3]"); err == nil {
		t.Errorf("unequal-width range accepted")
	}
}
