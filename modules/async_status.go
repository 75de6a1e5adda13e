package modules

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(asyncStatusModule{}, "ansible.builtin.async_status", "ansible.legacy.async_status")
}

// Background jobs (a command or shell task with async and poll: 0) keep
// their output in ~/.ansible_async/JID.d on the host (the home of the user
// the task ran as, as Ansible's async dir): out, err, and rc, which is
// written last, by rename, when the command has finished. async_status
// reads them.

// jidPattern is what a job id may be: it becomes a file name.
var jidPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// asyncDir is the shell expression of a job's directory.
func asyncDir(jid string) string { return `"$HOME/.ansible_async/` + jid + `.d"` }

// AsyncStart is the shell command that starts sh command cmd detached as
// job jid and returns at once: the job's output goes to its directory,
// and after limit (when the host has timeout(1)) the command is killed,
// as Ansible's async time limit does.
func AsyncStart(jid, cmd string, limit time.Duration) string {
	run := "/bin/sh -c " + ShellQuote(cmd)
	if secs := int(limit.Seconds()); secs > 0 {
		run = `if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL ` + strconv.Itoa(secs) + ` ` + run + `; else exec ` + run + `; fi`
	}
	job := `d=` + asyncDir(jid) + `; (` + run + `) >"$d/out" 2>"$d/err" </dev/null; echo $? >"$d/rc.tmp"; mv -f "$d/rc.tmp" "$d/rc"`
	return `d=` + asyncDir(jid) + ` && mkdir -p "$d" && nohup /bin/sh -c ` + ShellQuote(job) + ` </dev/null >/dev/null 2>&1 &`
}

// asyncStatusModule is Ansible's async_status: whether background job jid
// has finished and, once it has, the command's result (rc, stdout,
// stderr; failed on a non-zero rc). mode: cleanup removes the job's files.
type asyncStatusModule struct{}

func (asyncStatusModule) Name() string { return "async_status" }

func (asyncStatusModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"jid":  {Type: TypeString, Required: true},
		"mode": {Type: TypeString, Default: "status", Choices: []string{"status", "cleanup"}},
	}}
}

func (asyncStatusModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	jid := argString(args, "jid")
	if !jidPattern.MatchString(jid) {
		return Fail(fmt.Sprintf("invalid job id %q", jid))
	}
	if argString(args, "mode") == "cleanup" {
		if _, fr := runScript(ctx, env, "rm -rf "+asyncDir(jid), "async_status"); fr != nil {
			return fr
		}
		return Result{"changed": false, "failed": false, "ansible_job_id": jid, "erased": jid}
	}
	script := `d=` + asyncDir(jid) + `
if [ -f "$d/rc" ]; then
	printf 'finished %s %s %s\n' "$(cat "$d/rc")" "$(wc -c <"$d/out")" "$(wc -c <"$d/err")"
	cat "$d/out" "$d/err"
elif [ -d "$d" ]; then
	echo running
else
	echo missing
fi
`
	res, fr := runScript(ctx, env, script, "async_status")
	if fr != nil {
		return fr
	}
	return parseAsyncStatus(jid, res.Stdout)
}

// parseAsyncStatus reads async_status's script output.
func parseAsyncStatus(jid string, out []byte) Result {
	header, rest, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(header)
	switch {
	case len(f) == 1 && f[0] == "running":
		return Result{"changed": false, "failed": false, "ansible_job_id": jid, "started": 1, "finished": 0}
	case len(f) == 1 && f[0] == "missing":
		return Fail(fmt.Sprintf("could not find job %s", jid))
	case len(f) != 4 || f[0] != "finished":
		return Fail(fmt.Sprintf("async_status: unexpected output %q", header))
	}
	rc, err1 := strconv.Atoi(f[1])
	no, err2 := strconv.Atoi(f[2])
	ne, err3 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || err3 != nil || no < 0 || ne < 0 || no+ne > len(rest) {
		return Fail(fmt.Sprintf("async_status: unexpected output %q", header))
	}
	stdout, stderr := rest[:no], rest[no:no+ne]
	r := Result{"changed": true, "failed": rc != 0, "ansible_job_id": jid, "started": 1, "finished": 1, "rc": rc,
		"stdout": strings.TrimSuffix(stdout, "\n"), "stderr": strings.TrimSuffix(stderr, "\n"),
		"stdout_lines": Lines([]byte(stdout)), "stderr_lines": Lines([]byte(stderr))}
	if rc != 0 {
		r["msg"] = "non-zero return code"
	}
	return r
}
