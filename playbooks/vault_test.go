package playbooks

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
	data, err := os.ReadFile("testdata/vault/secrets.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !IsVaultEncrypted(data) {
		t.Fatal("fixture not recognised as vault data")
	}
	plain, err := DecryptVault(data, vaultPass)
	if err != nil {
		t.Fatal(err)
	}
	want := "db_password: s3cret-from-vault\napi_token: tok123\n"
	if string(plain) != want {
		t.Fatalf("plain = %q, want %q", plain, want)
	}
	if _, err := DecryptVault(data, []byte("wrong")); !errors.Is(err, ErrVaultPassword) {
		t.Fatalf("wrong password: err = %v, want ErrVaultPassword", err)
	}
}

func TestVaultRoundTrip(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, 32)
	for _, plain := range []string{"", "x", "exactly sixteen!", "a longer secret that spans several AES blocks\n"} {
		enc, err := EncryptVault([]byte(plain), vaultPass, salt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecryptVault(enc, vaultPass)
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
	enc, err := EncryptVault([]byte("from drover\n"), vaultPass, bytes.Repeat([]byte{1}, 32))
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
	m, err := LoadVarsFile(f2, vaultPass)
	if err != nil {
		t.Fatal(err)
	}
	if m["k"] != "from ansible" {
		t.Fatalf("vars = %v", m)
	}
}

// TestLoadVaultedPlaybook reads encrypted vars_files and !vault values.
func TestLoadVaultedPlaybook(t *testing.T) {
	pb, err := Load("testdata/vault/site.yml", LoadOptions{VaultPassword: vaultPass})
	if err != nil {
		t.Fatal(err)
	}
	if got := pb.Plays[0].Vars["inline_secret"]; got != "inline-secret" {
		t.Fatalf("inline_secret = %#v", got)
	}
	if err := Validate(pb, ValidateOptions{}); err != nil {
		t.Fatalf("db_password from the encrypted vars file must count as defined: %v", err)
	}
	// Without a password: values stay opaque, the vars file's names are
	// unknown, so the undefined-variable check stays quiet.
	pb, err = Load("testdata/vault/site.yml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pb.Plays[0].Vars["inline_secret"].(Vaulted); !ok {
		t.Fatalf("inline_secret = %#v, want Vaulted", pb.Plays[0].Vars["inline_secret"])
	}
	if err := Validate(pb, ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A wrong password is an error at the vars file entry.
	_, err = Load("testdata/vault/site.yml", LoadOptions{VaultPassword: []byte("nope")})
	var el *ErrorList
	if !errors.As(err, &el) || len(el.Errors) != 2 {
		t.Fatalf("wrong password: %v", err)
	}
}
