package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func compileText(t *testing.T, text string) *Program {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pb.yml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Compile(pb.Plays[0])
}

func TestCompileRebootPhasesGraph(t *testing.T) {
	prog := compileText(t, `
- hosts: all
  pre_reboot:
    - name: drain
      command: drain
  reboot: {reboot_timeout: 60}
  post_reboot:
    - name: check
      command: check
`)
	want := `entry 0
0 task tasks "drain" -> 1 | fail -> fail
1 task tasks "reboot" [reboot] -> 2 | fail -> fail
2 task tasks "check" -> end | fail -> fail
`
	if got := prog.String(); got != want {
		t.Errorf("graph:\n%s\nwant:\n%s", got, want)
	}
}

func TestCompileBlockRescueAlwaysGraph(t *testing.T) {
	prog := compileText(t, `
- hosts: all
  pre_tasks:
    - name: first
      command: a
  tasks:
    - name: guarded
      block:
        - name: try
          command: b
      rescue:
        - name: recover
          command: c
      always:
        - name: cleanup
          command: d
    - name: after
      command: e
      notify: h
  handlers:
    - name: h
      command: f
`)
	// IDs follow the walk: success edges first, then the rescue path.
	want := `entry 0
0 task pre_tasks "first" -> 1 | fail -> fail
1 flush-handlers pre_tasks -> 2 | fail -> fail
2 task tasks "try" -> 3 | fail -> 7
3 task tasks "cleanup" -> 4 | fail -> fail
4 block-end tasks "guarded" -> 5 | fail -> fail
5 task tasks "after" -> 6 | fail -> fail
6 flush-handlers tasks -> end | fail -> fail
7 block-failed tasks "guarded" -> 8 | fail -> fail
8 task tasks "recover" -> 9 | fail -> 3
9 rescued tasks "guarded" -> 3 | fail -> fail
10 task handlers "h" -> end | fail -> fail
handler "h" entry 10
`
	if got := prog.String(); got != want {
		t.Errorf("graph:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(prog.Dot(), `n2 -> n7 [style=dashed,color=red]`) {
		t.Errorf("dot lacks the failure edge of the block:\n%s", prog.Dot())
	}
}

// The reboot-phase form and the equivalent tasks list compile to the same
// graph.
func TestRebootPhasesEqualTasksList(t *testing.T) {
	a := compileText(t, `
- hosts: all
  pre_reboot: [{name: x, command: x}]
  reboot: true
  post_reboot: [{name: y, command: y}]
`)
	b := compileText(t, `
- hosts: all
  tasks:
    - {name: x, command: x}
    - {name: reboot, reboot: {}}
    - {name: y, command: y}
`)
	if a.String() != b.String() {
		t.Errorf("phases:\n%s\ntasks:\n%s", a, b)
	}
}

// Seq is the source order (block, rescue, always, then what follows;
// a looped include's body inside it), which node IDs (walk order) are
// not; Caught marks the tasks whose failure a rescue catches.
func TestCompileSeqAndCaught(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.yml"), []byte("- name: body\n  command: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pb.yml"), []byte(`
- hosts: all
  pre_tasks:
    - name: first
      command: a
  tasks:
    - block:
        - name: try
          command: b
        - block:
            - name: inner
              command: b2
          always:
            - name: inner always
              command: b3
      rescue:
        - name: recover
          command: c
      always:
        - name: cleanup
          command: d
    - name: looped
      include_tasks: x.yml
      loop: [1, 2]
    - name: last
      command: e
  handlers:
    - name: h
      command: f
`), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog := Compile(pb.Plays[0])
	var got []string
	byName := map[string]*Node{}
	nodes := append([]*Node(nil), prog.Nodes...)
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			if nodes[j].Seq < nodes[i].Seq {
				nodes[i], nodes[j] = nodes[j], nodes[i]
			}
		}
	}
	for _, n := range nodes {
		if n.Kind == KindTask || n.Kind == KindLoopStart {
			got = append(got, n.Task.Name)
			byName[n.Task.Name] = n
		}
	}
	want := "h first try inner inner always recover cleanup looped body last"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("tasks by Seq: %s\nwant: %s", s, want)
	}
	for name, caught := range map[string]bool{"first": false, "try": true, "inner": true, "inner always": true, "recover": false, "cleanup": false, "looped": false, "body": false, "last": false, "h": false} {
		if byName[name].Caught != caught {
			t.Errorf("%s: Caught %v, want %v", name, byName[name].Caught, caught)
		}
	}
}
