package runner

import "testing"

// A loop over a variable the task's when tests with `is defined`: where
// it is undefined the task is skipped (as Ansible checks when before
// reporting the loop), where it is defined the loop runs; an undefined
// loop without such a when still fails.
func TestLoopGuardedByWhen(t *testing.T) {
	f := testFleet(t, 2, 1, 0, nil)
	res, rec := runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - set_fact: {xs: [a, b]}
      when: inventory_hostname == 'host01'
    - name: guarded
      command: echo {{ item }}
      loop: "{{ xs }}"
      when: xs is defined
    - name: unguarded
      command: echo {{ item }}
      loop: "{{ xs }}"
`, nil)
	got := map[string]string{}
	for _, e := range rec.of(EvTaskResult) {
		got[e.Task+"/"+e.Host] = e.Status
	}
	for k, want := range map[string]string{
		"guarded/host01": StatusChanged, "guarded/host02": StatusSkipped,
		"unguarded/host01": StatusChanged, "unguarded/host02": StatusFailed,
	} {
		if got[k] != want {
			t.Errorf("%s: %s, want %s", k, got[k], want)
		}
	}
	if st := status(res); st["host02"] != StatusFailed {
		t.Errorf("host02 %s: the unguarded loop fails", st["host02"])
	}
}
