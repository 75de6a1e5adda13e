package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/drover-sh/drover/playbooks"
	"github.com/drover-sh/drover/runner"
	sshconn "github.com/drover-sh/drover/runner/ssh"
)

// runOptions are `drover run`'s flags.
type runOptions struct {
	commonOptions
	Tags, SkipTags    []string
	Check, Diff       bool
	Forks             int
	User              string
	Become            bool
	AskBecomePass     bool
	Serial            string
	MaxFailPercentage string
	StateDir          string
	Resume            bool
	Yes               bool
	KnownHosts        []string
	HostKeyChecking   string
	Output            string
	EventsFile        string
	JUnitFile         string
	Verbose           int
	ListHosts         bool
	ListTasks         bool
	SyntaxCheck       bool
	ConnectTimeout    time.Duration
	Color             string
	SecretVars        []string
	NoPersistentShell bool
	Deadline          string
	ForceHandlers     bool
	StartAtTask       string
	Strategy          string
}

func (o *runOptions) AddFlags(fs *pflag.FlagSet) {
	o.commonOptions.AddFlags(fs)
	fs.StringSliceVarP(&o.Tags, "tags", "t", nil, "only run tasks tagged with these")
	fs.StringSliceVar(&o.SkipTags, "skip-tags", nil, "skip tasks tagged with these")
	fs.BoolVarP(&o.Check, "check", "C", false, "report what would change; change nothing")
	fs.BoolVarP(&o.Diff, "diff", "D", false, "show diffs of changed files")
	fs.IntVarP(&o.Forks, "forks", "f", 0, "hosts walked at once (default: the batch size, at most 256)")
	fs.StringVarP(&o.User, "user", "u", "", "connect as this user (when the inventory gives none)")
	fs.BoolVarP(&o.Become, "become", "b", false, "run tasks with sudo")
	fs.BoolVarP(&o.AskBecomePass, "ask-become-pass", "K", false, "ask for the sudo password")
	fs.StringVar(&o.Serial, "serial", "", "override every play's serial: N, N%, or a list 1,10%,25%")
	fs.StringVar(&o.MaxFailPercentage, "max-fail-percentage", "", "override every play's max_fail_percentage")
	fs.StringVar(&o.StateDir, "state-dir", ".drover", "where journals and locks live")
	fs.BoolVar(&o.Resume, "resume", false, "continue an interrupted run: the RUN_ID argument, or the latest")
	fs.BoolVarP(&o.Yes, "yes", "y", false, "answer yes to confirmations (needed without a terminal)")
	fs.StringVar(&o.StartAtTask, "start-at-task", "", "start at the first task whose name matches (a glob): the plays before it are skipped")
	fs.StringVar(&o.Strategy, "strategy", "", "strategy of the plays that name none: free (the default, or ansible.cfg's strategy: each host through the play on its own) or linear (Ansible's default: a batch's hosts in lockstep)")
	fs.BoolVar(&o.ForceHandlers, "force-handlers", false, "run notified handlers on a host even when one of its tasks failed (as the play keyword force_handlers)")
	fs.StringArrayVar(&o.KnownHosts, "known-hosts", nil, "known_hosts file to trust (repeatable; default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts)")
	fs.StringVar(&o.HostKeyChecking, "host-key-checking", "", "strict (default), accept-new, or off (insecure)")
	fs.StringVar(&o.Output, "output", "text", "text, or json (newline-delimited events on stdout)")
	fs.StringVar(&o.EventsFile, "events", "", "also write newline-delimited JSON events to this file")
	fs.StringVar(&o.JUnitFile, "junit", "", "write a JUnit XML report to this file")
	fs.CountVarP(&o.Verbose, "verbose", "v", "show task output (-v, -vv), SSH detail (-vvv)")
	fs.BoolVar(&o.ListHosts, "list-hosts", false, "list each play's hosts and exit")
	fs.BoolVar(&o.ListTasks, "list-tasks", false, "list each play's tasks and exit")
	fs.BoolVar(&o.SyntaxCheck, "syntax-check", false, "validate only (same as drover check)")
	fs.DurationVar(&o.ConnectTimeout, "connect-timeout", 10*time.Second, "SSH connect timeout")
	fs.StringVar(&o.Color, "color", "auto", "auto, always or never (NO_COLOR is honoured)")
	fs.StringVar(&o.Deadline, "deadline", "", "the maintenance deadline (RFC 3339, HH:MM, or events: the hosts' earliest scheduled event): warn as soon as the roll's ETA passes it")
	fs.BoolVar(&o.NoPersistentShell, "no-persistent-shell", false, "one SSH session per command instead of one long-lived sh per host")
	fs.StringArrayVar(&o.SecretVars, "secret-vars", nil, "also hide the values of variables whose names match this glob (repeatable; *password*, *secret*, *token* always are)")
}

// runMeta is what a run records so that --resume can load the same inputs.
type runMeta struct {
	RunID    string        `json:"run_id"`
	Playbook string        `json:"playbook"`
	Options  commonOptions `json:"options"`
	Tags     []string      `json:"tags,omitempty"`
	SkipTags []string      `json:"skip_tags,omitempty"`
	Serial   string        `json:"serial,omitempty"`
	MaxFail  string        `json:"max_fail_percentage,omitempty"`
	Check    bool          `json:"check,omitempty"`
	StartAt  string        `json:"start_at_task,omitempty"`
	Strategy string        `json:"strategy,omitempty"`
	Started  time.Time     `json:"started"`
	PID      int           `json:"pid"`
	Hosts    []string      `json:"hosts"`
	Attempts int           `json:"attempts"`
	WorkDir  string        `json:"workdir"`
}

func newRunID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func runRun(ctx context.Context, stop <-chan struct{}, o runOptions, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var meta *runMeta
	var resume *runner.Resume
	if o.Resume && o.StartAtTask != "" {
		return usagef("--start-at-task and --resume do not go together: --resume continues where the interrupted run stopped (and keeps its --start-at-task)")
	}
	if o.Resume {
		m, r, err := loadResume(o.StateDir, args)
		if err != nil {
			return err
		}
		meta, resume = m, r
		o.commonOptions = m.Options
		o.Tags, o.SkipTags, o.Serial, o.MaxFailPercentage, o.Check = m.Tags, m.SkipTags, m.Serial, m.MaxFail, m.Check
		o.StartAtTask = m.StartAt // the resumed run skips what the first one skipped
		o.Strategy = m.Strategy
		args = []string{m.Playbook}
		fmt.Fprintf(stderr, "resuming run %s (attempt %d)\n", m.RunID, m.Attempts+1)
	}
	if len(args) != 1 {
		return usagef("drover run: give one PLAYBOOK (got %d arguments)", len(args))
	}
	if st, ok := playbooks.Strategy(o.Strategy); ok {
		o.Strategy = st
	} else if o.Strategy != "" {
		return usagef("--strategy %q: want one of %s", o.Strategy, strings.Join(playbooks.Strategies, ", "))
	}
	path, _ := filepath.Abs(args[0])
	if o.SyntaxCheck {
		return runCheck(ctx, checkOptions{Inventory: o.Inventory, ExtraVars: o.ExtraVars, VaultPasswordFile: o.VaultPasswordFile}, args, stdout, stderr)
	}
	in, err := loadInputs(o.commonOptions, path, true, stderr)
	if err != nil {
		return printInvalid(err, stderr)
	}
	for _, w := range playbooks.FreeRaces(in.book, cmp.Or(o.Strategy, in.config.Strategy)) {
		fmt.Fprintln(stderr, w.WarningText())
	}
	serial, err := parseSerialFlag(o.Serial)
	if err != nil {
		return err
	}
	var maxFail *float64
	if o.MaxFailPercentage != "" {
		f, err := strconv.ParseFloat(strings.TrimSuffix(o.MaxFailPercentage, "%"), 64)
		if err != nil || f < 0 || f > 100 {
			return usagef("--max-fail-percentage %q: want a number from 0 to 100", o.MaxFailPercentage)
		}
		maxFail = &f
	}
	var deadline time.Time
	if o.Deadline != "" {
		var why string
		if deadline, why, err = resolveDeadline(o.Deadline, time.Now(), in.hosts); err != nil {
			return usagef("--deadline: %v", err)
		}
		if why != "" {
			fmt.Fprintf(stderr, "deadline %s, %s\n", deadline.Format(time.RFC3339), why)
		}
	}
	if o.ListHosts || o.ListTasks {
		listPlays(in, o.ListHosts, o.ListTasks, stdout)
		return nil
	}
	var startAt *runner.StartAt
	if o.StartAtTask != "" {
		startAt = &runner.StartAt{Pattern: o.StartAtTask}
		found := false
		for _, prog := range in.programs {
			found = found || startAt.FirstMatch(prog) >= 0
		}
		if !found {
			return usagef("--start-at-task %q: no task of the playbook has that name", o.StartAtTask)
		}
	}
	all := map[string]bool{}
	var hostNames []string
	for _, hs := range in.hosts {
		for _, h := range hs {
			if !all[h.Name] {
				all[h.Name] = true
				hostNames = append(hostNames, h.Name)
			}
		}
	}
	for i, p := range in.book.Plays {
		if unbatched(p, serial, len(in.hosts[i])) && !o.Yes && !o.Check {
			return &exitError{exitUsage, fmt.Errorf("%s: play %q would run on all %d hosts at once (no serial, no disruption_budget); add serial or pass --yes", p.Pos, p.Name, len(in.hosts[i]))}
		}
	}
	if meta == nil {
		wd, _ := os.Getwd()
		meta = &runMeta{RunID: newRunID(), Playbook: path, Options: o.commonOptions, Tags: o.Tags, SkipTags: o.SkipTags,
			Serial: o.Serial, MaxFail: o.MaxFailPercentage, Check: o.Check, StartAt: o.StartAtTask, Strategy: o.Strategy, Started: time.Now(), WorkDir: wd}
		for i, s := range meta.Options.Inventory {
			if !strings.Contains(s, ",") {
				meta.Options.Inventory[i], _ = filepath.Abs(s)
			}
		}
	} else {
		meta.Attempts++
	}
	meta.PID = os.Getpid()
	meta.Hosts = hostNames
	lock, err := lockHosts(o.StateDir, meta.RunID, hostNames)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	defer lock.release()
	if err := writeMeta(o.StateDir, meta); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	journal, err := runner.OpenJournal(runner.JournalPath(o.StateDir, meta.RunID))
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer journal.Close()

	dialer, err := newDialer(o, in, stderr)
	if err != nil {
		return err
	}
	defer dialer.Close()
	becomePass := ""
	if o.AskBecomePass || in.config.BecomeAskPass {
		if becomePass, err = askSecret("BECOME password: ", stderr); err != nil {
			return usagef("-K: %v", err)
		}
	}
	secrets := newRedactor(becomePass, in, o.SecretVars)
	out := newOutput(o, stdout, stderr, secrets)
	var sinks []runner.Sink
	if o.Output != "json" {
		sinks = append(sinks, out)
	}
	if o.Output == "json" {
		sinks = append(sinks, newJSONSink(stdout))
	}
	var eventsFile *os.File
	if o.EventsFile != "" {
		if eventsFile, err = os.Create(o.EventsFile); err != nil {
			return usagef("--events: %v", err)
		}
		defer eventsFile.Close()
		sinks = append(sinks, newJSONSink(eventsFile))
	}
	junit := newJUnitSink()
	sinks = append(sinks, junit, journal)
	sink := runner.NewSinks(sinks...)
	sink.Filter = secrets.event
	ropts := &runner.Options{
		Dialer: dialer, Templater: newTemplater(), Sink: sink, RunID: meta.RunID,
		Forks: o.Forks, Serial: serial, MaxFailPercentage: maxFail, Check: o.Check, Diff: o.Diff,
		Become: o.Become, BecomePassword: becomePass, ExtraVars: in.extra, Tags: o.Tags, SkipTags: o.SkipTags,
		ConnectTimeout: o.ConnectTimeout, Yes: o.Yes, Stop: stop, Resume: resume, VaultPassword: in.vault, Deadline: deadline,
		Facts: runner.NewHostFacts(), InventoryVars: inventoryVars(in.inv), ForceHandlers: o.ForceHandlers, StartAt: startAt, Strategy: cmp.Or(o.Strategy, in.config.Strategy),
	}
	if o.Forks == 0 && in.config.Forks > 0 {
		ropts.Forks = in.config.Forks
	}
	// ansible.cfg's [privilege_escalation]: the lowest precedence.
	ropts.Become = ropts.Become || in.config.Become
	ropts.BecomeUser, ropts.BecomeMethod = in.config.BecomeUser, in.config.BecomeMethod
	if isTerminal(stdin) && !o.Yes {
		pr := &ttyPrompter{in: stdin, out: stderr}
		if lv, ok := out.(*liveOutput); ok {
			pr.before = lv.suspend
		}
		ropts.Prompter = pr
	}
	for _, hs := range in.hosts {
		for _, h := range hs {
			withUser(h, o.User)
		}
	}
	ropts.DelegateHost = in.delegateHost(o.User)
	sink.Event(&runner.Event{Type: runner.EvRunStarted, RunID: meta.RunID, Hosts: hostNames, Msg: path})
	ropts.GroupAdds = &runner.GroupAdds{}
	for _, a := range resume.HostAdds() {
		ropts.GroupAdds.AddHost(a)
	}
	for _, a := range resume.GroupAdds() {
		ropts.GroupAdds.Add(a)
	}
	var results []*runner.PlayResult
	guardStopped := false
	for i, prog := range in.programs {
		if ctx.Err() != nil || isClosed(stop) {
			break
		}
		hosts, groups := in.hosts[i], in.groups
		if in.groupByFrom >= 0 && i > in.groupByFrom {
			if hosts, groups, err = in.playHostsAt(i, ropts.GroupAdds.Hosts(), ropts.GroupAdds.List(), o.User); err != nil {
				// Earlier plays ran: stop the roll (resumable), not "invalid".
				fmt.Fprintf(stderr, "drover: %v\n", err)
				guardStopped = true
				break
			}
			// Hosts add_host made are claimed like the others before
			// they are touched.
			var added []string
			for _, h := range hosts {
				if !all[h.Name] {
					all[h.Name] = true
					added = append(added, h.Name)
				}
			}
			if len(added) > 0 {
				hostNames = append(hostNames, added...)
				if _, err := lockHosts(o.StateDir, meta.RunID, hostNames); err != nil {
					fmt.Fprintf(stderr, "drover: %s: play %q: %v\n", prog.Play.Pos, prog.Play.Name, err)
					guardStopped = true
					break
				}
			}
			if len(hosts) == 0 {
				sink.Event(&runner.Event{Type: runner.EvWarning, RunID: meta.RunID, PlayIdx: i, Play: prog.Play.Name,
					Msg: fmt.Sprintf("%s: play %q skipped: no hosts matched %q", prog.Play.Pos, prog.Play.Name, prog.Play.Hosts)})
				continue
			}
			if p := prog.Play; unbatched(p, serial, len(hosts)) && !o.Yes && !o.Check {
				fmt.Fprintf(stderr, "drover: %s: play %q would run on all %d hosts at once (no serial, no disruption_budget); add serial or pass --yes\n", p.Pos, p.Name, len(hosts))
				guardStopped = true
				break
			}
		}
		res := runner.RunPlay(ctx, ropts, i, prog, hosts, groups)
		results = append(results, res)
		if res.Stopped != "" {
			break
		}
	}
	code := summarize(results, isClosed(stop) || ctx.Err() != nil)
	if guardStopped && (code == exitOK || code == exitFailed || code == exitUnreachable) {
		code = exitStopped
	}
	sink.Event(&runner.Event{Type: runner.EvRunDone, RunID: meta.RunID, Status: codeStatus(code), Msg: fmt.Sprint(code)})
	if o.JUnitFile != "" {
		if err := junit.write(o.JUnitFile); err != nil {
			fmt.Fprintln(stderr, "drover: junit:", err)
		}
	}
	if o.Output != "json" {
		out.recap(results)
		if code == exitInterrupted || code == exitStopped {
			fmt.Fprintf(stderr, "\nTo continue this run: drover run --resume %s --state-dir %s\n", meta.RunID, o.StateDir)
		}
	}
	if code != exitOK {
		return &exitError{code: code}
	}
	return nil
}

// unbatched reports a play that would take more than 50 hosts at once:
// neither serial (literal or templated, or --serial), adaptive_serial nor
// a disruption budget.
func unbatched(p *playbooks.Play, serial []playbooks.Serial, hosts int) bool {
	return hosts > 50 && len(p.Serial) == 0 && p.SerialExpr == "" && p.AdaptiveSerial == nil && len(serial) == 0 && p.DisruptionBudget == nil
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// summarize picks the exit code from the plays' outcomes.
func summarize(results []*runner.PlayResult, interrupted bool) int {
	failed, unreachable, stopped := false, false, false
	for _, r := range results {
		if r.Stopped != "" && r.Stopped != "interrupted" {
			stopped = true
		}
		for _, h := range r.Hosts {
			switch h.Status {
			case runner.StatusFailed:
				failed = true
			case runner.StatusUnreachable:
				unreachable = true
			case runner.StatusStopped:
				if r.Stopped == "interrupted" {
					interrupted = true
				}
			}
		}
	}
	switch {
	case interrupted:
		return exitInterrupted
	case stopped:
		return exitStopped
	case failed:
		return exitFailed
	case unreachable:
		return exitUnreachable
	}
	return exitOK
}

func codeStatus(code int) string {
	switch code {
	case exitOK:
		return "ok"
	case exitFailed:
		return "failed"
	case exitUnreachable:
		return "unreachable"
	case exitStopped:
		return "stopped"
	case exitInterrupted:
		return "interrupted"
	}
	return "error"
}

// printInvalid prints a validation error list in full and maps it to exit
// 2; other errors pass through.
func printInvalid(err error, stderr io.Writer) error {
	var el *playbooks.ErrorList
	if errors.As(err, &el) {
		fmt.Fprint(stderr, el.Text())
		return &exitError{code: exitInvalid}
	}
	return err
}

// parseSerialFlag reads --serial: "N", "N%", or a comma list.
func parseSerialFlag(s string) ([]playbooks.Serial, error) {
	if s == "" {
		return nil, nil
	}
	var out []playbooks.Serial
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if p, ok := strings.CutSuffix(part, "%"); ok {
			f, err := strconv.ParseFloat(p, 64)
			if err != nil || f <= 0 || f > 100 {
				return nil, usagef("--serial %q: %q is not a percentage", s, part)
			}
			out = append(out, playbooks.Serial{Percent: f})
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, usagef("--serial %q: %q is not a positive count", s, part)
		}
		out = append(out, playbooks.Serial{Count: n})
	}
	return out, nil
}

func newDialer(o runOptions, in *inputs, stderr io.Writer) (*sshconn.Dialer, error) {
	hkc := o.HostKeyChecking
	if hkc == "" && in.config.HostKeyChecking != nil && !*in.config.HostKeyChecking {
		hkc = "off"
	}
	switch hkc {
	case "", "strict", "accept-new", "off":
	default:
		return nil, usagef("--host-key-checking %q: want strict, accept-new or off", hkc)
	}
	cfg := sshconn.Config{
		HostKeyChecking:   hkc,
		NoPersistentShell: o.NoPersistentShell,
		ConnectTimeout:    o.ConnectTimeout,
		User:              o.User,
		Warn:              func(m string) { fmt.Fprintln(stderr, "WARNING:", m) },
		Passphrase: func(file string) ([]byte, error) {
			s, err := askSecret("Passphrase for "+file+": ", stderr)
			return []byte(s), err
		},
	}
	if len(o.KnownHosts) > 0 {
		cfg.KnownHostsFiles = o.KnownHosts
	}
	if o.Verbose >= 3 {
		var mu sync.Mutex
		cfg.Debug = func(m string) {
			mu.Lock()
			fmt.Fprintln(stderr, "ssh:", m)
			mu.Unlock()
		}
	}
	return sshconn.New(cfg)
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// askSecret reads a line from the terminal without echo.
func askSecret(prompt string, stderr io.Writer) (string, error) {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "", errors.New("no terminal to ask on")
	}
	fmt.Fprint(stderr, prompt)
	b, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(stderr)
	return string(b), err
}

func writeMeta(stateDir string, m *runMeta) error {
	dir := filepath.Join(stateDir, "runs", m.RunID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	tmp := filepath.Join(dir, "run.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "run.json"))
}

func readMeta(stateDir, runID string) (*runMeta, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, "runs", runID, "run.json"))
	if err != nil {
		return nil, err
	}
	var m runMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// latestRun is the most recent run id in the state directory.
func latestRun(stateDir string) (string, error) {
	ents, err := os.ReadDir(filepath.Join(stateDir, "runs"))
	if err != nil || len(ents) == 0 {
		return "", fmt.Errorf("no runs in %s", stateDir)
	}
	best := ""
	for _, e := range ents {
		if e.IsDir() && e.Name() > best {
			best = e.Name()
		}
	}
	return best, nil
}

func loadResume(stateDir string, args []string) (*runMeta, *runner.Resume, error) {
	id := ""
	if len(args) > 1 {
		return nil, nil, usagef("--resume takes at most one RUN_ID")
	}
	if len(args) == 1 {
		id = args[0]
	} else {
		var err error
		if id, err = latestRun(stateDir); err != nil {
			return nil, nil, usagef("--resume: %v", err)
		}
	}
	m, err := readMeta(stateDir, id)
	if err != nil {
		return nil, nil, usagef("--resume %s: %v", id, err)
	}
	evs, err := runner.ReadJournal(runner.JournalPath(stateDir, id))
	if err != nil {
		return nil, nil, fmt.Errorf("--resume %s: %w", id, err)
	}
	return m, runner.NewResume(evs), nil
}
