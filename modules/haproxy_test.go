package modules

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// haproxyStatHeader is HAProxy 1.8's `show stat` header line.
const haproxyStatHeader = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,"

// haproxyRowFormat is a printf format for one `show stat` row with the
// header's columns: %s for pxname, svname, scur, status, weight (in that
// order), plausible values elsewhere, and a quoted text column holding a
// comma, as HAProxy writes them.
func haproxyRowFormat(t *testing.T) string {
	t.Helper()
	cols := strings.Split(strings.TrimPrefix(haproxyStatHeader, "# "), ",")
	vals := make([]string, len(cols))
	set := map[string]string{
		"pxname": "%s", "svname": "%s", "scur": "%s", "status": "%s", "weight": "%s",
		"qcur": "0", "qmax": "0", "smax": "3", "stot": "120", "bin": "4567", "bout": "8910",
		"act": "1", "bck": "0", "pid": "1", "iid": "2", "sid": "1", "type": "2",
		"check_status": "L4OK", "check_duration": "0", "last_chk": `"Layer4 check passed, 0ms"`,
		"check_desc": "Layer4 check passed", "addr": "10.0.0.1:80", "mode": "http",
	}
	for i, c := range cols {
		vals[i] = set[c]
	}
	f := strings.Join(vals, ",")
	// Arguments must come in the order pxname, svname, scur, status, weight.
	if strings.Index(f, "%s") != 0 {
		t.Fatal("row format: pxname is not first")
	}
	return f
}

// pathConn runs commands with PATH limited to the test's fake commands and
// a few real tools, so the host's own socat/nc (or their absence) does not
// matter.
type pathConn struct {
	*localConn
	path string
}

func (c pathConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*ExecResult, error) {
	return c.localConn.Run(ctx, "PATH="+c.path+"; export PATH; "+cmd, stdin)
}

// haproxyFake is an HAProxy admin socket emulated by a fake socat (and
// nc -U): server state in files (maint, drain, weight, scur), `show stat`
// with HAProxy's CSV, `show info`, and the admin commands the module sends.
// layout lines: "fe NAME" (a frontend) or "be NAME SERVER...".
type haproxyFake struct {
	env  *Env
	dir  string // the fake's state
	sock string
}

func newHaproxyFake(t *testing.T, layout string, tools ...string) *haproxyFake {
	t.Helper()
	env, dir := testEnv(t)
	lc := env.Conn.(*localConn)
	toolDir := filepath.Join(dir, ".tools")
	if err := os.Mkdir(toolDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sleep"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(toolDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	f := &haproxyFake{env: env, dir: filepath.Join(dir, "haproxy"), sock: filepath.Join(dir, "haproxy.sock")}
	if err := os.Mkdir(f.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.sock, "", 0o600) // stands for the socket
	writeFile(t, filepath.Join(f.dir, "layout"), layout, 0o644)
	writeFile(t, filepath.Join(f.dir, "version"), "1.8.19-1+deb10u3\n", 0o644)
	for _, l := range strings.Split(layout, "\n") {
		w := strings.Fields(l)
		if len(w) > 2 && w[0] == "be" {
			for _, sv := range w[2:] {
				f.set(t, w[1], sv, "0 0 1 0")
			}
		}
	}
	D := f.dir
	emu := `D=` + D + `
sock=$1
[ -e "$sock" ] || { echo "E connect(5, AF=1 \"$sock\", 40): No such file or directory" >&2; exit 1; }
IFS= read -r line || [ -n "$line" ]
printf '%s\n' "$line" >> $D/cmds
ld() { f=$D/s.${1%%/*}.${1#*/}; [ -f "$f" ] || { echo "No such server."; return 1; }; read m d w c < "$f"; }
sv() { echo "$m $d $w $c" > "$f"; }
row() { printf '` + haproxyRowFormat(t) + `\n' "$@"; }
showstat() {
  echo '` + haproxyStatHeader + `'
  while read -r kind px svs; do
    case $kind in
    fe) row "$px" FRONTEND 0 OPEN "";;
    be)
      tc=0; tw=0
      for s in $svs; do
        ld "$px/$s"
        if [ "$m" = 1 ] || [ "$d" = 1 ]; then [ "$c" -gt 0 ] && c=$((c - 1)); sv; fi
        if [ "$m" = 1 ]; then st=MAINT; elif [ "$d" = 1 ]; then st=DRAIN; else st=UP; fi
        row "$px" "$s" "$c" "$st" "$w"
        tc=$((tc + c)); tw=$((tw + w))
      done
      row "$px" BACKEND "$tc" UP "$tw";;
    esac
  done < $D/layout
}
handle() {
  case "$1 $2" in
  "show stat") showstat; return;;
  "show info") read v < $D/version; printf 'Name: HAProxy\nVersion: %s\nRelease_date: 2023/02/14\nNbthread: 2\nNbproc: 1\n\n' "$v"; return;;
  esac
  if [ -e $D/readonly ]; then echo "Permission denied"; return; fi
  case "$1 $2" in
  "get weight") ld "$3" && echo "$w (initial 1)";;
  "enable server") ld "$3" && m=0 && sv;;
  "disable server") ld "$3" && m=1 && sv;;
  "set server") ld "$3" && case "$4 $5" in "state drain") d=1; m=0;; "state ready") d=0; m=0;; "state maint") m=1;; esac && sv;;
  "set weight") ld "$3" && w=$4 && sv;;
  "shutdown sessions") ld "$4" && c=0 && sv;;
  "enable agent"|"disable agent"|"enable health"|"disable health") ld "$3" >/dev/null;;
  *) echo "Unknown command. Please enter one of the following commands only :";;
  esac
}
rest=$line
while :; do
  c1=${rest%%;*}
  case $rest in *\;*) rest=${rest#*;};; *) rest=;; esac
  handle $c1
  [ -n "$rest" ] || break
done
echo
`
	writeFile(t, filepath.Join(D, "emu.sh"), emu, 0o644)
	if len(tools) == 0 {
		tools = []string{"socat"}
	}
	for _, tool := range tools {
		switch tool {
		case "socat":
			fakeBin(t, env, "socat", `printf 'socat %s\n' "$*" >> `+D+`/tools.log
[ "$1" = stdio ] || exit 2
exec /bin/sh `+D+`/emu.sh "${2#UNIX-CONNECT:}"
`)
		case "nc":
			fakeBin(t, env, "nc", `printf 'nc %s\n' "$*" >> `+D+`/tools.log
[ "$1" = -U ] || exit 2
exec /bin/sh `+D+`/emu.sh "$2"
`)
		}
	}
	env.Conn = pathConn{localConn: lc, path: lc.bin + ":" + toolDir}
	return f
}

// set writes a server's state: "MAINT DRAIN WEIGHT SCUR".
func (f *haproxyFake) set(t *testing.T, px, sv, state string) {
	t.Helper()
	writeFile(t, filepath.Join(f.dir, "s."+px+"."+sv), state+"\n", 0o644)
}

func (f *haproxyFake) get(t *testing.T, px, sv string) string {
	t.Helper()
	return strings.TrimSpace(readFile(t, filepath.Join(f.dir, "s."+px+"."+sv)))
}

// cmds returns the command lines the socket received since the last call.
func (f *haproxyFake) cmds(t *testing.T) []string {
	t.Helper()
	p := filepath.Join(f.dir, "cmds")
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	return Lines(b)
}

func (f *haproxyFake) args(kv ...any) map[string]any {
	a := map[string]any{"socket": f.sock}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i].(string)] = kv[i+1]
	}
	return a
}

func haState(rows ...string) any {
	var out []any
	for _, r := range rows {
		w := strings.Fields(r)
		out = append(out, map[string]any{"status": w[0], "weight": w[1], "scur": w[2]})
	}
	if out == nil {
		return nil
	}
	return out
}

func mustEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

const haLayout = "fe http-in\nbe www web1 web2\nbe api web1 web3\n"

// disabled puts the server in MAINT with the module's command line and
// result fields; a second run sends the commands again but reports no
// change (the status did not change); enabled with weight brings it back.
func TestHaproxyDisableEnable(t *testing.T) {
	f := newHaproxyFake(t, haLayout)
	r := run(t, f.env, "community.general.haproxy", f.args("state", "disabled", "host", "web1", "backend", "www"))
	mustOK(t, r, true)
	if got := f.get(t, "www", "web1"); got != "1 0 1 0" {
		t.Fatalf("www/web1 state %q, want MAINT", got)
	}
	if got := f.get(t, "api", "web1"); got != "0 0 1 0" {
		t.Fatalf("api/web1 touched: %q", got)
	}
	mustEqual(t, "command", r["command"], []string{"get weight www/web1; disable server www/web1"})
	mustEqual(t, "output", r["output"], []string{"1 (initial 1)"})
	mustEqual(t, "state_before", r["state_before"], haState("UP 1 0"))
	mustEqual(t, "state_after", r["state_after"], haState("MAINT 1 0"))
	mustEqual(t, "socket commands", f.cmds(t), []string{"show stat", "get weight www/web1; disable server www/web1", "show stat"})
	if log := readFile(t, filepath.Join(f.dir, "tools.log")); !strings.Contains(log, "socat stdio UNIX-CONNECT:"+f.sock) {
		t.Fatalf("socat not used on the socket: %q", log)
	}

	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www"))
	mustOK(t, r, false)
	mustEqual(t, "command", r["command"], []string{"get weight www/web1; disable server www/web1"})
	f.cmds(t)

	r = run(t, f.env, "haproxy", f.args("state", "enabled", "host", "web1", "backend", "www", "weight", "10",
		"agent", true, "health", true))
	mustOK(t, r, true)
	if got := f.get(t, "www", "web1"); got != "0 0 10 0" {
		t.Fatalf("www/web1 state %q, want UP with weight 10", got)
	}
	mustEqual(t, "command", r["command"], []string{"get weight www/web1; enable server www/web1; enable agent www/web1; enable health www/web1; set weight www/web1 10"})
	mustEqual(t, "state_after", r["state_after"], haState("UP 10 0"))

	// shutdown_sessions drops the server's sessions after disabling it.
	f.set(t, "www", "web2", "0 0 1 7")
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web2", "backend", "www", "shutdown_sessions", true))
	mustOK(t, r, true)
	mustEqual(t, "command", r["command"], []string{"get weight www/web2; disable server www/web2; shutdown sessions server www/web2"})
	if got := f.get(t, "www", "web2"); got != "1 0 1 0" {
		t.Fatalf("www/web2 state %q, want MAINT with no sessions", got)
	}
}

// A socket that refuses admin commands: the answers are returned, nothing
// changed; with wait, the wait fails with the module's message.
func TestHaproxyChangedOnlyWhenStatusChanges(t *testing.T) {
	f := newHaproxyFake(t, haLayout)
	writeFile(t, filepath.Join(f.dir, "readonly"), "", 0o644)
	r := run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www"))
	mustOK(t, r, false)
	mustEqual(t, "output", r["output"], []string{"Permission denied\nPermission denied"})
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www",
		"wait", true, "wait_interval", 0, "wait_retries", 3))
	mustFail(t, r, "server www/web1 not status 'MAINT' after 3 retries. Aborting.")
	// wait_retries 3: two polls (range(1, 3)), between the command and the end.
	cmds := f.cmds(t)
	polls := 0
	for _, c := range cmds[len(cmds)-3:] {
		if c == "show stat" {
			polls++
		}
	}
	if polls != 2 || cmds[len(cmds)-3] != "get weight www/web1; disable server www/web1" {
		t.Fatalf("socket commands %q, want the command then 2 polls", cmds)
	}
}

// drain: DRAIN, on HAProxy >= 1.5 only; disabled with drain and wait
// drains first, waits until the server has no sessions, then disables.
func TestHaproxyDrain(t *testing.T) {
	f := newHaproxyFake(t, haLayout)
	r := run(t, f.env, "haproxy", f.args("state", "drain", "host", "web2", "backend", "www"))
	mustOK(t, r, true)
	if got := f.get(t, "www", "web2"); got != "0 1 1 0" {
		t.Fatalf("www/web2 state %q, want DRAIN", got)
	}
	mustEqual(t, "command", r["command"], []string{"set server www/web2 state drain"})
	mustEqual(t, "state_after", r["state_after"], haState("DRAIN 1 0"))
	mustEqual(t, "socket commands", f.cmds(t), []string{"show info", "show stat", "set server www/web2 state drain", "show stat"})

	// Sessions go away one per `show stat`: 2 sessions need 2 polls.
	f.set(t, "www", "web1", "0 0 1 3")
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "drain", true, "wait", true, "host", "web1",
		"backend", "www", "wait_interval", 0, "wait_retries", 2))
	mustFail(t, r, "server www/web1 not status 'DRAIN' after 2 retries. Aborting.")
	if got := f.get(t, "www", "web1"); got != "0 1 1 2" {
		t.Fatalf("www/web1 state %q, want DRAIN with 2 sessions left", got)
	}
	f.set(t, "www", "web1", "0 0 1 3")
	f.cmds(t)
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "drain", true, "wait", true, "host", "web1",
		"backend", "www", "wait_interval", 0, "wait_retries", 10))
	mustOK(t, r, true)
	// MAINT (HAProxy keeps the drain flag under it), no sessions left.
	if got := f.get(t, "www", "web1"); got != "1 1 1 0" {
		t.Fatalf("www/web1 state %q, want MAINT with no sessions", got)
	}
	mustEqual(t, "command", r["command"], []string{"set server www/web1 state drain", "get weight www/web1; disable server www/web1"})
	mustEqual(t, "state_before", r["state_before"], haState("UP 1 3"))
	mustEqual(t, "state_after", r["state_after"], haState("MAINT 1 0"))
	cmds := f.cmds(t)
	want := []string{"show info", "show stat", "set server www/web1 state drain", "show stat", "show stat", "show stat",
		"get weight www/web1; disable server www/web1", "show stat", "show stat"}
	mustEqual(t, "socket commands", cmds, want)

	// HAProxy 1.4 has no drain: the module does nothing.
	writeFile(t, filepath.Join(f.dir, "version"), "1.4.24\n", 0o644)
	r = run(t, f.env, "haproxy", f.args("state", "drain", "host", "web1", "backend", "api"))
	mustOK(t, r, false)
	if _, ok := r["command"]; ok || f.get(t, "api", "web1") != "0 0 1 0" {
		t.Fatalf("drain on HAProxy 1.4 acted: %v", r)
	}
}

// A host the backend does not have: nothing to do, or the module's
// failure with fail_on_not_found.
func TestHaproxyNotFound(t *testing.T) {
	f := newHaproxyFake(t, haLayout)
	r := run(t, f.env, "haproxy", f.args("state", "disabled", "host", "ghost", "backend", "www"))
	mustOK(t, r, false)
	if r["state_before"] != nil || r["state_after"] != nil {
		t.Fatalf("states of a missing server: %v", r)
	}
	mustEqual(t, "socket commands", f.cmds(t), []string{"show stat"})
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "ghost", "backend", "www", "fail_on_not_found", true))
	mustFail(t, r, "The specified backend 'www/ghost' was not found!")
	mustEqual(t, "socket commands", f.cmds(t), []string{"show stat"})
}

// Without backend, every backend holding the host (BACKEND rows of show
// stat, in order); fail_on_not_found fails at the first backend without
// it, after acting on the ones before, as the module.
func TestHaproxyBackendAutodetect(t *testing.T) {
	f := newHaproxyFake(t, haLayout)
	r := run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1"))
	mustOK(t, r, true)
	if f.get(t, "www", "web1") != "1 0 1 0" || f.get(t, "api", "web1") != "1 0 1 0" {
		t.Fatalf("web1 not in MAINT in both backends: %q %q", f.get(t, "www", "web1"), f.get(t, "api", "web1"))
	}
	mustEqual(t, "command", r["command"], []string{"get weight www/web1; disable server www/web1", "get weight api/web1; disable server api/web1"})
	mustEqual(t, "state_before", r["state_before"], haState("UP 1 0", "UP 1 0"))
	mustEqual(t, "state_after", r["state_after"], haState("MAINT 1 0", "MAINT 1 0"))

	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web2"))
	mustOK(t, r, true)
	mustEqual(t, "command", r["command"], []string{"get weight www/web2; disable server www/web2"})
	f.set(t, "www", "web2", "0 0 1 0")
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web2", "fail_on_not_found", true))
	mustFail(t, r, "The specified backend 'api/web2' was not found!")
	if got := f.get(t, "www", "web2"); got != "1 0 1 0" {
		t.Fatalf("www/web2 (before the missing one) state %q, want MAINT", got)
	}
}

// Check mode: the module does not support it (skipped); nothing is sent.
func TestHaproxyCheckMode(t *testing.T) {
	f := newHaproxyFake(t, haLayout)
	f.env.Check = true
	r := run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www"))
	if !r.Skipped() || r.Changed() || r.Failed() || !strings.Contains(r.Msg(), "does not support check mode") {
		t.Fatalf("check mode: %v", r)
	}
	if f.get(t, "www", "web1") != "0 0 1 0" || f.cmds(t) != nil {
		t.Fatal("check mode talked to the socket")
	}
}

// Without socat, nc -U; without either, a clear failure; a missing socket
// fails with the tool's message.
func TestHaproxySocketTools(t *testing.T) {
	f := newHaproxyFake(t, haLayout, "nc")
	r := run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www"))
	mustOK(t, r, true)
	if f.get(t, "www", "web1") != "1 0 1 0" {
		t.Fatal("not disabled through nc")
	}
	if log := readFile(t, filepath.Join(f.dir, "tools.log")); !strings.Contains(log, "nc -U "+f.sock) || strings.Contains(log, "socat") {
		t.Fatalf("tools used: %q", log)
	}

	f = newHaproxyFake(t, haLayout, "none")
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www"))
	mustFail(t, r, "neither socat nor nc")

	f = newHaproxyFake(t, haLayout)
	r = run(t, f.env, "haproxy", f.args("state", "disabled", "host", "web1", "backend", "www", "socket", f.sock+".missing"))
	mustFail(t, r, "No such file or directory")
	mustFail(t, r, "to the HAProxy socket "+f.sock+".missing with socat failed")
}
