package main

import (
	"github.com/drover-sh/drover/inventory"
	"github.com/drover-sh/drover/inventory/awsec2"
)

// inventoryPlugins are the inventory plugins a YAML source may name
// (`plugin: aws_ec2`), by every name they answer to.
func inventoryPlugins() map[string]inventory.Plugin {
	out := map[string]inventory.Plugin{}
	ec2 := &awsec2.Plugin{T: newTemplater()}
	for _, n := range awsec2.Names {
		out[n] = ec2
	}
	return out
}
