package inventory

import (
	"os"
	"path/filepath"
	"testing"
)

func seedFiles(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

// FuzzParseINI: the INI parser never panics, and a parsed inventory
// resolves and prints.
func FuzzParseINI(f *testing.F) {
	seedFiles(f, "testdata/diff/ini/hosts", "testdata/patterns/hosts", "testdata/errors/*.ini", "testdata/affected/*.txt")
	f.Add([]byte("h[1:3]:22 a=\"x y\" b=[1,{'k':(2,)}] c='\\x41'\n[g:children]\nh\n[h]\n[g:vars]\nz=0x1F\n"))
	f.Add([]byte("[a:children]\nb\n[b:children]\na\n"))
	f.Add([]byte("web[a:c][01:02] x=1_000 y=1e3 z=-.5\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		d := newData()
		if err := parseINI(d, "fuzz.ini", src); err != nil {
			return
		}
		d.reconcile()
		inv, err := finish(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inv.ListJSON(); err != nil {
			t.Fatal(err)
		}
		_ = inv.Graph()
	})
}

// FuzzParseYAML: the YAML inventory parser never panics.
func FuzzParseYAML(f *testing.F) {
	seedFiles(f, "testdata/diff/yaml/inventory.yml", "testdata/diff/dir/*.yaml", "testdata/errors/*.yml")
	f.Add([]byte("a: &x {hosts: {h: {v: *x}}}\n"))
	f.Add([]byte("all:\n  children:\n    a:\n      children:\n        all:\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		root, err := parseYAML("fuzz.yml", src)
		if err != nil || root == nil || deref(root).Kind != 4 /* yaml.MappingNode */ {
			return
		}
		d := newData()
		if err := parseYAMLInventory(d, "fuzz.yml", deref(root)); err != nil {
			return
		}
		d.reconcile()
		inv, err := finish(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inv.ListJSON(); err != nil {
			t.Fatal(err)
		}
	})
}
