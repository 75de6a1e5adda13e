package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// package_facts reads each host's own dpkg database: a play installs the
// test package, gathers package facts and writes what the facts say about
// it and about a package every Debian host has to a file on the host; the
// test compares with the host's dpkg status file.
func TestE2EPackageFacts(t *testing.T) {
	f, repo := aptFleet(t, 2)
	repo.publish(t, "1.3")
	runPackagePlay(t, f, `
- hosts: all
  gather_facts: false
  tasks:
    - apt: {name: `+e2ePkg+`, update_cache: yes}
    - package_facts:
    - name: record what the facts say
      copy:
        dest: `+sshdtest.PrivatePath+`/facts.txt
        content: |
          {{ ansible_facts.packages['`+e2ePkg+`'][0].version }} {{ ansible_facts.packages['`+e2ePkg+`'][0].source }}
          {{ ansible_facts.packages['dpkg'][0].version }} {{ packages['dpkg'] | length }}
          {{ 'drover-e2e-absent' in ansible_facts.packages }}
`).expect(t, f, "package_facts", 0, "record what the facts say", "changed")
	for _, h := range f.Names() {
		status := filepath.Join(f.DpkgDir(h), "status")
		_, dpkgV := dpkgStatus(t, status, "dpkg")
		b, err := os.ReadFile(filepath.Join(f.HostDir(h), "facts.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := "1.3 apt\n" + dpkgV + " 1\nFalse\n"
		if dpkgV == "" || string(b) != want {
			t.Errorf("%s: facts.txt = %q, want %q (from the host's dpkg status)", h, b, want)
		}
		if strings.Contains(string(b), "{{") {
			t.Errorf("%s: unrendered: %q", h, b)
		}
	}
}

// service_facts before and after a reboot, the night's health check: a
// service enabled at boot is running again, one only started by hand is
// not, and a play can tell. The facts are compared with the host's own
// unit state (sshdtest's systemctl keeps it as files).
func TestE2EServiceFactsAcrossReboot(t *testing.T) {
	pw := "pw-" + t.Name()
	f := sshdtest.StartT(t, 1, sshdtest.Options{SudoPassword: pw})
	inv := becomeInventory(t, f, pw)
	runPlayOK(t, f, inv, "", `
- hosts: all
  gather_facts: false
  become: true
  pre_reboot:
    - systemd: {name: web, state: started, enabled: true}
    - systemd: {name: batch, state: started}
    - service_facts:
    - set_fact:
        running_before: "{{ ansible_facts.services | dict2items | selectattr('value.state', 'equalto', 'running') | map(attribute='key') | sort }}"
  reboot: true
  post_reboot:
    - service_facts:
    - name: record what came back
      copy:
        dest: `+sshdtest.PrivatePath+`/services.txt
        content: |
          before {{ running_before | join(',') }}
          web {{ ansible_facts.services['web.service'].state }} {{ ansible_facts.services['web.service'].status }}
          batch {{ ansible_facts.services['batch.service'].state }} {{ ansible_facts.services['batch.service'].status }}
          missing {{ running_before | difference(ansible_facts.services | dict2items | selectattr('value.state', 'equalto', 'running') | map(attribute='key')) | join(',') }}
`)
	h := f.Names()[0]
	want := "before batch.service,web.service\nweb running enabled\nbatch stopped disabled\nmissing batch.service\n"
	if got := recordedFile(t, f, h, "services.txt"); got != want {
		t.Errorf("services.txt:\n%s\nwant\n%s", got, want)
	}
	// The host's own unit state agrees.
	for unit, active := range map[string]bool{"web.service": true, "batch.service": false} {
		_, err := os.Stat(filepath.Join(f.HostDir(h), ".systemd", unit+".active"))
		if (err == nil) != active {
			t.Errorf("%s active on the host: %v, want %v", unit, err == nil, active)
		}
	}
}

// recordedFile is a file a task wrote in the host's private directory.
func recordedFile(t *testing.T, f *sshdtest.Fleet, host, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.HostDir(host), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// find + file absent in a loop, the pre-reboot cleanup idiom: logs older
// than a day are removed, the others stay. Asserted on the host's files.
func TestE2EFindOldLogsAndRemove(t *testing.T) {
	f, h, inv := rootHost(t)
	logs := filepath.Join(f.HostDir(h), "logs")
	old := time.Now().Add(-48 * time.Hour)
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"old.log", "old2.log", "new.log", "old.txt"} {
		p := filepath.Join(logs, name)
		writeFile(t, p, name+"\n")
		if strings.HasPrefix(name, "old") {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	runPlayOK(t, f, inv, "", `
- hosts: all
  gather_facts: false
  tasks:
    - find:
        paths: `+sshdtest.PrivatePath+`/logs
        patterns: "*.log"
        age: 1d
      register: stale
    - file: {path: "{{ item.path }}", state: absent}
      loop: "{{ stale.files }}"
      loop_control: {label: "{{ item.path }}"}
`)
	var left []string
	ents, err := os.ReadDir(logs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if strings.Join(left, ",") != "new.log,old.txt" {
		t.Errorf("left in logs: %v, want new.log and old.txt", left)
	}
}

// unarchive of a tar.gz from the controller into a directory of the host:
// extracted (the host's files), not again when the directory already
// holds the content, again after a file was changed on the host; excludes
// honoured; list_files returned.
func TestE2EUnarchive(t *testing.T) {
	f, h, inv := rootHost(t)
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "app", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "app", "bin", "run.sh"), "#!/bin/sh\necho v2\n")
	writeFile(t, filepath.Join(src, "app", "README"), "v2\n")
	writeFile(t, filepath.Join(src, "app", "debug.log"), "noise\n")
	dir := t.TempDir()
	if out, err := exec.Command("tar", "-czf", filepath.Join(dir, "app.tar.gz"), "-C", src, "app").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(f.HostDir(h), "opt"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "play.yml"), `
- hosts: all
  gather_facts: false
  tasks:
    - name: unpack
      unarchive:
        src: app.tar.gz
        dest: `+sshdtest.PrivatePath+`/opt
        exclude: ["*.log"]
        list_files: true
      register: u
    - copy: {content: "{{ u.changed }} {{ u.files | length }}\n", dest: `+sshdtest.PrivatePath+`/unarchived}
`)
	run := func(step, want string) {
		t.Helper()
		state := t.TempDir()
		out, code := runBecome(t, f, inv, filepath.Join(dir, "play.yml"), state, filepath.Join(state, "events.jsonl"))
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", step, code, out)
		}
		if got := recordedFile(t, f, h, "unarchived"); got != want {
			t.Errorf("%s: unarchived = %q, want %q", step, got, want)
		}
	}
	run("first", "True 4\n") // app/, app/bin/, app/bin/run.sh, app/README (debug.log excluded)
	opt := filepath.Join(f.HostDir(h), "opt", "app")
	if b, _ := os.ReadFile(filepath.Join(opt, "bin", "run.sh")); string(b) != "#!/bin/sh\necho v2\n" {
		t.Errorf("run.sh = %q", b)
	}
	if _, err := os.Stat(filepath.Join(opt, "debug.log")); err == nil {
		t.Error("an excluded file was extracted")
	}
	run("again", "False 4\n")
	writeFile(t, filepath.Join(opt, "README"), "edited\n")
	run("after an edit", "True 4\n")
	if b, _ := os.ReadFile(filepath.Join(opt, "README")); string(b) != "v2\n" {
		t.Errorf("README = %q after re-extraction", b)
	}
}

// drover run --start-at-task against an sshd host: the tasks before the
// match do not run (the host's files say so); a name that matches no task
// is refused before any host is contacted.
func TestE2EStartAtTask(t *testing.T) {
	f, h, inv := rootHost(t)
	p := writeTasksPlay(t, `
    - name: stop the app
      shell: echo stop >> `+sshdtest.PrivatePath+`/steps
    - name: patch
      shell: echo patch >> `+sshdtest.PrivatePath+`/steps
    - name: start the app
      shell: echo start >> `+sshdtest.PrivatePath+`/steps
`)
	run := func(pattern string) (string, error) {
		state := t.TempDir()
		cmd := exec.Command(droverBin, "run", p, "-i", inv, "--known-hosts", f.KnownHostsPath(), "--state-dir", state, "--start-at-task", pattern)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Dir(state))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("pat*"); err != nil {
		t.Fatalf("drover run: %v\n%s", err, out)
	}
	if got := recordedFile(t, f, h, "steps"); got != "patch\nstart\n" {
		t.Errorf("steps = %q, want patch and start only", got)
	}
	out, err := run("nothing like it")
	if err == nil || !strings.Contains(out, `--start-at-task "nothing like it": no task of the playbook has that name`) {
		t.Errorf("no match: %v\n%s", err, out)
	}
	if got := recordedFile(t, f, h, "steps"); got != "patch\nstart\n" {
		t.Errorf("steps after the refused run = %q", got)
	}
}

// rootHost starts one sshd host and an inventory logging in as root.
func rootHost(t *testing.T) (*sshdtest.Fleet, string, string) {
	t.Helper()
	f := sshdtest.StartT(t, 1, sshdtest.Options{SudoPassword: "unused-" + t.Name()})
	inv := userInventory(t, f, "    ansible_user: root\n", func(_ int, hi sshdtest.HostInfo) string { return addrVars(hi) })
	return f, f.Names()[0], inv
}

// writeTasksPlay writes a play over all hosts, without facts, whose task list
// is tasks, and returns its path.
func writeTasksPlay(t *testing.T, tasks string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "play.yml")
	writeFile(t, p, "- hosts: all\n  gather_facts: false\n  tasks:"+tasks)
	return p
}
