package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/playbooks/lookup"
	"github.com/drover-sh/drover/playbooks/template"
)

const censored = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

// runTask runs one task node on the host: tags, conditions, run_once,
// loops, retries, the module, failed_when/changed_when, register, notify,
// and the task_result event.
func (h *hostRun) runTask(ctx context.Context, n *playbooks.Node) outcome {
	if !h.pr.opts.tagsMatch(n.Scope.Tags) {
		return outOK
	}
	vars := h.varsFor(n.Scope)
	if t := n.Scope.Throttle; t > 0 {
		release := h.pr.throttle(n.ID, t)
		defer release()
	}
	start := time.Now()
	h.pr.emit(&Event{Type: EvTaskStarted, Host: h.host.Name, Task: h.taskName(n, vars), Node: n.ID, Pos: n.Task.Pos.String()})
	var res modules.Result
	run := func() modules.Result {
		return h.pr.withSlot(ctx, func() modules.Result { return h.runLoop(ctx, n, vars) })
	}
	// run_once, and modules that bypass the host loop (pause, add_host:
	// one prompt or wait for the batch, not one per host).
	if n.Scope.RunOnce {
		res = h.pr.once(h.onceKey(n.ID), run)
	} else {
		res = run()
	}
	out := h.finish(n, vars, res, time.Since(start))
	return out
}

// runLoop runs the task once, or once per loop item, and returns the
// task's result (with `results` for loops).
func (h *hostRun) runLoop(ctx context.Context, n *playbooks.Node, vars map[string]any) modules.Result {
	t := n.Task
	if t.Loop == nil {
		if ok, err := h.when(n, vars); err != nil {
			return modules.Fail(err.Error())
		} else if !ok {
			return skippedResult(n)
		}
		return h.runRetries(ctx, n, vars)
	}
	items, err := h.loopItems(t, vars)
	if err != nil {
		// As Ansible: a loop that cannot be templated first lets when
		// (without an item) skip the task (`when: xs is defined`).
		if ok, werr := h.when(n, vars); werr == nil && !ok {
			return skippedResult(n)
		}
		return modules.Fail(fmt.Sprintf("loop: %v", err))
	}
	loopVar := t.LoopVar
	if loopVar == "" {
		loopVar = "item"
	}
	results := make([]any, 0, len(items))
	agg := modules.Result{"changed": false, "msg": "All items completed"}
	allSkipped := len(items) > 0
	for i, item := range items {
		iv := make(map[string]any, len(vars)+2)
		for k, v := range vars {
			iv[k] = v
		}
		iv[loopVar] = item
		iv["ansible_loop_var"] = loopVar
		if t.LoopIndexVar != "" {
			iv[t.LoopIndexVar] = i
		}
		if i > 0 && t.LoopPause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(t.LoopPause):
			}
		}
		iv["ansible_loop"] = map[string]any{"index": i + 1, "index0": i, "first": i == 0, "last": i == len(items)-1, "length": len(items)}
		var r modules.Result
		if ok, err := h.when(n, iv); err != nil {
			r = modules.Fail(err.Error())
		} else if !ok {
			r = modules.Result{"changed": false, "skipped": true, "skip_reason": "Conditional result was False"}
		} else {
			r = h.runRetries(ctx, n, iv)
			allSkipped = false
		}
		r[loopVar] = item
		r["ansible_loop_var"] = loopVar
		if t.LoopLabel != "" {
			// loop_control.label: how the item is shown, as Ansible
			// records it in each item's result.
			if label, err := h.pr.opts.Templater.RenderString(t.LoopLabel, iv); err == nil {
				r["_ansible_item_label"] = label
			}
		}
		if r.Changed() {
			agg["changed"] = true
		}
		if r.Failed() {
			agg["failed"] = true
			agg["msg"] = "One or more items failed"
		}
		if r.Unreachable() {
			agg["unreachable"] = true
			agg["msg"] = r.Msg()
		}
		results = append(results, map[string]any(r))
		if r.Unreachable() {
			break
		}
	}
	agg["results"] = results
	if allSkipped {
		agg["skipped"] = true
		agg["msg"] = "All items skipped"
	}
	return agg
}

func (h *hostRun) loopItems(t *playbooks.Task, vars map[string]any) ([]any, error) {
	v, err := h.pr.opts.Templater.RenderValue(t.Loop, vars)
	if err != nil {
		return nil, err
	}
	if t.LoopWith != "" {
		return lookup.Run(t.LoopWith, lookup.Terms(v), lookup.Options{Dir: filepath.Dir(t.Pos.File)})
	}
	return lookup.List(v)
}

func (h *hostRun) when(n *playbooks.Node, vars map[string]any) (bool, error) {
	for _, c := range n.Scope.When {
		ok, err := h.pr.opts.Templater.Truth(c, vars)
		if err != nil {
			return false, fmt.Errorf("the conditional check '%s' failed: %w", c, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// retryParams are the task's retries and delay, rendered for this host
// when they are templates.
func (h *hostRun) retryParams(t *playbooks.Task, vars map[string]any) (int, time.Duration, error) {
	retries, delay := t.Retries, t.Delay
	if t.RetriesExpr != "" {
		r, err := h.pr.opts.Templater.RenderString(t.RetriesExpr, vars)
		if err != nil {
			return 0, 0, fmt.Errorf("retries: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(r)))
		if err != nil || n < 0 {
			return 0, 0, fmt.Errorf("retries %s rendered to %q, not a count", t.RetriesExpr, fmt.Sprint(r))
		}
		retries = n
	}
	if t.DelayExpr != "" {
		r, err := h.pr.opts.Templater.RenderString(t.DelayExpr, vars)
		if err != nil {
			return 0, 0, fmt.Errorf("delay: %w", err)
		}
		s := strings.TrimSpace(fmt.Sprint(r))
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 1e9 {
			return 0, 0, fmt.Errorf("delay %s rendered to %q, not a number of seconds", t.DelayExpr, s)
		}
		delay = time.Duration(f * float64(time.Second))
	}
	return retries, delay, nil
}

// runRetries runs the module, repeating it under until/retries/delay.
func (h *hostRun) runRetries(ctx context.Context, n *playbooks.Node, vars map[string]any) modules.Result {
	t := n.Task
	retries, delay, err := h.retryParams(t, vars)
	if err != nil {
		return modules.Fail(err.Error())
	}
	attempts := 1
	if t.Until != "" {
		attempts = retries
		if attempts <= 0 {
			attempts = 3
		}
		attempts++ // Ansible runs the first attempt plus `retries` more
	}
	if t.Until != "" && !t.DelaySet {
		delay = 5 * time.Second // Ansible's default
	}
	var res modules.Result
	for i := 1; i <= attempts; i++ {
		res = h.runOnce(ctx, n, vars)
		h.applyConditions(t, vars, res)
		if t.Until == "" || res.Unreachable() {
			return res
		}
		rv := withRegister(vars, t.Register, res)
		ok, err := h.pr.opts.Templater.Truth(t.Until, rv)
		if err != nil {
			return modules.Fail(fmt.Sprintf("the conditional check '%s' failed: %v", t.Until, err))
		}
		res["attempts"] = i
		if ok {
			// The result stays what the module (and failed_when) made it,
			// as in Ansible: a command that exits 3 fails even when its
			// until holds.
			return res
		}
		if i < attempts {
			select {
			case <-ctx.Done():
				return modules.Fail("interrupted while retrying")
			case <-time.After(delay):
			}
		}
	}
	res["failed"] = true
	if res.Msg() == "" {
		res["msg"] = fmt.Sprintf("Task failed after %d attempts", attempts)
	}
	return res
}

func withRegister(vars map[string]any, name string, res modules.Result) map[string]any {
	if name == "" {
		return vars
	}
	rv := make(map[string]any, len(vars)+1)
	for k, v := range vars {
		rv[k] = v
	}
	rv[name] = map[string]any(res)
	return rv
}

// applyConditions evaluates changed_when and failed_when on a result.
func (h *hostRun) applyConditions(t *playbooks.Task, vars map[string]any, res modules.Result) {
	if res.Unreachable() || res.Skipped() {
		return
	}
	rv := withRegister(vars, t.Register, res)
	if len(t.ChangedWhen) > 0 {
		changed, err := h.all(t.ChangedWhen, rv)
		if err != nil {
			res["failed"] = true
			res["msg"] = err.Error()
			return
		}
		res["changed"] = changed
	}
	if len(t.FailedWhen) > 0 {
		failed, err := h.any(t.FailedWhen, rv)
		if err != nil {
			res["failed"] = true
			res["msg"] = err.Error()
			return
		}
		res["failed"] = failed
		res["failed_when_result"] = failed
	}
}

func (h *hostRun) all(exprs []string, vars map[string]any) (bool, error) {
	for _, e := range exprs {
		ok, err := h.pr.opts.Templater.Truth(e, vars)
		if err != nil {
			return false, fmt.Errorf("the conditional check '%s' failed: %w", e, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func (h *hostRun) any(exprs []string, vars map[string]any) (bool, error) {
	for _, e := range exprs {
		ok, err := h.pr.opts.Templater.Truth(e, vars)
		if err != nil {
			return false, fmt.Errorf("the conditional check '%s' failed: %w", e, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// runOnce runs the module a single time.
func (h *hostRun) runOnce(ctx context.Context, n *playbooks.Node, vars map[string]any) modules.Result {
	t := n.Task
	if a, ok := actions[t.Module]; ok {
		return a(ctx, h, n, vars)
	}
	m, ok := modules.Lookup(t.Module)
	if !ok {
		return modules.Fail(fmt.Sprintf("unknown module %q", t.Module))
	}
	args, err := h.pr.opts.Templater.RenderValue(n.Scope.WithDefaults(t.Module, t.Args), vars)
	if err != nil {
		return modules.Fail(fmt.Sprintf("%s: %v", t.Pos, err))
	}
	// RenderValue may return the task's own map: copy before adding the
	// hidden arguments (the task is shared by every host).
	src, _ := args.(map[string]any)
	am := make(map[string]any, len(src)+3)
	for k, v := range src {
		am[k] = v
	}
	if t.Pos.File != "" {
		am["_playbook_dir"] = filepath.Dir(t.Pos.File)
	}
	if t.Module == "template" {
		am["_vars"] = vars
	}
	if t.Async > 0 && t.Poll != nil && *t.Poll == 0 && (t.Module == "command" || t.Module == "shell") {
		// A background job (also the old `shell: sleep 2 && reboot`
		// idiom): start the command detached, its output kept for
		// async_status, and report it started.
		raw, ok := am["_raw_params"].(string)
		if !ok {
			raw, ok = am["cmd"].(string)
		}
		if ok {
			if dir, _ := am["chdir"].(string); dir != "" {
				raw = "cd " + modules.ShellQuote(dir) + " && " + raw
			}
			jid := asyncJobID(n.ID)
			am = map[string]any{"_raw_params": modules.AsyncStart(jid, raw, t.Async)}
			m, _ = modules.Lookup("shell")
			d, fail := h.delegationFor(n.Scope, vars)
			if fail != nil {
				return fail
			}
			env, err := h.env(ctx, n, vars, d)
			if err != nil {
				return envResult(err)
			}
			r := m.Run(ctx, env, am)
			if !r.Failed() && !r.Unreachable() {
				r = modules.Result{"changed": true, "failed": false, "started": 1, "finished": 0, "ansible_job_id": jid,
					"results_file": "~/.ansible_async/" + jid + ".d", "msg": "started in the background (async, poll: 0)"}
			}
			return r
		}
	}
	if t.Async > 0 && t.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Async)
		defer cancel()
	}
	if t.Module == "reboot" && n.Scope.DelegateTo != "" {
		// Validate refuses it; a reboot must never reach the controller
		// or another host through a delegation.
		return modules.Fail("reboot cannot be delegated: drover reboots the play's own hosts")
	}
	if t.Module == "reboot" && h.connection() == "local" {
		return modules.Fail(fmt.Sprintf("refusing to reboot the controller: %s has ansible_connection local", h.host.Name))
	}
	d, fail := h.delegationFor(n.Scope, vars)
	if fail != nil {
		return fail
	}
	env, err := h.env(ctx, n, vars, d)
	if t.Module == "reboot" && h.resumeBoot != "" {
		am["_resume_old_boot_id"] = h.resumeBoot
		h.resumeBoot = ""
	}
	if err != nil {
		return envResult(err)
	}
	timeout := n.Scope.Timeout // the task's, else its block's
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	res := m.Run(ctx, env, am)
	if res == nil {
		res = modules.Result{}
	}
	if af, ok := res["ansible_facts"].(map[string]any); ok && !res.Failed() && !res.Unreachable() {
		h.addModuleFacts(h.factsHost(n, d), af) // package_facts, ...: the host's, or the delegate's (delegate_facts)
	}
	if d != nil {
		if d.hr != nil && res.Unreachable() {
			d.hr.dropConn(d.conn)
		}
		res["_ansible_delegated_vars"] = d.delegatedVars()
	}
	if _, ok := res["changed"]; !ok {
		res["changed"] = false
	}
	if _, ok := res["failed"]; !ok {
		res["failed"] = false
	}
	if timeout > 0 && ctx.Err() == context.DeadlineExceeded && !res.Unreachable() {
		res["failed"] = true
		res["msg"] = fmt.Sprintf("The %s action failed to execute in the expected time frame (%d) and was terminated", t.Module, int(timeout.Seconds()))
	}
	stripPrompt(res)
	return res
}

// keywordError is a task keyword that could not be rendered for the host
// (become, become_user): the task fails; other env errors are the
// connection's.
type keywordError struct{ error }

func (e keywordError) Unwrap() error { return e.error }

// envResult turns an env error into the task's result.
func envResult(err error) modules.Result {
	var ke keywordError
	if errors.As(err, &ke) {
		return modules.Fail(ke.Error())
	}
	return modules.UnreachableResult(err)
}

// env builds the module environment for a task on this host, or on its
// delegate when d is not nil.
func (h *hostRun) env(ctx context.Context, n *playbooks.Node, vars map[string]any, d *delegation) (*modules.Env, error) {
	sc := n.Scope
	env := &modules.Env{
		Target: h.target(),
		Check:  h.pr.opts.Check,
		Diff:   h.pr.opts.Diff,
	}
	if sc.CheckMode != nil { // the task's, else its block's
		env.Check = *sc.CheckMode
	}
	var conn modules.Conn
	becomeVars := vars
	if d != nil {
		c, err := d.connect(ctx)
		if err != nil {
			return nil, err
		}
		conn = c
		if d.hr != nil {
			// The delegate's become variables, as Ansible takes the
			// connection variables of the host it delegates to.
			becomeVars = d.hr.baseVars(sc)
		}
	} else {
		c, err := h.connect(ctx)
		switch {
		case err != nil && n.Task.Module == "reboot" && h.resumeBoot != "":
			// Resuming a reboot begun before a crash: the host may be
			// down right now; the reboot module reconnects itself.
			conn = deadConn{err}
		case err != nil:
			return nil, err
		default:
			conn = c
		}
		env.Redial = func(ctx context.Context) (modules.Conn, error) {
			c, err := h.redial(ctx)
			if err != nil {
				return nil, err
			}
			e, _ := h.environment(sc, vars) // its error is reported below
			return wrapEnv(c, e), nil
		}
		env.Event = func(kind string, data map[string]any) { h.moduleEvent(n, kind, data) }
		env.Down = h.quiet // down for a while: the next batch may connect
	}
	taskEnv, err := h.environment(sc, vars)
	if err != nil {
		return nil, keywordError{err}
	}
	env.Conn = wrapEnv(conn, taskEnv)
	become := h.pr.opts.Become
	if sc.Become != nil {
		become = *sc.Become
	}
	if sc.BecomeExpr != "" { // become: "{{ ... }}", decided for this host
		v, err := h.pr.opts.Templater.RenderValue(sc.BecomeExpr, vars)
		if err != nil {
			return nil, keywordError{fmt.Errorf("become %q: %w", sc.BecomeExpr, err)}
		}
		become = template.Truthy(v)
	}
	// The become variables win over the keywords, as connection variables
	// do in Ansible (ansible_become: false turns a play's become off).
	user := varString(becomeVars, "ansible_become_user")
	if user == "" {
		user = sc.BecomeUser
		if hasTemplate(user) { // become_user: "{{ app_user }}"
			r, err := h.pr.opts.Templater.RenderString(user, vars)
			if err != nil {
				return nil, keywordError{fmt.Errorf("become_user %q: %w", user, err)}
			}
			user = r
		}
	}
	if user == "" {
		user = h.pr.opts.BecomeUser
	}
	method := sc.BecomeMethod // the task's, else its block's
	if method == "" {
		method = h.pr.play.BecomeMethod
	}
	if method == "" {
		method = h.pr.opts.BecomeMethod
	}
	if m := varString(becomeVars, "ansible_become_method"); m != "" {
		method = m
	}
	pass := varString(becomeVars, "ansible_become_password")
	if pass == "" {
		pass = varString(becomeVars, "ansible_become_pass")
	}
	if pass == "" {
		pass = h.pr.opts.BecomePassword
	}
	if strings.HasPrefix(strings.TrimSpace(pass), "$ANSIBLE_VAULT;") {
		return nil, keywordError{errors.New("the become password is encrypted with ansible-vault (!vault): give --vault-password-file")}
	}
	if v, ok := becomeVars["ansible_become"]; ok && v != nil {
		become = template.Truthy(v)
	}
	env.Become = becomeFunc(become, method, user, pass)
	return env, nil
}

// noLog reports whether the task's result is censored: no_log, or a
// templated no_log that renders true — or fails to render (a secret is
// never shown by mistake).
func (h *hostRun) noLog(n *playbooks.Node, vars map[string]any) bool {
	if n.Scope.NoLog {
		return true
	}
	for _, e := range n.Scope.NoLogExprs {
		v, err := h.pr.opts.Templater.RenderValue(e, vars)
		if err != nil || template.Truthy(v) {
			return true
		}
	}
	return false
}

// environment renders the task's environment: keywords, outer first. An
// environment written as a template (`environment: "{{ proxy_env }}"`)
// must render to a mapping.
func (h *hostRun) environment(sc *playbooks.Scope, vars map[string]any) (map[string]string, error) {
	if len(sc.Environment) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, m := range sc.Environment {
		if tmpl, ok := m[playbooks.EnvironmentTemplate]; ok {
			rv, err := h.pr.opts.Templater.RenderValue(tmpl, vars)
			if err != nil {
				return nil, fmt.Errorf("environment %v: %w", tmpl, err)
			}
			em, ok := rv.(map[string]any)
			if !ok && rv != nil && fmt.Sprint(rv) != "" {
				return nil, fmt.Errorf("environment %v must render to a mapping, got %T", tmpl, rv)
			}
			for k, v := range em {
				out[k] = fmt.Sprint(v)
			}
			continue
		}
		for k, v := range m {
			rv, err := h.pr.opts.Templater.RenderValue(v, vars)
			if err != nil {
				rv = v
			}
			out[k] = fmt.Sprint(rv)
		}
	}
	return out, nil
}

// finish classifies the result, registers it, notifies handlers, updates
// stats and emits the task_result event.
func (h *hostRun) finish(n *playbooks.Node, vars map[string]any, res modules.Result, d time.Duration) outcome {
	t := n.Task
	status := StatusOK
	switch {
	case res.Unreachable():
		status = StatusUnreachable
		h.stats.Unreachable++
	case res.Failed():
		status = StatusFailed
	case res.Skipped():
		status = StatusSkipped
		h.stats.Skipped++
	case res.Changed():
		status = StatusChanged
		h.stats.Changed++
		h.stats.OK++
	default:
		h.stats.OK++
	}
	ignored := status == StatusFailed && n.Scope.IgnoreErrors
	if status == StatusFailed {
		if ignored {
			h.stats.Ignored++
		} else {
			h.stats.Failed++
		}
	}
	if t.Register != "" {
		h.setFact(t.Register, map[string]any(res))
	}
	if res.Changed() && !res.Failed() {
		for _, nt := range n.Scope.Notify { // the task's and its blocks'
			h.notified[nt] = true
		}
	}
	name := h.taskName(n, vars)
	ev := &Event{Type: EvTaskResult, Host: h.host.Name, Task: name, Node: n.ID, Pos: t.Pos.String(),
		Status: status, Duration: d.Seconds(), Msg: res.Msg(), Register: t.Register, Delegate: delegatedTo(res),
		Item: h.loopItem()}
	if rc, ok := res["rc"].(int); ok {
		ev.RC = &rc
	}
	if h.noLog(n, vars) {
		ev.Msg = ""
		ev.Result = map[string]any{"censored": censored, "changed": res.Changed(), "failed": res.Failed()}
	} else {
		ev.Result = map[string]any(res)
	}
	if ignored {
		ev.Msg = strings.TrimSpace(ev.Msg + " (ignored)")
	}
	h.pr.emitHost(h, ev)
	h.lastNode = n.ID
	switch {
	case status == StatusUnreachable:
		h.msg = res.Msg()
		if !n.Scope.IgnoreUnreachable {
			h.failedHost()
		}
		return outUnreachable
	case status == StatusFailed && !ignored:
		h.msg = fmt.Sprintf("%s (%s): %s", name, t.Pos, res.Msg())
		h.setFact("ansible_failed_task", map[string]any{"name": name})
		h.setFact("ansible_failed_result", map[string]any(res))
		if !n.Caught { // a rescue does not fail the host
			if n.Scope.AnyErrorsFatal || h.pr.anyErrorsFatal { // the play's, a block's or the task's
				h.pr.halt(fmt.Sprintf("any_errors_fatal: %s failed on %s", name, h.host.Name))
			}
			h.failedHost()
		}
		return outFailed
	}
	if end, ok := res["_meta"].(string); ok {
		switch end {
		case "end_host":
			return outEndHost
		case "end_batch":
			// This host ends here; the batch's others at their next step.
			h.pr.mu.Lock()
			h.pr.batchEnded = true
			h.pr.mu.Unlock()
			return outEndHost
		case "end_play":
			return outEndPlay
		}
	}
	return outOK
}

// moduleEvent turns a module's progress report into an event.
func (h *hostRun) moduleEvent(n *playbooks.Node, kind string, data map[string]any) {
	ev := &Event{Type: kind, Host: h.host.Name, Task: n.Task.DisplayName(), Node: n.ID, Pos: n.Task.Pos.String()}
	if s, ok := data["boot_id"].(string); ok {
		ev.BootID = s
		h.bootID = s
	}
	if s, ok := data["old_boot_id"].(string); ok {
		ev.OldBoot = s
	}
	if d, ok := data["downtime"].(float64); ok {
		ev.Downtime = d
		h.stats.Downtime += d
	}
	if s, ok := data["msg"].(string); ok {
		ev.Msg = s
	}
	switch kind {
	case EvRebootStarted:
		h.rebooting = true
	case EvHostBack:
		h.rebooting = false
		h.rebooted = true
		h.stats.Rebooted = true
	}
	h.pr.emitHost(h, ev)
}

// sortedKeys is used for deterministic environment prefixes.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// asyncJobID names a background job: unique on a host (several delegating
// hosts may start jobs on the same delegate).
func asyncJobID(node int) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("j%d.%d.%s", time.Now().UnixNano(), node, hex.EncodeToString(b[:]))
}

// taskName is the task's name as the host sees it: a name with a template
// ("drain {{ inventory_hostname }}") rendered with the host's variables,
// else as written (Ansible leaves a name it cannot render as written too,
// as with a loop's item).
func (h *hostRun) taskName(n *playbooks.Node, vars map[string]any) string {
	name := n.Task.DisplayName()
	if !hasTemplate(name) {
		return name
	}
	r, err := h.pr.opts.Templater.RenderString(name, vars)
	if err != nil {
		return name
	}
	return r
}
