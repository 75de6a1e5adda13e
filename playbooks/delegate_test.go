package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePlaybook writes src as site.yml in a fresh directory.
func writePlaybook(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "site.yml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDelegateToInventoryHosts(t *testing.T) {
	p := writePlaybook(t, `- hosts: web
  tasks:
    - name: drain
      command: echo drain {{ inventory_hostname }}
      delegate_to: lb01
    - name: drain from every balancer
      command: echo drain
      delegate_to: "{{ item }}"
      loop: "{{ groups['lb'] }}"
    - name: on the controller
      command: "true"
      delegate_to: 127.0.0.1
    - block:
        - name: in a delegated block
          command: "true"
      delegate_to: lb02
`)
	pb, list, err := check(p, ValidateOptions{Hosts: []string{"web1", "lb01", "lb02"}})
	if err != nil || list != nil {
		t.Fatalf("check: %v %v", err, list)
	}
	var got []string
	walkPlay(pb.Plays[0], func(t *Task) { got = append(got, t.DelegateTo) })
	want := "lb01,{{ item }},localhost,lb02,"
	if s := strings.Join(got, ","); s != want {
		t.Fatalf("delegate_to = %q, want %q", s, want)
	}
}

func TestDelegateToErrors(t *testing.T) {
	p := writePlaybook(t, `- hosts: web
  tasks:
    - name: typo
      command: "true"
      delegate_to: lb1
    - name: undefined variable
      command: "true"
      delegate_to: "{{ balancer }}"
    - name: reboot a delegate
      reboot:
      delegate_to: lb01
    - block:
        - name: reboot inside a delegated block
          reboot:
      delegate_to: localhost
`)
	checkErrors(t, p, ValidateOptions{Hosts: []string{"web1", "lb01"}},
		"site.yml:5:20: delegate_to 'lb1' is not an inventory host, did you mean 'lb01'?",
		"site.yml:8:20: undefined variable 'balancer' in delegate_to",
		"site.yml:11:20: reboot cannot be delegated (delegate_to lb01)",
		"site.yml:13:11: reboot cannot be delegated (delegate_to localhost): drover reboots the play's own hosts, one batch at a time; it would reboot the controller",
	)
	// Without an inventory the name cannot be checked.
	_, list, _ := check(p, ValidateOptions{AllowUnknownVars: true})
	if list == nil || strings.Contains(list.Text(), "lb1") {
		t.Errorf("without hosts: %v", list)
	}
}

// checkErrors validates p and fails unless its errors hold every want.
// It returns the errors' text.
func checkErrors(t *testing.T, p string, opts ValidateOptions, wants ...string) string {
	t.Helper()
	_, list, err := check(p, opts)
	if err != nil || list == nil {
		t.Fatalf("check: %v %v", err, list)
	}
	text := list.Text()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
	return text
}
