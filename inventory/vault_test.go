package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/internal/vault"
)

var testVaultPass = []byte("inventory vault pass")

// encrypt returns plain as an ansible-vault payload.
func encrypt(t *testing.T, plain string) string {
	t.Helper()
	b, err := vault.Encrypt([]byte(plain), testVaultPass, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// indent indents every line of s by n spaces (a YAML block scalar).
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad) + "\n"
}

// !vault values (host and group variables, nested ones included) and
// whole-file encrypted group_vars are decrypted with the vault password;
// without it an encrypted file is an error and values stay ciphertext.
func TestInventoryVault(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "hosts.yml")
	secret := encrypt(t, "sudo-pass")
	writeTestFile(t, inv, "all:\n  hosts:\n    web1:\n      ansible_become_password: !vault |\n"+indent(secret, 8)+
		"      nested:\n        list:\n          - plain\n          - !vault |\n"+indent(encrypt(t, "in-a-list"), 12)+
		"  children:\n    web:\n      hosts:\n        web1:\n        web2:\n      vars:\n        db_password: !vault |\n"+indent(encrypt(t, "db-pass"), 10))
	writeTestFile(t, filepath.Join(dir, "group_vars", "all", "vault.yml"), encrypt(t, "api_token: tok-123\n"))

	got, err := Load([]string{inv}, LoadOptions{VaultPassword: testVaultPass})
	if err != nil {
		t.Fatal(err)
	}
	w1, w2 := got.byName["web1"], got.byName["web2"]
	if w1.Vars["ansible_become_password"] != "sudo-pass" || w1.Vars["db_password"] != "db-pass" || w2.Vars["db_password"] != "db-pass" {
		t.Errorf("vault values: web1 %v, web2 %v", w1.Vars, w2.Vars)
	}
	if l := w1.Vars["nested"].(map[string]any)["list"].([]any); l[0] != "plain" || l[1] != "in-a-list" {
		t.Errorf("nested = %v", w1.Vars["nested"])
	}
	if w1.Vars["api_token"] != "tok-123" || w2.Vars["api_token"] != "tok-123" {
		t.Errorf("the encrypted group_vars file: %v", w2.Vars)
	}

	// Without the password: the encrypted file stops the load, clearly.
	_, err = Load([]string{inv}, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "vault.yml:1: the file is encrypted with ansible-vault: give --vault-password-file") {
		t.Errorf("without a password: %v", err)
	}
	// A wrong password names the host and the variable.
	_, err = Load([]string{inv}, LoadOptions{VaultPassword: []byte("wrong")})
	if err == nil || !strings.Contains(err.Error(), "vault") {
		t.Errorf("wrong password: %v", err)
	}
	os.RemoveAll(filepath.Join(dir, "group_vars"))
	_, err = Load([]string{inv}, LoadOptions{VaultPassword: []byte("wrong")})
	if err == nil || !strings.Contains(err.Error(), "inventory: host web1: variable ") || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("wrong password: %v", err)
	}
	plain, err := Load([]string{inv}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := plain.byName["web1"].Vars["ansible_become_password"].(string); !strings.HasPrefix(s, "$ANSIBLE_VAULT;") {
		t.Errorf("without a password the value is %q, want its ciphertext", s)
	}
}

func writeTestFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
