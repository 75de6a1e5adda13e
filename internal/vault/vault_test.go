package vault

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var vaultPass = []byte("correct horse")

// TestDecryptVaultFixture decrypts a file made by the real ansible-vault
// (checked in: a fixed test vector).
func TestDecryptVaultFixture(t *testing.T) {
	data, err := os.ReadFile("../../playbooks/testdata/vault/secrets.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !IsEncrypted(data) {
		t.Fatal("fixture not recognised as vault data")
	}
	plain, err := Decrypt(data, vaultPass)
	if err != nil {
		t.Fatal(err)
	}
	want := "db_password: s3cret-from-vault\napi_token: tok123\n"
	if string(plain) != want {
		t.Fatalf("plain = %q, want %q", plain, want)
	}
	if _, err := Decrypt(data, []byte("wrong")); !errors.Is(err, ErrPassword) {
		t.Fatalf("wrong password: err = %v, want ErrPassword", err)
	}
}

func TestVaultRoundTrip(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, 32)
	for _, plain := range []string{"", "x", "exactly sixteen!", "a longer secret that spans several AES blocks\n"} {
		enc, err := Encrypt([]byte(plain), vaultPass, salt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decrypt(enc, vaultPass)
		if err != nil {
			t.Fatalf("%q: %v", plain, err)
		}
		if string(got) != plain {
			t.Fatalf("round trip: %q != %q", got, plain)
		}
	}
}

// TestVaultAgainstAnsibleVault encrypts with drover and decrypts with the
// real ansible-vault, and the other way round.
func TestVaultAgainstAnsibleVault(t *testing.T) {
	bin, err := exec.LookPath("ansible-vault")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ansible-vault not installed (scripts/test-deps.sh installs ansible-core)")
		}
		t.Skip("ansible-vault not installed")
	}
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, vaultPass, 0o600); err != nil {
		t.Fatal(err)
	}
	// drover → ansible-vault
	enc, err := Encrypt([]byte("from drover\n"), vaultPass, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	f1 := filepath.Join(dir, "a.yml")
	if err := os.WriteFile(f1, enc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "view", "--vault-password-file", passFile, f1).CombinedOutput()
	if err != nil || string(out) != "from drover\n" {
		t.Fatalf("ansible-vault view: %v: %q", err, out)
	}
	// ansible-vault → drover
	f2 := filepath.Join(dir, "b.yml")
	if err := os.WriteFile(f2, []byte("k: from ansible\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "encrypt", "--vault-password-file", passFile, f2).CombinedOutput(); err != nil {
		t.Fatalf("ansible-vault encrypt: %v: %s", err, out)
	}
	data, err := os.ReadFile(f2)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Decrypt(data, vaultPass)
	if err != nil || string(plain) != "k: from ansible\n" {
		t.Fatalf("decrypt: %q, %v", plain, err)
	}
}
