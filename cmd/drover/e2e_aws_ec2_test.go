package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/fakeec2"
	"github.com/drover-sh/drover/internal/sshdtest"
)

// The reboot night from an aws_ec2 inventory: a fake EC2 endpoint lists
// the sshd hosts as instances (private IPs on loopback) and schedules a
// reboot for two of them; the plugin's compose connects to them, its
// groups pick the scheduled ones from include_extra_api_calls' events, and
// only those reboot — asserted on the hosts' own reboot records.
func TestE2EAwsEC2Inventory(t *testing.T) {
	f := sshdtest.StartT(t, 3, sshdtest.Options{Racks: 1, RebootDelay: 300 * time.Millisecond})
	var insts []fakeec2.Instance
	scheduled := map[string]bool{"h01": true, "h03": true}
	first := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	for i, h := range f.Hosts() {
		in := fakeec2.Instance{ID: fmt.Sprintf("i-%04d", i+1), Region: "us-east-1", AZ: "us-east-1a", Type: "t3.micro", State: "running",
			PrivateIP: h.Addr, PrivateDNS: "ip-" + strings.ReplaceAll(h.Addr, ".", "-") + ".ec2.internal", Tags: map[string]string{"Name": h.Name}}
		if scheduled[h.Name] {
			in.Events = []fakeec2.Event{{Code: "system-reboot", Description: "scheduled reboot", NotBefore: first.Add(time.Duration(i) * time.Hour)}}
		}
		insts = append(insts, in)
	}
	srv := fakeec2.New("AKIDE2E", insts)
	defer srv.Close()
	dir := t.TempDir()
	inv := filepath.Join(dir, "fleet.aws_ec2.yml")
	writeFile(t, inv, fmt.Sprintf(`plugin: amazon.aws.aws_ec2
regions: [us-east-1]
endpoint_url: %s
hostnames: [tag:Name]
include_extra_api_calls: true
compose:
  ansible_host: private_ip_address
  ansible_port: %d
  ansible_user: "'root'"
  ansible_ssh_private_key_file: "'%s'"
groups:
  scheduled_reboot: events | selectattr('code', 'equalto', 'system-reboot') | list | length > 0
`, srv.URL, f.Port(), f.KeyPath()))
	play := filepath.Join(dir, "playbook.yml")
	writeFile(t, play, `
- hosts: scheduled_reboot
  serial: 1
  gather_facts: false
  tasks:
    - reboot:
        reboot_timeout: 30
`)
	env := append(os.Environ(), "NO_COLOR=1", "HOME="+dir, "AWS_ACCESS_KEY_ID=AKIDE2E", "AWS_SECRET_ACCESS_KEY=e2e-secret",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_REGION=us-east-1", "AWS_PROFILE=")
	// The provider's deadline, from the events: h01's, the earliest.
	cmd := exec.Command(droverBin, "plan", play, "-i", inv, "--deadline", "events")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if want := "deadline: " + first.Format(time.RFC3339) + ", the earliest scheduled event: h01's system-reboot"; err != nil || !strings.Contains(string(out), want) || !strings.Contains(string(out), "fits:") {
		t.Errorf("drover plan --deadline events: %v, want %q and fits:\n%s", err, want, out)
	}
	cmd = exec.Command(droverBin, "run", play, "-i", inv, "--known-hosts", f.KnownHostsPath(), "--state-dir", filepath.Join(dir, "state"))
	cmd.Env = env
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("drover run: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "e2e-secret") {
		t.Errorf("the secret key is in the output:\n%s", out)
	}
	for _, h := range f.Names() {
		rs, err := f.Reboots(h)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[scheduled[h]]; len(rs) != want {
			t.Errorf("%s: %d reboots, want %d (scheduled: %v)", h, len(rs), want, scheduled[h])
		}
	}
}
