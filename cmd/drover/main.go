// Command drover runs Ansible-style playbooks over SSH in rolling batches,
// built for rebooting fleets before a deadline.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/drover-sh/drover/inventory"
	"github.com/drover-sh/drover/playbooks"
)

// Exit codes, listed in --help and README.
const (
	exitOK          = 0
	exitUsage       = 1
	exitInvalid     = 2
	exitFailed      = 3
	exitUnreachable = 4
	exitStopped     = 5
	exitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    every host succeeded
  1    usage error
  2    invalid playbook or inventory (nothing ran)
  3    some hosts failed
  4    some hosts were unreachable
  5    the roll was stopped (max_fail_percentage, health gate, any_errors_fatal, budget)
  130  interrupted (resumable with drover run --resume)
`

// exitError carries an exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError is a bad command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// exitCode maps an error to the process exit code: the one switch.
func exitCode(err error) int {
	var ee *exitError
	var ue *usageError
	var pe *playbooks.ErrorList
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &pe), inventory.IsInvalidInput(err), errors.Is(err, errInvalid):
		return exitInvalid
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitFailed
}

// errInvalid marks other invalid input (exit 2).
var errInvalid = errors.New("invalid input")

const usage = `drover — an agentless runbook executor for rolling reboots

Usage:
  drover run PLAYBOOK -i INVENTORY [flags]   run a playbook in rolling batches
  drover run --resume [RUN_ID] [flags]       continue an interrupted run
  drover check PLAYBOOK [-i INVENTORY]       validate only (exit 0 or 2)
  drover plan PLAYBOOK -i INVENTORY          show batches and graph, contact no host
  drover graph PLAYBOOK [--format dot]       print each play's task graph
  drover inventory -i SRC --list|--graph|--host NAME
  drover report [RUN_ID] [--format text|json|markdown]
  drover fleet --hosts N --dir DIR           run a local fleet of SSH test hosts
  drover version

Run 'drover COMMAND --help' for a command's flags.

` + exitCodesHelp

func main() {
	// The first interrupt closes stop (a run stops starting hosts and
	// batches, and lets in-flight hosts reach a safe point); the second
	// cancels ctx (in-flight commands are aborted).
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	go func() {
		<-sigs
		close(stop)
		<-sigs
		cancel()
	}()
	stopProfile := startProfile(os.Stderr)
	code := run(ctx, stop, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// run dispatches a subcommand and returns the exit code. Commands other
// than run treat the first interrupt as the end.
func run(ctx context.Context, stop <-chan struct{}, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	runCtx := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, rest := args[0], args[1:]
	fs := pflag.NewFlagSet("drover "+cmd, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of drover %s:\n%s\n%s", cmd, fs.FlagUsages(), exitCodesHelp)
	}
	var err error
	parse := func() bool {
		if perr := fs.Parse(rest); perr != nil {
			if errors.Is(perr, pflag.ErrHelp) {
				err = nil
				return false
			}
			err = &usageError{perr.Error()}
			return false
		}
		return true
	}
	switch cmd {
	case "run", "playbook":
		var o runOptions
		o.AddFlags(fs)
		if parse() {
			err = runRun(runCtx, stop, o, fs.Args(), stdin, stdout, stderr)
		}
	case "check":
		var o checkOptions
		o.AddFlags(fs)
		if parse() {
			err = runCheck(ctx, o, fs.Args(), stdout, stderr)
		}
	case "plan":
		var o planOptions
		o.AddFlags(fs)
		if parse() {
			err = runPlan(ctx, o, fs.Args(), stdout)
		}
	case "graph":
		var o graphOptions
		o.AddFlags(fs)
		if parse() {
			err = runGraph(ctx, o, fs.Args(), stdout)
		}
	case "inventory":
		var o inventoryOptions
		o.AddFlags(fs)
		if parse() {
			err = runInventory(ctx, o, fs.Args(), stdout)
		}
	case "report":
		var o reportOptions
		o.AddFlags(fs)
		if parse() {
			err = runReport(ctx, o, fs.Args(), stdout)
		}
	case "fleet":
		var o fleetOptions
		o.AddFlags(fs)
		if parse() {
			err = runFleet(ctx, o, stdout)
		}
	case "version", "--version":
		fmt.Fprintln(stdout, "drover", version)
		return exitOK
	default:
		fmt.Fprintf(stderr, "drover: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			fmt.Fprintln(stderr, "drover:", err)
		}
	}
	return exitCode(err)
}

var version = "0.1.0-dev"
