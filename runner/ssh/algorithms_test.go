package ssh

import (
	"slices"
	"strings"
	"testing"
)

// The four ssh_config(5) forms of an algorithm list, with patterns, and
// which left-out names are worth a warning.
func TestAlgorithmList(t *testing.T) {
	base := []string{"a1", "a2", "b1"}
	known := []string{"a1", "a2", "b1", "b2", "old-1"}
	for spec, want := range map[string]string{
		"b2,a1":     "b2 a1",
		"+old-1,a1": "a1 a2 b1 old-1",
		"-a*":       "b1",
		"^b2,b1":    "b2 b1 a1 a2",
		"a?,zz,b*":  "a1 a2 b1 b2",
		" a2 , a1 ": "a2 a1",
		"-a1,a2,b1": "",
		"+":         "a1 a2 b1",
		"nothing-*": "",
	} {
		got, _ := algorithmList(spec, base, known)
		if strings.Join(got, " ") != want {
			t.Errorf("%q: %q, want %q", spec, got, want)
		}
	}
	if _, dropped := algorithmList("a1,zz,q*", base, known); !slices.Equal(dropped, []string{"zz"}) {
		t.Errorf("dropped %q, want [zz] (a pattern matching nothing is not a name)", dropped)
	}
	get := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	a, unknown, err := resolveAlgorithms(get(map[string]string{
		"KexAlgorithms": "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-shaa256",
		"MACs":          "umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.kex, []string{"curve25519-sha256"}) || !slices.Equal(a.macs, []string{"hmac-sha2-256-etm@openssh.com"}) || a.ciphers != nil || a.hostKeys != nil {
		t.Errorf("resolved %+v", a)
	}
	if !slices.Equal(unknown, []string{"KexAlgorithms curve25519-shaa256"}) {
		t.Errorf("unknown %q: only the typo, not OpenSSH's own algorithms", unknown)
	}
	if _, _, err := resolveAlgorithms(get(map[string]string{"Ciphers": "3des"})); err == nil || !strings.Contains(err.Error(), "Ciphers 3des leaves no algorithm drover supports (it supports aes128-gcm@openssh.com,") {
		t.Errorf("err %v", err)
	}
}

// FuzzAlgorithmList: any list gives known names only, each once.
func FuzzAlgorithmList(f *testing.F) {
	for _, s := range []string{"+a1", "-*", "^b?,a1", "a1,,b2", "[", "+[a-", "\\*"} {
		f.Add(s)
	}
	known := []string{"a1", "a2", "b1", "b2"}
	f.Fuzz(func(t *testing.T, spec string) {
		if spec == "" {
			return
		}
		got, _ := algorithmList(spec, known[:2], known)
		seen := map[string]bool{}
		for _, n := range got {
			if !slices.Contains(known, n) || seen[n] {
				t.Fatalf("%q: %q", spec, got)
			}
			seen[n] = true
		}
	})
}
