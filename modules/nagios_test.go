package modules

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nagiosFIFO is a command file: a FIFO read by a goroutine, as Nagios
// reads it.
type nagiosFIFO struct {
	path  string
	lines chan string
}

func newNagiosFIFO(t *testing.T, dir string) *nagiosFIFO {
	t.Helper()
	p := filepath.Join(dir, "nagios.cmd")
	if err := syscall.Mkfifo(p, 0o660); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// O_RDWR: never blocks on open and never sees EOF between writers.
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	ff := &nagiosFIFO{path: p, lines: make(chan string, 100)}
	go func() {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			ff.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { f.Close() })
	return ff
}

// read returns the n lines written (and fails on fewer within a few
// seconds, or on more).
func (f *nagiosFIFO) read(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		select {
		case l := <-f.lines:
			out = append(out, l)
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d lines from the command file, want %d: %q", len(out), n, out)
		}
	}
	select {
	case l := <-f.lines:
		t.Fatalf("unexpected extra line %q after %q", l, out)
	case <-time.After(50 * time.Millisecond):
	}
	return out
}

// nagiosEnv is a host whose `date +%s` says 1700000000.
func nagiosEnv(t *testing.T) (*Env, string) {
	env, dir := testEnv(t)
	fakeBin(t, env, "date", `[ "$1" = +%s ] && echo 1700000000 || exit 1`+"\n")
	return env, dir
}

const nagiosNowTS = "1700000000"

// Every action writes the module's exact lines to the command file, with
// the host's time; nagios_commands lists them.
func TestNagiosCommandLines(t *testing.T) {
	env, dir := nagiosEnv(t)
	fifo := newNagiosFIFO(t, dir)
	cases := []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{"action": "downtime", "host": "web1", "services": "host"},
			[]string{"[1700000000] SCHEDULE_HOST_DOWNTIME;web1;1700000000;1700001800;1;0;1800;Ansible;Scheduling downtime"}},
		{map[string]any{"action": "downtime", "host": "web1", "service": "all", "minutes": 60, "author": "ops", "comment": "Patch night"},
			[]string{"[1700000000] SCHEDULE_HOST_SVC_DOWNTIME;web1;1700000000;1700003600;1;0;3600;ops;Patch night"}},
		{map[string]any{"action": "downtime", "host": "web1", "services": "httpd,nfs", "minutes": "10", "start": "1555984800"},
			[]string{"[1700000000] SCHEDULE_SVC_DOWNTIME;web1;httpd;1555984800;1555985400;1;0;600;Ansible;Scheduling downtime",
				"[1700000000] SCHEDULE_SVC_DOWNTIME;web1;nfs;1555984800;1555985400;1;0;600;Ansible;Scheduling downtime"}},
		{map[string]any{"action": "delete_downtime", "host": "web1", "services": "host"},
			[]string{"[1700000000] DEL_DOWNTIME_BY_HOST_NAME;web1;;;Scheduling downtime"}},
		{map[string]any{"action": "delete_downtime", "host": "web1", "services": "all"},
			[]string{"[1700000000] DEL_DOWNTIME_BY_HOST_NAME;web1;;;"}},
		{map[string]any{"action": "delete_downtime", "host": "web1", "services": "httpd", "comment": "Planned maintenance"},
			[]string{"[1700000000] DEL_DOWNTIME_BY_HOST_NAME;web1;httpd;;Planned maintenance"}},
		{map[string]any{"action": "enable_alerts", "host": "web1", "services": "host"},
			[]string{"[1700000000] ENABLE_HOST_NOTIFICATIONS;web1"}},
		{map[string]any{"action": "enable_alerts", "host": "web1", "services": "all"},
			[]string{"[1700000000] ENABLE_HOST_SVC_NOTIFICATIONS;web1"}},
		{map[string]any{"action": "enable_alerts", "host": "web1", "services": "smart"},
			[]string{"[1700000000] ENABLE_SVC_NOTIFICATIONS;web1;smart"}},
		{map[string]any{"action": "disable_alerts", "host": "web1", "services": "httpd,nfs"},
			[]string{"[1700000000] DISABLE_SVC_NOTIFICATIONS;web1;httpd", "[1700000000] DISABLE_SVC_NOTIFICATIONS;web1;nfs"}},
		{map[string]any{"action": "disable_alerts", "host": "web1", "services": "host"},
			[]string{"[1700000000] DISABLE_HOST_NOTIFICATIONS;web1"}},
		{map[string]any{"action": "disable_alerts", "host": "web1", "services": "all"},
			[]string{"[1700000000] DISABLE_HOST_SVC_NOTIFICATIONS;web1"}},
		{map[string]any{"action": "silence", "host": "web1"},
			[]string{"[1700000000] DISABLE_HOST_SVC_NOTIFICATIONS;web1", "[1700000000] DISABLE_HOST_NOTIFICATIONS;web1"}},
		{map[string]any{"action": "unsilence", "host": "web1"},
			[]string{"[1700000000] ENABLE_HOST_SVC_NOTIFICATIONS;web1", "[1700000000] ENABLE_HOST_NOTIFICATIONS;web1"}},
		{map[string]any{"action": "silence_nagios"}, []string{"[1700000000] DISABLE_NOTIFICATIONS"}},
		{map[string]any{"action": "unsilence_nagios"}, []string{"[1700000000] ENABLE_NOTIFICATIONS"}},
		{map[string]any{"action": "command", "command": "DISABLE_FAILURE_PREDICTION"},
			[]string{"[1700000000] DISABLE_FAILURE_PREDICTION"}},
		{map[string]any{"action": "acknowledge", "host": "web1", "services": "host", "comment": "power outage - see casenr 12345"},
			[]string{"[1700000000] ACKNOWLEDGE_HOST_PROBLEM;web1;0;1;0;Ansible;power outage - see casenr 12345"}},
		{map[string]any{"action": "acknowledge", "host": "web1", "services": "httpd"},
			[]string{"[1700000000] ACKNOWLEDGE_SVC_PROBLEM;web1;httpd;0;1;0;Ansible;Scheduling downtime"}},
		{map[string]any{"action": "forced_check", "host": "web1", "services": "host"},
			[]string{"[1700000000] SCHEDULE_FORCED_HOST_CHECK;web1;1700000003"}},
		{map[string]any{"action": "forced_check", "host": "web1", "services": "all"},
			[]string{"[1700000000] SCHEDULE_FORCED_HOST_SVC_CHECKS;web1;1700000003"}},
		{map[string]any{"action": "forced_check", "host": "web1", "services": "snmp,httpd"},
			[]string{"[1700000000] SCHEDULE_FORCED_SVC_CHECK;web1;snmp;1700000003", "[1700000000] SCHEDULE_FORCED_SVC_CHECK;web1;httpd;1700000003"}},
		{map[string]any{"action": "servicegroup_host_downtime", "host": "web1", "servicegroup": "foo"},
			[]string{"[1700000000] SCHEDULE_SERVICEGROUP_HOST_DOWNTIME;foo;1700000000;1700001800;1;0;1800;Ansible;Scheduling downtime"}},
		{map[string]any{"action": "servicegroup_service_downtime", "host": "web1", "servicegroup": "foo", "minutes": 5},
			[]string{"[1700000000] SCHEDULE_SERVICEGROUP_SVC_DOWNTIME;foo;1700000000;1700000300;1;0;300;Ansible;Scheduling downtime"}},
		// Quotes and shell characters reach the file as they are.
		{map[string]any{"action": "downtime", "host": "web1", "services": "host", "comment": `it's "$(reboot)" night`},
			[]string{`[1700000000] SCHEDULE_HOST_DOWNTIME;web1;1700000000;1700001800;1;0;1800;Ansible;it's "$(reboot)" night`}},
	}
	for _, c := range cases {
		c.args["cmdfile"] = fifo.path
		r := run(t, env, "community.general.nagios", c.args)
		mustOK(t, r, true)
		got := fifo.read(t, len(c.want))
		mustEqual(t, "lines written for "+c.args["action"].(string), got, c.want)
		mustEqual(t, "nagios_commands for "+c.args["action"].(string), r["nagios_commands"], c.want)
	}
}

// Without date faked, the timestamps are the host's real time.
func TestNagiosHostTime(t *testing.T) {
	env, dir := testEnv(t)
	fifo := newNagiosFIFO(t, dir)
	before := time.Now().Unix()
	r := run(t, env, "nagios", map[string]any{"action": "forced_check", "host": "web1", "services": "host", "cmdfile": fifo.path})
	mustOK(t, r, true)
	l := fifo.read(t, 1)[0]
	m := regexp.MustCompile(`^\[(\d+)\] SCHEDULE_FORCED_HOST_CHECK;web1;(\d+)$`).FindStringSubmatch(l)
	if m == nil {
		t.Fatalf("line %q", l)
	}
	ts, _ := strconv.ParseInt(m[1], 10, 64)
	chk, _ := strconv.ParseInt(m[2], 10, 64)
	if ts < before || ts > time.Now().Unix() || chk != ts+3 {
		t.Fatalf("line %q: time not the host's now (%d)", l, before)
	}
}

// The command file comes from the first nagios.cfg of the module's list
// that exists and has a command_file line.
func TestNagiosCmdfileDetection(t *testing.T) {
	env, dir := nagiosEnv(t)
	fifo := newNagiosFIFO(t, dir)
	old := nagiosCfgLocations
	t.Cleanup(func() { nagiosCfgLocations = old })
	cfgA, cfgB, cfgC := filepath.Join(dir, "a.cfg"), filepath.Join(dir, "b.cfg"), filepath.Join(dir, "c.cfg")
	nagiosCfgLocations = []string{filepath.Join(dir, "missing.cfg"), cfgA, cfgB, cfgC}
	writeFile(t, cfgA, "# no command file here\nlog_file=/var/log/nagios.log\n", 0o644)
	writeFile(t, cfgB, "log_file=/x\n#command_file=/wrong\ncommand_file = "+fifo.path+"  =after a second =\ncommand_file=/second\n", 0o644)
	writeFile(t, cfgC, "command_file=/third\n", 0o644)
	r := run(t, env, "nagios", map[string]any{"action": "silence_nagios"})
	mustOK(t, r, true)
	mustEqual(t, "lines", fifo.read(t, 1), []string{"[1700000000] DISABLE_NOTIFICATIONS"})

	nagiosCfgLocations = []string{filepath.Join(dir, "missing.cfg"), cfgA}
	r = run(t, env, "nagios", map[string]any{"action": "silence_nagios"})
	mustFail(t, r, "unable to locate nagios.cfg")
}

// The module's checks and messages: missing arguments (required_if), a
// command file that is missing or not a FIFO; check mode is skipped.
func TestNagiosFailures(t *testing.T) {
	env, dir := nagiosEnv(t)
	r := run(t, env, "nagios", map[string]any{"action": "downtime", "host": "web1", "cmdfile": "/x"})
	mustFail(t, r, "action is downtime but all of the following are missing: services")
	r = run(t, env, "nagios", map[string]any{"action": "command", "cmdfile": "/x"})
	mustFail(t, r, "action is command but all of the following are missing: command")
	r = run(t, env, "nagios", map[string]any{"action": "servicegroup_host_downtime", "cmdfile": "/x"})
	mustFail(t, r, "action is servicegroup_host_downtime but all of the following are missing: host, servicegroup")
	r = run(t, env, "nagios", map[string]any{"action": "acknowledge", "host": "web1", "services": "all", "cmdfile": "/x"})
	mustFail(t, r, "services: all is not supported with action: acknowledge")

	missing := filepath.Join(dir, "nope.cmd")
	r = run(t, env, "nagios", map[string]any{"action": "silence", "host": "web1", "cmdfile": missing})
	mustFail(t, r, "nagios command file does not exist")
	if r["cmdfile"] != missing {
		t.Fatalf("cmdfile %v", r["cmdfile"])
	}
	plain := filepath.Join(dir, "plain.cmd")
	writeFile(t, plain, "", 0o644)
	r = run(t, env, "nagios", map[string]any{"action": "silence", "host": "web1", "cmdfile": plain})
	mustFail(t, r, "nagios command file is not a fifo file")
	if readFile(t, plain) != "" {
		t.Fatal("wrote to a regular file")
	}

	fifo := newNagiosFIFO(t, dir)
	env.Check = true
	r = run(t, env, "nagios", map[string]any{"action": "silence", "host": "web1", "cmdfile": fifo.path})
	if !r.Skipped() || r.Changed() || r.Failed() || !strings.Contains(r.Msg(), "does not support check mode") {
		t.Fatalf("check mode: %v", r)
	}
	fifo.read(t, 0)
}
