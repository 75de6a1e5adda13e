package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/drover-sh/drover/inventory"
)

// inventoryOptions are the flags of `drover inventory`.
type inventoryOptions struct {
	Inventory []string // -i, repeatable
	List      bool
	Graph     bool
	Host      string
	Limit     string
	// VaultPasswordFile decrypts encrypted group_vars/host_vars files and
	// !vault values (which --list and --host then print in clear).
	VaultPasswordFile string
}

// AddFlags registers the flags on fs.
func (o *inventoryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&o.Inventory, "inventory", "i", nil, "inventory source: file, directory, executable, CSV, or \"host1,host2,\" (repeatable)")
	fs.BoolVar(&o.List, "list", false, "print the inventory as `ansible-inventory --list` JSON")
	fs.BoolVar(&o.Graph, "graph", false, "print the group tree (optionally from the group given as argument)")
	fs.StringVar(&o.Host, "host", "", "print one host's merged variables as JSON")
	fs.StringVarP(&o.Limit, "limit", "l", "", "restrict to hosts matching PATTERN, or listed in @FILE")
	fs.StringVar(&o.VaultPasswordFile, "vault-password-file", "", "file holding the ansible-vault password")
}

// inventoryUsageError is a misuse of `drover inventory` (bad flag
// combination); the CLI maps it, like inventory.IsInvalidInput errors, to
// exit code 2.
type inventoryUsageError struct{ msg string }

func (e *inventoryUsageError) Error() string { return e.msg }

// runInventory implements `drover inventory`. Malformed sources return an
// error matching inventory.IsInvalidInput (a *inventory.ParseError or
// *inventory.PatternError).
func runInventory(ctx context.Context, o inventoryOptions, args []string, stdout io.Writer) error {
	modes := 0
	for _, on := range []bool{o.List, o.Graph, o.Host != ""} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return &inventoryUsageError{"drover inventory: give exactly one of --list, --graph, --host NAME"}
	}
	if len(o.Inventory) == 0 {
		return &inventoryUsageError{"drover inventory: no inventory source (-i)"}
	}
	if len(args) > 0 && !o.Graph {
		return &inventoryUsageError{fmt.Sprintf("drover inventory: unexpected arguments: %s", strings.Join(args, " "))}
	}
	pw, err := readVaultPassword(o.VaultPasswordFile)
	if err != nil {
		return &inventoryUsageError{err.Error()}
	}
	inv, err := inventory.Load(o.Inventory, inventoryLoadOptions(ctx, pw))
	if err != nil {
		return err
	}
	var out []byte
	switch {
	case o.Host != "":
		if _, err := inv.Select(o.Host); err != nil {
			return err
		}
		out, err = inv.HostJSON(o.Host)
	case o.Graph:
		if len(args) > 1 {
			return &inventoryUsageError{"drover inventory --graph: at most one group"}
		}
		g := "all"
		if len(args) == 1 {
			g = args[0]
		}
		var s string
		s, err = inv.GraphFrom(g)
		out = []byte(s)
	default:
		hosts := inv.Hosts()
		if o.Limit != "" {
			if hosts, err = inv.Limit(hosts, o.Limit); err != nil {
				return err
			}
			out, err = inv.ListJSONFor(hosts)
		} else {
			out, err = inv.ListJSON()
		}
	}
	if err != nil {
		return err
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	_, err = stdout.Write(out)
	return err
}
