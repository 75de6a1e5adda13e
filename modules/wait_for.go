package modules

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

func init() {
	Register(waitForModule{}, "ansible.builtin.wait_for", "ansible.legacy.wait_for")
}

// waitForModule is Ansible's wait_for, run on the host as one sh loop.
// TCP checks try bash's /dev/tcp (under timeout(1)), then nc -z, then, for
// a local port only, the LISTEN entries of /proc/net/tcp{,6} (Linux).
// drained counts ESTABLISHED entries of /proc/net/tcp{,6} (Linux only).
type waitForModule struct{}

func (waitForModule) Name() string { return "wait_for" }

func (waitForModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"host":            {Type: TypeString, Default: "127.0.0.1"},
			"port":            {Type: TypeInt},
			"path":            {Type: TypePath},
			"state":           {Type: TypeString, Default: "started", Choices: []string{"started", "stopped", "present", "absent", "drained"}},
			"search_regex":    {Type: TypeString},
			"delay":           {Type: TypeDuration, Default: 0},
			"timeout":         {Type: TypeDuration, Default: 300},
			"sleep":           {Type: TypeDuration, Default: 1},
			"connect_timeout": {Type: TypeDuration, Default: 5},
			"msg":             {Type: TypeString},
		},
		MutuallyExclusive: [][]string{{"port", "path"}},
		Unsupported: map[string]string{
			"exclude_hosts":            "drained counts every ESTABLISHED connection to the port",
			"active_connection_states": "drained counts ESTABLISHED connections only",
		},
	}
}

// argSeconds reads a duration argument (see ArgDuration) as whole
// seconds, rounded up.
func argSeconds(args map[string]any, k string, def int) (int, error) {
	d, err := ArgDuration(args, k, time.Duration(def)*time.Second)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("%s must not be negative", k)
	}
	return int((d + time.Second - 1) / time.Second), nil
}

const waitForFuncs = `tcp() {
  if command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
    timeout "$ct" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" >/dev/null 2>&1; return
  fi
  if command -v nc >/dev/null 2>&1; then nc -z -w "$ct" "$1" "$2" >/dev/null 2>&1; return; fi
  case "$1" in 127.*|localhost|0.0.0.0|::1|::) listening "$2"; return;; esac
  echo "no way to test TCP connections on this host (need bash+timeout or nc)" >&2; exit 3
}
phex() { printf '%04X' "$1"; }
listening() { cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$(phex "$1")" '$4 == "0A" && substr($2, length($2)-4) == p { f=1 } END { exit !f }'; }
established() { cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$(phex "$1")" '$4 == "01" && substr($2, length($2)-4) == p { n++ } END { print n+0 }'; }
`

func (waitForModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	secs := map[string]int{}
	for k, def := range map[string]int{"delay": 0, "timeout": 300, "sleep": 1, "connect_timeout": 5} {
		n, err := argSeconds(args, k, def)
		if err != nil {
			return Fail(err.Error())
		}
		secs[k] = n
	}
	if secs["sleep"] < 1 {
		secs["sleep"] = 1
	}
	host := strArg(args, "host", "127.0.0.1")
	port := argString(args, "port")
	p := argString(args, "path")
	state := strArg(args, "state", "started")
	re := argString(args, "search_regex")
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return Fail(fmt.Sprintf("port must be a number between 1 and 65535, got %q", port))
		}
	}
	if env.Check {
		return Result{"changed": false, "skipped": true, "msg": "skipped, running in check mode"}
	}
	var cond, what string
	switch {
	case port != "" && re != "":
		return Fail("search_regex with port is not supported by drover (it needs to read from the socket)")
	case port != "" && (state == "started" || state == "present"):
		cond, what = fmt.Sprintf("tcp %s %s", ShellQuote(host), port), fmt.Sprintf("%s:%s", host, port)
	case port != "" && (state == "stopped" || state == "absent"):
		cond, what = fmt.Sprintf("! tcp %s %s", ShellQuote(host), port), fmt.Sprintf("%s:%s to stop", host, port)
	case port != "" && state == "drained":
		cond, what = fmt.Sprintf("[ \"$(established %s)\" = 0 ]", port), fmt.Sprintf("%s:%s to drain", host, port)
	case p != "" && (state == "started" || state == "present"):
		cond, what = fmt.Sprintf("[ -e %s ]", ShellQuote(p)), "file "+p
		if re != "" {
			cond += fmt.Sprintf(" && grep -Eq -- %s %s", ShellQuote(re), ShellQuote(p))
			what = fmt.Sprintf("string %s in %s", re, p)
		}
	case p != "" && (state == "absent" || state == "stopped"):
		cond, what = fmt.Sprintf("[ ! -e %s ]", ShellQuote(p)), "file "+p+" to be absent"
	case p != "" && state == "drained":
		return Fail("state=drained should only be used for checking a port in the wait_for module")
	default:
		// Neither port nor path: sleep for timeout.
		cond, what = "false", ""
	}
	script := fmt.Sprintf("ct=%d\n%ssleep %d\nstart=$(date +%%s); end=$((start + %d))\nwhile :; do\n  if %s; then echo ok=1; echo elapsed=$(( $(date +%%s) - start )); exit 0; fi\n  [ \"$(date +%%s)\" -ge \"$end\" ] && { echo elapsed=$(( $(date +%%s) - start )); exit 0; }\n  sleep %d\ndone\n",
		secs["connect_timeout"], waitForFuncs, secs["delay"], secs["timeout"], cond, secs["sleep"])
	res, fr := runScript(ctx, env, script, "wait_for")
	if fr != nil {
		return fr
	}
	kv := kvLines(res.Stdout)
	elapsed, _ := strconv.Atoi(kv["elapsed"])
	out := Result{"changed": false, "failed": false, "elapsed": elapsed + secs["delay"], "state": state}
	if port != "" {
		out["port"] = port
	}
	if p != "" {
		out["path"] = p
	}
	if what == "" {
		return out
	}
	if kv["ok"] != "1" {
		msg := argString(args, "msg")
		if msg == "" {
			msg = "Timeout when waiting for " + what
		}
		out["failed"] = true
		out["msg"] = msg
	}
	return out
}
