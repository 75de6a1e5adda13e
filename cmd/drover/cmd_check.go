package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"

	"github.com/spf13/pflag"

	"github.com/drover-sh/drover/inventory"
	"github.com/drover-sh/drover/playbooks"
)

// checkOptions are the flags of `drover check`.
type checkOptions struct {
	Inventory         []string
	ExtraVars         []string
	VaultPasswordFile string
	Format            string
}

func (o *checkOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&o.Inventory, "inventory", "i", nil, "inventory source whose variables count as defined (optional, repeatable)")
	fs.StringArrayVarP(&o.ExtraVars, "extra-vars", "e", nil, "extra variables: k=v, JSON/YAML, or @file (repeatable)")
	fs.StringVar(&o.VaultPasswordFile, "vault-password-file", "", "file holding the ansible-vault password")
	fs.StringVar(&o.Format, "format", "text", "output format: text, or github (GitHub Actions annotations)")
}

// checkFailed is what runCheck returns once it has printed the errors: its
// message is a one-line summary, and it unwraps to the *playbooks.ErrorList
// (exit code 2).
type checkFailed struct {
	path string
	list *playbooks.ErrorList
}

func (e *checkFailed) Error() string {
	n := len(e.list.Errors)
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("%s: %d error%s", e.path, n, s)
}

func (e *checkFailed) Unwrap() error { return e.list }

// runCheck loads and validates a playbook without contacting any host:
// exit 0 when valid, 2 (a *playbooks.ErrorList) when not. Errors go to
// stdout as GitHub annotations with --format github, else to stderr with
// source snippets.
func runCheck(ctx context.Context, o checkOptions, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		return usagef("usage: drover check PLAYBOOK [-i INVENTORY] [--format text|github]")
	}
	if o.Format != "text" && o.Format != "github" {
		return usagef("--format must be text or github, got %q", o.Format)
	}
	path := args[0]
	cfg, err := playbooks.LoadConfig(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("%w: %v", errInvalid, err)
	}
	vaultPass, err := readVaultPassword(o.VaultPasswordFile)
	if err != nil {
		return usagef("%v", err)
	}
	extra, err := parseExtraVars(o.ExtraVars)
	if err != nil {
		return err
	}
	known := make([]string, 0, len(extra))
	for k := range extra {
		known = append(known, k)
	}
	sources := o.Inventory
	if len(sources) == 0 {
		sources = cfg.Inventory
	}
	haveInv := false
	var hostNames, groupNames []string
	if len(sources) > 0 {
		inv, err := inventory.Load(sources, inventoryLoadOptions(ctx, vaultPass))
		if err != nil {
			return err
		}
		haveInv = true
		known = append(known, inventoryVarNames(inv)...)
		hostNames, groupNames = inventoryHostNames(inv), inv.GroupNames()
	}
	book, err := playbooks.Load(path, playbooks.LoadOptions{VaultPassword: vaultPass, Config: cfg})
	var loadErrs *playbooks.ErrorList
	if err != nil && !errors.As(err, &loadErrs) {
		return fmt.Errorf("%w: %v", errInvalid, err)
	}
	var valErrs *playbooks.ErrorList
	if book != nil {
		err := playbooks.Validate(book, playbooks.ValidateOptions{KnownVars: known, AllowUnknownVars: !haveInv, Hosts: hostNames, Groups: groupNames})
		if err != nil && !errors.As(err, &valErrs) {
			return err
		}
	}
	list := playbooks.Merge(loadErrs, valErrs)
	if book != nil && list == nil {
		for _, w := range playbooks.FreeRaces(book, cfg.Strategy) {
			if o.Format == "github" {
				fmt.Fprintln(stdout, w.GitHubWarning())
			} else {
				fmt.Fprintln(stderr, w.WarningText())
			}
		}
	}
	if list == nil {
		fmt.Fprintf(stdout, "%s: ok\n", path)
		return nil
	}
	if o.Format == "github" {
		fmt.Fprint(stdout, list.GitHub())
	} else {
		fmt.Fprint(stderr, list.Text())
	}
	return &checkFailed{path: path, list: list}
}

// inventoryVarNames lists every variable name some host has.
func inventoryVarNames(inv *inventory.Inventory) []string {
	seen := map[string]bool{}
	var out []string
	for _, h := range inv.Hosts() {
		for k := range h.Vars {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
