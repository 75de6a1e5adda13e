package runner

import (
	"strings"
	"testing"
	"time"
)

func TestFlowModulesLoopsAndRetries(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	text := `
- hosts: all
  vars:
    files: [a, b, c]
  tasks:
    - set_fact:
        greeting: "hello {{ inventory_hostname }}"
    - debug: {msg: "{{ greeting }}"}
    - shell: echo {{ item }} >> items && echo {{ idx }} >> indexes
      loop: "{{ files }}"
      loop_control: {index_var: idx, label: "file {{ item }}"}
      register: looped
    - assert:
        that:
          - looped.results | length == 3
          - looped.results | map(attribute='_ansible_item_label') | list == ['file a', 'file b', 'file c']
          - greeting == 'hello ' ~ inventory_hostname
    - shell: echo x >> attempts; test $(wc -l < attempts) -ge 3
      register: r
      until: r.rc == 0
      retries: 5
      delay: 0
    - fail: {msg: "never"}
      when: r.attempts != 3
    - shell: "echo {{ item.name }}={{ item.n }} >> pairs"
      loop:
        - {name: one, n: 1}
        - {name: two, n: 2}
      when: item.n > 1
`
	res, rec := runPlay(t, f, text, nil)
	for _, h := range res.Hosts {
		if h.Status == StatusFailed || h.Status == StatusUnreachable {
			t.Fatalf("%s: %s %s", h.Name, h.Status, h.Msg)
		}
		read := func(name string) string { return hostFile(f, h.Name, name) }
		if got := read("items"); got != "a\nb\nc\n" {
			t.Errorf("%s items = %q", h.Name, got)
		}
		if got := read("indexes"); got != "0\n1\n2\n" {
			t.Errorf("%s indexes = %q", h.Name, got)
		}
		if got := strings.Count(read("attempts"), "x"); got != 3 {
			t.Errorf("%s: %d attempts, want 3", h.Name, got)
		}
		if got := read("pairs"); got != "two=2\n" {
			t.Errorf("%s pairs = %q", h.Name, got)
		}
	}
	var debugMsg []string
	for _, e := range rec.of(EvTaskResult) {
		if m, ok := e.Result["msg"].(string); ok && strings.HasPrefix(m, "hello ") {
			debugMsg = append(debugMsg, m)
		}
	}
	if len(debugMsg) != 2 {
		t.Errorf("debug messages %v", debugMsg)
	}
}
