package modules

import (
	"context"
	"sort"
	"time"
)

// Module is what one task does on one host.
//
// Run receives arguments that are already templated and checked against
// Schema; it never panics on a bad host and reports every outcome in the
// Result (failed, unreachable, changed, ...), never as a Go error.
type Module interface {
	Name() string
	Schema() Schema
	Run(ctx context.Context, env *Env, args map[string]any) Result
}

// Env is the host-side environment one task runs in.
type Env struct {
	Target Target
	// Conn is the host's current connection. The reboot module replaces it
	// through Redial; others only use it.
	Conn Conn
	// Redial drops the current connection and opens a new one. Modules that
	// expect the host to go away (reboot, wait_for_connection) use it.
	Redial func(ctx context.Context) (Conn, error)
	// Become wraps a command line for privilege escalation ("" user = root);
	// nil when become is off. It returns the command and the stdin prefix
	// (the password) to send.
	Become func(cmd string) (string, []byte)
	Check  bool // --check: report, change nothing
	Diff   bool // --diff: include diffs
	// Event reports progress that is not a task result (reboot_started,
	// host_back). May be nil.
	Event func(kind string, data map[string]any)
	// Down, if set, is called when the host has gone down for a reboot (the
	// reboot command's connection dropped, or the command returned): until
	// it is back it needs nothing from the controller, which may give the
	// CPU to other hosts. At most once a task.
	Down func()
	// Now and Sleep are the clock; tests replace them. Nil means real time.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Clock helpers.
func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) sleep(ctx context.Context, d time.Duration) error {
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (e *Env) down() {
	if e.Down != nil {
		e.Down()
	}
}

func (e *Env) event(kind string, data map[string]any) {
	if e.Event != nil {
		e.Event(kind, data)
	}
}

// Result is a module's result in Ansible's shape: changed, failed, msg, rc,
// stdout, stderr, stdout_lines, stderr_lines, unreachable, skipped, and the
// module's own fields. It is what `register` stores.
type Result map[string]any

func (r Result) flag(k string) bool { b, _ := r[k].(bool); return b }

// Failed reports result["failed"].
func (r Result) Failed() bool { return r.flag("failed") }

// Changed reports result["changed"].
func (r Result) Changed() bool { return r.flag("changed") }

// Unreachable reports result["unreachable"].
func (r Result) Unreachable() bool { return r.flag("unreachable") }

// Skipped reports result["skipped"].
func (r Result) Skipped() bool { return r.flag("skipped") }

// Msg returns result["msg"] as a string.
func (r Result) Msg() string { s, _ := r["msg"].(string); return s }

// Fail builds a failed result.
func Fail(msg string) Result { return Result{"failed": true, "changed": false, "msg": msg} }

// Unreachable builds an unreachable result from a transport error.
func UnreachableResult(err error) Result {
	return Result{"unreachable": true, "failed": false, "changed": false, "msg": err.Error()}
}

var registry = map[string]Module{}

// Register adds a module under its name and aliases (for example
// ansible.builtin.NAME). It is called from the package's own files only.
func Register(m Module, aliases ...string) {
	registry[m.Name()] = m
	for _, a := range aliases {
		registry[a] = m
	}
}

// Lookup finds a module by short or fully qualified name.
func Lookup(name string) (Module, bool) {
	m, ok := registry[name]
	return m, ok
}

// Names lists every registered name, sorted (for suggestions).
func Names() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
