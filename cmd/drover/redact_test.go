package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverOutput plants secrets (an inventory *password* var, an
// extra-vars *token*, a var matched by --secret-vars, a no_log task's
// output), runs tasks that print them on stdout and stderr and fail with
// them, and greps every output channel: stdout, stderr, the events file,
// the JUnit file, the journal and `drover report`.
func TestSecretsNeverOutput(t *testing.T) {
	const (
		invSecret    = "Pl4nted-DB-pass"
		extraSecret  = "Ext-T0ken-123"
		customSecret = "Cust0m-cred-val"
		noLogSecret  = "nolog-output-42"
	)
	f := startFleet(t, 2, nil)
	b, err := os.ReadFile(f.InventoryPath())
	if err != nil {
		t.Fatal(err)
	}
	// Add vars under all:, indented like the file (the fleet's YAML style).
	text := string(b)
	i := strings.Index(text, "all:\n")
	if i < 0 {
		t.Fatalf("no all: in the fleet inventory:\n%s", text)
	}
	next := text[i+len("all:\n"):]
	ind := next[:len(next)-len(strings.TrimLeft(next, " "))]
	inv := text[:i] + "all:\n" + ind + "vars:\n" + ind + ind + "db_password: " + invSecret + "\n" + ind + ind + "custom_cred: " + customSecret + "\n" + next
	if inv == string(b) {
		t.Fatal("could not add vars to the fleet inventory")
	}
	invPath := f.file(t, "inventory.yml", inv)
	play := f.file(t, "p.yml", `- name: secrets
  hosts: all
  tasks:
    - name: use the secrets
      shell: echo "db={{ db_password }} api={{ api_token }} c={{ custom_cred }}"; echo "err {{ db_password }}" >&2
    - name: quiet
      shell: echo `+noLogSecret+`
      no_log: true
    - name: fail with the secret
      shell: 'echo "bad password {{ db_password }}" >&2; [ {{ inventory_hostname }} != host02 ]'
`)
	events := filepath.Join(f.dir, "events.jsonl")
	junit := filepath.Join(f.dir, "junit.xml")
	args := []string{"run", play, "-i", invPath, "--known-hosts", f.KnownHostsPath(), "--state-dir", f.state,
		"-e", "api_token=" + extraSecret, "--secret-vars", "*cred*", "-vv", "--events", events, "--junit", junit}
	r := drover(t, nil, args...)
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 3 (host02 fails)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The tasks really ran with the secrets: the masked values are there.
	if !strings.Contains(r.stdout, "db="+mask+" api="+mask+" c="+mask) {
		t.Fatalf("-vv output lacks the masked task output:\n%s", r.stdout)
	}
	channels := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for name, p := range map[string]string{"events": events, "junit": junit} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		channels[name] = string(b)
	}
	for _, j := range f.journals(t) {
		b, err := os.ReadFile(j)
		if err != nil {
			t.Fatal(err)
		}
		channels["journal"] = string(b)
		id := filepath.Base(filepath.Dir(j))
		for _, format := range []string{"text", "json", "markdown"} {
			rep := drover(t, nil, "report", id, "--state-dir", f.state, "--format", format)
			channels["report "+format] = rep.stdout + rep.stderr
		}
	}
	if !strings.Contains(channels["junit"], mask) || !strings.Contains(channels["journal"], mask) {
		t.Errorf("the failure message should reach JUnit and the journal, masked")
	}
	for name, text := range channels {
		for _, s := range []string{invSecret, extraSecret, customSecret, noLogSecret} {
			if strings.Contains(text, s) {
				i := strings.Index(text, s)
				t.Errorf("%s contains secret %q: …%s…", name, s, text[max(0, i-80):min(len(text), i+40)])
			}
		}
	}
}
