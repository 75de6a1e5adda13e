package ssh

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// algorithms are the algorithm lists ssh_config's KexAlgorithms, Ciphers,
// MACs and HostKeyAlgorithms ask for; nil means drover's defaults
// (golang.org/x/crypto/ssh's), and for host keys the key types on record
// in known_hosts first.
type algorithms struct {
	kex, ciphers, macs, hostKeys []string
}

// algorithmKind is one of the four keywords: the names drover implements
// (in its preference order), the base a "+", "-" or "^" list modifies.
type algorithmKind struct {
	keyword string
	known   []string // every name drover can speak
	base    []string // the default set: drover's algorithms without known weaknesses
	set     func(a *algorithms, names []string)
}

var algorithmKinds = func() []algorithmKind {
	sup, weak := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	return []algorithmKind{
		{"KexAlgorithms", slices.Concat(sup.KeyExchanges, []string{"curve25519-sha256@libssh.org"}, weak.KeyExchanges), sup.KeyExchanges,
			func(a *algorithms, n []string) { a.kex = n }},
		{"Ciphers", slices.Concat(sup.Ciphers, weak.Ciphers), sup.Ciphers,
			func(a *algorithms, n []string) { a.ciphers = n }},
		{"MACs", slices.Concat(sup.MACs, weak.MACs), sup.MACs,
			func(a *algorithms, n []string) { a.macs = n }},
		{"HostKeyAlgorithms", slices.Concat(sup.HostKeys, weak.HostKeys), sup.HostKeys,
			func(a *algorithms, n []string) { a.hostKeys = n }},
	}
}()

// opensshOnly are algorithms OpenSSH implements and drover does not: a
// list naming them is usual (hardening guides list sntrup761 and umac),
// so leaving them out is not worth a warning; other unknown names are
// likely typos.
var opensshOnly = map[string]bool{
	"sntrup761x25519-sha512@openssh.com": true, "sntrup761x25519-sha512": true,
	"diffie-hellman-group18-sha512": true, "mlkem768x25519-sha256": true,
	"aes192-cbc": true, "aes256-cbc": true,
	"umac-64@openssh.com": true, "umac-128@openssh.com": true,
	"umac-64-etm@openssh.com": true, "umac-128-etm@openssh.com": true,
	"hmac-sha1-etm@openssh.com": true, "hmac-sha1-96-etm@openssh.com": true,
	"hmac-md5": true, "hmac-md5-96": true, "hmac-md5-etm@openssh.com": true, "hmac-md5-96-etm@openssh.com": true,
	"ssh-dss": true, "ssh-dss-cert-v01@openssh.com": true,
	"sk-ssh-ed25519@openssh.com": true, "sk-ecdsa-sha2-nistp256@openssh.com": true,
	"sk-ssh-ed25519-cert-v01@openssh.com": true, "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com": true,
}

// resolveAlgorithms reads the four keywords through get (ssh_config and
// -o options). Names drover does not implement are left out; unknown
// ones that OpenSSH does not know either are returned in unknown. A list
// that leaves nothing drover can speak is an error.
func resolveAlgorithms(get func(string) string) (a algorithms, unknown []string, err error) {
	for _, k := range algorithmKinds {
		spec := strings.TrimSpace(get(k.keyword))
		if spec == "" {
			continue
		}
		names, drop := algorithmList(spec, k.base, k.known)
		for _, n := range drop {
			if !opensshOnly[n] {
				unknown = append(unknown, k.keyword+" "+n)
			}
		}
		if len(names) == 0 {
			return a, unknown, fmt.Errorf("%s %s leaves no algorithm drover supports (it supports %s)", k.keyword, spec, strings.Join(k.known, ","))
		}
		k.set(&a, names)
	}
	return a, unknown, nil
}

// algorithmList applies an ssh_config algorithm list to base, as
// ssh_config(5) says: "+list" appends to the default set, "-list" removes
// from it, "^list" puts at its head, a plain list replaces it. Entries may
// be patterns with * and ?; a literal name drover does not know is
// returned in dropped.
func algorithmList(spec string, base, known []string) (names, dropped []string) {
	op := spec[0]
	if strings.ContainsRune("+-^", rune(op)) {
		spec = spec[1:]
	} else {
		op = 0
	}
	var listed []string
	for _, pat := range strings.Split(spec, ",") {
		pat = strings.TrimSpace(pat)
		if pat == "" {
			continue
		}
		var m []string
		for _, n := range known {
			if ok, err := path.Match(pat, n); ok || (err != nil && pat == n) {
				m = append(m, n)
			}
		}
		if len(m) == 0 && !strings.ContainsAny(pat, "*?") {
			dropped = append(dropped, pat)
		}
		for _, n := range m {
			listed = appendUnique(listed, n)
		}
	}
	switch op {
	case '+':
		names = slices.Clone(base)
		for _, n := range listed {
			names = appendUnique(names, n)
		}
	case '-':
		for _, n := range base {
			if !slices.Contains(listed, n) {
				names = append(names, n)
			}
		}
	case '^':
		names = listed
		for _, n := range base {
			names = appendUnique(names, n)
		}
	default:
		names = listed
	}
	return names, dropped
}
