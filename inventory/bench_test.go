package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genInventory writes a 10,000-host INI inventory (100 racks of 100 hosts,
// 4 roles, 5 zones) with group_vars files.
func genInventory(b *testing.B) string {
	dir := b.TempDir()
	var sb strings.Builder
	for r := 0; r < 100; r++ {
		fmt.Fprintf(&sb, "[rack%03d]\n", r)
		for i := 0; i < 100; i++ {
			n := r*100 + i
			fmt.Fprintf(&sb, "node%05d.example.com ansible_host=10.%d.%d.%d idx=%d\n", n, r/250, r%250, i, n)
		}
		fmt.Fprintf(&sb, "[rack%03d:vars]\nrack=%d\n", r, r)
	}
	for z := 0; z < 5; z++ {
		fmt.Fprintf(&sb, "[zone%d:children]\n", z)
		for r := z; r < 100; r += 5 {
			fmt.Fprintf(&sb, "rack%03d\n", r)
		}
	}
	sb.WriteString("[all:vars]\nansible_user=ops\n")
	if err := os.MkdirAll(filepath.Join(dir, "group_vars"), 0o755); err != nil {
		b.Fatal(err)
	}
	for z := 0; z < 5; z++ {
		if err := os.WriteFile(filepath.Join(dir, "group_vars", fmt.Sprintf("zone%d.yml", z)), []byte(fmt.Sprintf("zone: z%d\nntp: [a, b]\n", z)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "group_vars", "all.yml"), []byte("dns: 10.0.0.53\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, "hosts")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkLoad10k parses and resolves a 10,000-host INI inventory with
// group_vars (target: under 100 ms an op).
func BenchmarkLoad10k(b *testing.B) {
	p := genInventory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, err := Load([]string{p}, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Hosts()) != 10000 {
			b.Fatal("wrong host count")
		}
	}
}

// BenchmarkSelect10k resolves a pattern with a union, a glob, an
// intersection and an exclusion over 10,000 hosts (target: under 10 ms).
func BenchmarkSelect10k(b *testing.B) {
	inv, err := Load([]string{genInventory(b)}, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hs, err := inv.Select("zone1:zone2:node0*:&rack0*:!rack011")
		if err != nil || len(hs) == 0 {
			b.Fatal(err)
		}
	}
}
