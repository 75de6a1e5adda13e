package inventory

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/drover-sh/drover/internal/vault"
)

// decryptHosts replaces every !vault value in the hosts' variables (kept
// as its "$ANSIBLE_VAULT;..." ciphertext by the parsers) with its
// plaintext. Maps and lists holding one are copied, not changed in place
// (hosts share them). Each ciphertext is decrypted once: a vaulted group
// variable costs one key derivation, not one per host.
func decryptHosts(inv *Inventory, password []byte) error {
	d := &decrypter{password: password, cache: map[string]string{}}
	names := make([]string, 0, len(inv.byName))
	for n := range inv.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := inv.byName[n]
		for _, k := range slices.Sorted(maps.Keys(h.Vars)) { // the first error, deterministically
			p, changed, err := d.value(h.Vars[k])
			if err != nil {
				return fmt.Errorf("inventory: host %s: variable %s: %w", n, k, err)
			}
			if changed {
				h.Vars[k] = p // h.Vars is the host's own map
			}
		}
	}
	return nil
}

type decrypter struct {
	password []byte
	cache    map[string]string // ciphertext -> plaintext
}

// value returns v with its vaulted strings decrypted, and whether any was.
func (d *decrypter) value(v any) (any, bool, error) {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(strings.TrimSpace(x), "$ANSIBLE_VAULT;") {
			return v, false, nil
		}
		if p, ok := d.cache[x]; ok {
			return p, true, nil
		}
		p, err := vault.Decrypt([]byte(x), d.password)
		if err != nil {
			return nil, false, err
		}
		d.cache[x] = string(p)
		return string(p), true, nil
	case map[string]any:
		var out map[string]any
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p, changed, err := d.value(x[k])
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", k, err)
			}
			if changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = p
			}
		}
		if out == nil {
			return x, false, nil
		}
		return out, true, nil
	case []any:
		var out []any
		for i, e := range x {
			p, changed, err := d.value(e)
			if err != nil {
				return nil, false, fmt.Errorf("[%d]: %w", i, err)
			}
			if changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = p
			}
		}
		if out == nil {
			return x, false, nil
		}
		return out, true, nil
	}
	return v, false, nil
}
