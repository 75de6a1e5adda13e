package runner

import (
	"strings"
	"testing"
	"time"
)

// A background job (async, poll: 0) keeps its result for async_status,
// which a task polls with until; mode: cleanup removes the job's files;
// async's limit kills a job that runs too long.
func TestAsyncJobAndStatus(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	res, _ := runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - name: long patch step
      shell: "sleep 1; echo patched; echo warning >&2; exit 3"
      async: 60
      poll: 0
      register: job
    - name: started, not finished
      shell: echo "{{ job.started }} {{ job.finished }}" > started
    - name: wait for it
      async_status: {jid: "{{ job.ansible_job_id }}"}
      register: st
      until: st.finished == 1
      retries: 30
      delay: 1
      ignore_errors: true
    - shell: echo "{{ st.finished }} {{ st.rc }} {{ st.stdout }} {{ st.stderr }} {{ st.failed }}" > result
    - async_status: {jid: "{{ job.ansible_job_id }}", mode: cleanup}
    - shell: test -e ".ansible_async/{{ job.ansible_job_id }}.d" && echo left > cleaned || echo gone > cleaned
    - name: over its limit
      shell: "sleep 30; echo never"
      async: 1
      poll: 0
      register: slow
    - async_status: {jid: "{{ slow.ansible_job_id }}"}
      register: st2
      until: st2.finished == 1
      retries: 10
      delay: 1
      ignore_errors: true
    - shell: echo "{{ st2.rc }} [{{ st2.stdout }}]" > killed
`, nil)
	if s := res.Hosts[0]; s.Status != StatusChanged { // the failed job's status is ignored
		t.Fatalf("%s: %s %s", s.Name, s.Status, s.Msg)
	}
	for file, want := range map[string]string{
		"started": "1 0",
		"result":  "1 3 patched warning True",
		"cleaned": "gone",
		"killed":  "137 []",
	} {
		if got := strings.TrimSpace(hostFile(f, h, file)); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
}

// until ends the retries, but the result stays the module's: a command
// that exits 3 has failed even when its until holds (ansible-core 2.14
// reports failed: true, attempts: 1 for this task).
func TestUntilKeepsTheResultsFailure(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	h := f.Hosts()[0]
	runPlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - shell: echo ready; exit 3
      register: r
      until: "'ready' in r.stdout"
      retries: 2
      delay: 0
      ignore_errors: true
    - shell: echo "{{ r.failed }} {{ r.attempts }}" > until
`, nil)
	if got := strings.TrimSpace(hostFile(f, h, "until")); got != "True 1" {
		t.Errorf("until = %q, want \"True 1\"", got)
	}
}
