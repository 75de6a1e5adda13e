package inventory

import (
	"errors"
	"reflect"
	"testing"
)

func TestSelect(t *testing.T) {
	inv := load(t, "testdata/patterns/hosts")
	w := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, "web"+string(rune('0'+n))+".example.com")
		}
		return out
	}
	// Ansible's "all" order: level by level; eu is a top-level group, so
	// its hosts come before those of web and db (under prod).
	all := append(append(w(1), "db1.example.com"), append(w(2, 3, 4, 5), "db2.example.com")...)
	cases := []struct {
		pattern string
		want    []string
	}{
		{"all", all},
		{"*", all},
		{"web", w(1, 2, 3, 4, 5)},
		{"web3.example.com", w(3)},
		{"web[2-4]*", w(2, 3, 4)},
		{"db?.example.com", []string{"db1.example.com", "db2.example.com"}},
		{"~web[15]\\.", w(1, 5)},
		{"~db", []string{"db1.example.com", "db2.example.com"}},
		{"web:db", append(w(1, 2, 3, 4, 5), "db1.example.com", "db2.example.com")},
		{"db,web", append([]string{"db1.example.com", "db2.example.com"}, w(1, 2, 3, 4, 5)...)},
		{"prod:&eu", []string{"web1.example.com", "db1.example.com"}},
		{"prod:!eu", append(w(2, 3, 4, 5), "db2.example.com")},
		{"!eu", append(w(2, 3, 4, 5), "db2.example.com")},
		{"web:!web1.example.com:&eu", []string{}},
		{"web[0]", w(1)},
		{"web[-1]", w(5)},
		{"web[1:3]", w(2, 3, 4)},
		{"web[3:]", w(4, 5)},
		{"empty", []string{}},
		{"e*", []string{"web1.example.com", "db1.example.com"}}, // the group eu (and empty)
	}
	for _, c := range cases {
		got, err := inv.Select(c.pattern)
		if err != nil {
			t.Errorf("Select(%q): %v", c.pattern, err)
			continue
		}
		if g := names(got); !reflect.DeepEqual(g, c.want) && !(len(g) == 0 && len(c.want) == 0) {
			t.Errorf("Select(%q) = %v, want %v", c.pattern, g, c.want)
		}
	}
	for _, bad := range []string{"webz", "web:nosuch", "all:!nosuch", "nomatch*", "~(", "web[9]"} {
		_, err := inv.Select(bad)
		var pe *PatternError
		if !errors.As(err, &pe) || !IsInvalidInput(err) {
			t.Errorf("Select(%q): want a PatternError, got %v", bad, err)
		}
	}
	// The implicit localhost, as in Ansible.
	if hs, err := inv.Select("localhost"); err != nil || len(hs) != 1 || hs[0].Vars["ansible_connection"] != "local" {
		t.Errorf("localhost: %v %v", hs, err)
	}
}

func TestLimit(t *testing.T) {
	inv := load(t, "testdata/patterns/hosts")
	got, err := inv.Limit(inv.Hosts(), "@testdata/affected/limit.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Limit keeps the order of the hosts it filters.
	if g := names(got); !reflect.DeepEqual(g, []string{"db1.example.com", "web2.example.com"}) {
		t.Errorf("limit @file = %v", g)
	}
	web, _ := inv.Select("web")
	got, err = inv.Limit(web, "eu:db2.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if g := names(got); !reflect.DeepEqual(g, []string{"web1.example.com"}) {
		t.Errorf("limit pattern = %v", g)
	}
	if _, err := inv.Limit(web, "@testdata/nosuchfile"); !IsInvalidInput(err) {
		t.Errorf("missing limit file: %v", err)
	}
	if _, err := inv.Limit(web, "typo-host"); !IsInvalidInput(err) {
		t.Errorf("unknown limit host: %v", err)
	}
}

func TestSplitPattern(t *testing.T) {
	cases := map[string][]string{
		"a:b":               {"a", "b"},
		"a,b:c":             {"a", "b:c"},
		"web[1:3]":          {"web[1:3]"},
		"web[1:3]:!db":      {"web[1:3]", "!db"},
		"host.example:2222": {"host.example:2222"},
		"fe80::1":           {"fe80::1"},
		" a , b ":           {"a", "b"},
	}
	for in, want := range cases {
		if got := splitPattern(in); !reflect.DeepEqual(got, want) {
			t.Errorf("splitPattern(%q) = %q, want %q", in, got, want)
		}
	}
}
