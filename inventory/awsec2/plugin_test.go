package awsec2

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drover-sh/drover/internal/fakeec2"
	"github.com/drover-sh/drover/playbooks/template"
)

// isolate keeps the SDK away from this machine's AWS setup.
func isolate(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1", "AWS_PROFILE": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
	} {
		t.Setenv(k, v)
	}
}

func fleet() []fakeec2.Instance {
	return []fakeec2.Instance{
		{ID: "i-0001", Region: "us-east-1", AZ: "us-east-1a", Type: "t3.micro", State: "running", PrivateIP: "10.0.0.1",
			PrivateDNS: "ip-10-0-0-1.ec2.internal", PublicDNS: "ec2-1.compute.amazonaws.com", Tags: map[string]string{"Name": "web1", "role": "web", "env": "prod"},
			Events: []fakeec2.Event{{Code: "system-reboot", Description: "scheduled reboot", NotBefore: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}}},
		{ID: "i-0002", Region: "us-east-1", AZ: "us-east-1b", Type: "t3.large", State: "running", PrivateIP: "10.0.0.2",
			PrivateDNS: "ip-10-0-0-2.ec2.internal", Tags: map[string]string{"Name": "db1", "role": "db", "env": "prod"}},
		{ID: "i-0003", Region: "us-east-1", AZ: "us-east-1a", Type: "t3.micro", State: "stopped", PrivateIP: "10.0.0.3",
			PrivateDNS: "ip-10-0-0-3.ec2.internal", Tags: map[string]string{"Name": "web2", "role": "web", "env": "staging"}},
		{ID: "i-0004", Region: "us-east-1", AZ: "us-east-1a", Type: "t3.micro", State: "terminated", PrivateIP: "10.0.0.4",
			PrivateDNS: "ip-10-0-0-4.ec2.internal", Tags: map[string]string{"Name": "gone"}},
		{ID: "i-0005", Region: "eu-west-1", AZ: "eu-west-1a", Type: "m5.large", State: "running", PrivateIP: "10.1.0.5",
			PrivateDNS: "ip-10-1-0-5.eu-west-1.compute.internal", Tags: map[string]string{"Name": "web3", "role": "web", "env": "prod"}},
	}
}

func list(t *testing.T, srv *fakeec2.Server, config map[string]any) map[string]any {
	t.Helper()
	config["endpoint_url"] = srv.URL
	out, err := (&Plugin{T: template.New()}).List(context.Background(), "test.aws_ec2.yml", config)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func hostsOf(m map[string]any, g string) []string {
	gr, _ := m[g].(map[string]any)
	var out []string
	for _, h := range gr["hosts"].([]any) {
		out = append(out, h.(string))
	}
	slices.Sort(out)
	return out
}

// The plugin's names, variables, default filter and groups, against a fake
// EC2 endpoint: every region (DescribeRegions), pages, keys from the
// options, tag hostnames, compose, groups, keyed_groups and the scheduled
// events of include_extra_api_calls.
func TestListAgainstFakeEC2(t *testing.T) {
	isolate(t)
	srv := fakeec2.New("AKIDTEST", fleet())
	defer srv.Close()
	srv.PageSize = 1
	m := list(t, srv, map[string]any{
		"plugin": "amazon.aws.aws_ec2", "aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "not-printed",
		"hostnames":               []any{"tag:Name", "private-ip-address"},
		"include_extra_api_calls": true,
		"compose":                 map[string]any{"ansible_host": "private_ip_address", "az": "placement.availability_zone"},
		"groups":                  map[string]any{"scheduled_reboot": "events | selectattr('code', 'equalto', 'system-reboot') | list | length > 0"},
		"keyed_groups": []any{
			map[string]any{"key": "tags.role", "prefix": "role"},
			map[string]any{"key": "placement.region", "prefix": "aws_region"},
			map[string]any{"key": "tags", "prefix": "tag", "parent_group": "tagged"},
		},
	})
	if got := strings.Join(hostsOf(m, "aws_ec2"), " "); got != "db1 web1 web2 web3" {
		t.Errorf("aws_ec2 hosts: %s (terminated instances are left out by default)", got)
	}
	for g, want := range map[string]string{"role_web": "web1 web2 web3", "role_db": "db1", "aws_region_eu_west_1": "", "aws_region_eu-west-1": "web3",
		"scheduled_reboot": "web1", "tag_env_prod": "db1 web1 web3"} {
		if _, ok := m[g]; !ok && want == "" {
			continue
		}
		if got := strings.Join(hostsOf(m, g), " "); got != want {
			t.Errorf("group %s: %q, want %q", g, got, want)
		}
	}
	if ch, _ := m["tagged"].(map[string]any)["children"].([]any); !slices.Contains(ch, any("tag_env_prod")) {
		t.Errorf("tagged children: %v", ch)
	}
	hv := m["_meta"].(map[string]any)["hostvars"].(map[string]any)
	web1 := hv["web1"].(map[string]any)
	checks := map[string]any{"ansible_host": "10.0.0.1", "az": "us-east-1a", "instance_id": "i-0001", "instance_type": "t3.micro",
		"private_dns_name": "ip-10-0-0-1.ec2.internal", "public_dns_name": "ec2-1.compute.amazonaws.com", "owner_id": "123456789012",
		"reservation_id": "r-i-0001", "launch_time": "2026-11-01T10:00:00+00:00"}
	for k, want := range checks {
		if web1[k] != want {
			t.Errorf("web1 %s = %v, want %v", k, web1[k], want)
		}
	}
	if web1["tags"].(map[string]any)["role"] != "web" || web1["placement"].(map[string]any)["region"] != "us-east-1" ||
		web1["state"].(map[string]any)["name"] != "running" || web1["security_groups"].([]any)[0].(map[string]any)["group_id"] != "sg-0001" {
		t.Errorf("web1 vars: %v", web1)
	}
	ev := web1["events"].([]any)[0].(map[string]any)
	if ev["code"] != "system-reboot" || ev["not_before"] != "2026-12-01T02:00:00+00:00" {
		t.Errorf("web1 events: %v", web1["events"])
	}
	if hv["db1"].(map[string]any)["events"] != "" {
		t.Errorf("db1 events: %v, want \"\" (none scheduled)", hv["db1"].(map[string]any)["events"])
	}
	// The requests: every region, signed with the configured key, the
	// default state filter, page by page.
	var regions []string
	pages := 0
	for _, r := range srv.Requests() {
		if r.AccessKey != "AKIDTEST" {
			t.Errorf("%s signed with %s", r.Action, r.AccessKey)
		}
		if r.Action == "DescribeInstances" {
			pages++
			if !slices.Contains(regions, r.Region) {
				regions = append(regions, r.Region)
			}
			if r.Form.Get("Filter.1.Name") != "instance-state-name" || r.Form.Get("Filter.1.Value.4") != "stopped" {
				t.Errorf("filters: %v", r.Form)
			}
		}
	}
	if strings.Join(regions, ",") != "us-east-1,eu-west-1" || pages != 4 {
		t.Errorf("DescribeInstances: regions %v, %d pages (one instance a page: want 3 + 1)", regions, pages)
	}
}

// filters, include_filters and exclude_filters; the default host names
// (dns-name, else private-dns-name); a region list; options drover does
// not have are refused by name; wrong keys get AWS's refusal.
func TestFiltersAndErrors(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	srv := fakeec2.New("AKIDTEST", fleet())
	defer srv.Close()
	m := list(t, srv, map[string]any{
		"plugin": "aws_ec2", "regions": []any{"us-east-1"},
		"filters":         map[string]any{"tag:env": "prod"},
		"include_filters": []any{map[string]any{"tag:Name": "web2"}},
		"exclude_filters": []any{map[string]any{"instance-type": "t3.large"}},
	})
	if got := strings.Join(hostsOf(m, "aws_ec2"), " "); got != "ec2-1.compute.amazonaws.com ip-10-0-0-3.ec2.internal" {
		t.Errorf("hosts %q", got)
	}
	for cfg, want := range map[string]string{
		`{"plugin": "aws_ec2", "use_ssm_inventory": true}`:                                                 "option 'use_ssm_inventory' is not supported",
		`{"plugin": "aws_ec2", "regoins": ["x"]}`:                                                          "unknown option 'regoins'",
		`{"plugin": "aws_ec2", "hostnames": ["nope"]}`:                                                     "hostnames: 'nope' is not one drover has",
		`{"plugin": "aws_ec2", "aws_access_key_id": "AKIDOTHER", "aws_secret_access_key": "s3cr3t-value"}`: "AuthFailure",
	} {
		var config map[string]any
		if err := json.Unmarshal([]byte(cfg), &config); err != nil {
			t.Fatal(err)
		}
		config["endpoint_url"] = srv.URL
		config["regions"] = []any{"us-east-1"}
		_, err := (&Plugin{T: template.New()}).List(context.Background(), "x.aws_ec2.yml", config)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", cfg, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-value") {
			t.Errorf("the secret key is in the error: %v", err)
		}
	}
}

func TestCamelToSnake(t *testing.T) {
	for in, want := range map[string]string{"PublicIpAddress": "public_ip_address", "InstanceId": "instance_id", "TargetGroupARNs": "target_group_arns",
		"EbsOptimized": "ebs_optimized", "Ipv6Address": "ipv6_address", "AmiLaunchIndex": "ami_launch_index", "CpuOptions": "cpu_options", "State": "state"} {
		if got := camelToSnake(in); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

// The example inventory (examples/xen-reboot/affected.aws_ec2.yml) reads
// as it is: the instances with a scheduled reboot are `affected`, each
// availability zone their rack.
func TestExampleInventory(t *testing.T) {
	isolate(t)
	b, err := os.ReadFile("../../examples/xen-reboot/affected.aws_ec2.yml")
	if err != nil {
		t.Fatal(err)
	}
	var config map[string]any
	if err := yaml.Unmarshal(b, &config); err != nil {
		t.Fatal(err)
	}
	config["aws_access_key_id"], config["aws_secret_access_key"] = "AKIDTEST", "x"
	srv := fakeec2.New("AKIDTEST", fleet())
	defer srv.Close()
	m := list(t, srv, config)
	if got := strings.Join(hostsOf(m, "affected"), " "); got != "web1" {
		t.Errorf("affected: %q, want web1 (the one with a scheduled reboot)", got)
	}
	hv := m["_meta"].(map[string]any)["hostvars"].(map[string]any)
	if r := hv["web1"].(map[string]any)["rack"]; r != "us-east-1a" {
		t.Errorf("web1 rack %v", r)
	}
	if _, ok := hv["web2"]; ok {
		t.Errorf("web2 is stopped: the example lists running instances only")
	}
}
