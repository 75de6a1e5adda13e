package awsec2

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzOptions: any configuration mapping is read or refused, never a
// panic; what is read gives host names and groups without one.
func FuzzOptions(f *testing.F) {
	for _, s := range []string{
		"plugin: aws_ec2\nregions: [us-east-1]\nfilters: {tag:env: [prod, staging]}\n",
		"plugin: aws_ec2\nhostnames: [tag:Name, {name: private-ip-address, prefix: tag:role, separator: '-'}]\n",
		"plugin: aws_ec2\nkeyed_groups: [{key: tags, prefix: tag}, {key: x, default_value: none}]\ngroups: {a: 'true'}\n",
		"plugin: aws_ec2\ninclude_filters: [{tag:a: b}]\nexclude_filters: [{}]\nstrict: yes\n",
		"plugin: aws_ec2\nhostnames: [tag:a=b,c]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var config map[string]any
		if yaml.Unmarshal(data, &config) != nil || config == nil {
			return
		}
		o, err := parseOptions(config)
		if err != nil {
			return
		}
		vars := map[string]any{"tags": map[string]any{"Name": "web1", "a": "b", "role": "web"}, "private_ip_address": "10.0.0.1",
			"network_interfaces": []any{map[string]any{"private_dns_name": "x"}}}
		_, _ = hostname(vars, o.hostnames, o.sanitizer())
	})
}
