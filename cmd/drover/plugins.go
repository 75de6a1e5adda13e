package main

import (
	"context"

	"github.com/drover-sh/drover/inventory"
	"github.com/drover-sh/drover/inventory/awsec2"
)

// inventoryLoadOptions are the options every command loads inventories with:
// the vault password, and the inventory plugins a YAML source may name
// (`plugin: aws_ec2`, `plugin: constructed`) with one template engine for
// their Jinja2.
func inventoryLoadOptions(ctx context.Context, vaultPass []byte) inventory.LoadOptions {
	t := newTemplater()
	ec2 := &awsec2.Plugin{T: t}
	plugins := map[string]inventory.Plugin{}
	for _, n := range awsec2.Names {
		plugins[n] = ec2
	}
	return inventory.LoadOptions{Context: ctx, VaultPassword: vaultPass, Plugins: plugins, Templater: t}
}
