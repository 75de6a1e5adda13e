package playbooks

import (
	"errors"
	"testing"
)

var vaultPass = []byte("correct horse")

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
