package runner

import (
	"github.com/drover-sh/drover/internal/rollcheck"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner/fleet"
)

const rollPlay = `
- name: roll
  hosts: all
  serial: %s
  pre_reboot:
    - name: drain
      shell: echo drained > lb
  reboot:
    reboot_timeout: 30
  post_reboot:
    - name: mark
      shell: cat /proc/sys/kernel/random/boot_id > post-boot-id && echo serving > lb
`

func play(serial string) string { return strings.Replace(rollPlay, "%s", serial, 1) }

// batchesFromHosts groups the hosts' reboot windows into batches.
func batchesFromHosts(ws []window) []int {
	cw := make([]rollcheck.Window, len(ws))
	for i, w := range ws {
		cw[i] = rollcheck.Window{Down: w.down, Up: w.up}
	}
	return rollcheck.BatchSizes(cw)
}

func TestRollingBatchSizes(t *testing.T) {
	for _, tc := range []struct {
		serial string
		want   []int
	}{
		{"2", []int{2, 2, 2}},
		{`"50%"`, []int{3, 3}},
		{`[1, "50%"]`, []int{1, 3, 2}},
	} {
		t.Run(tc.serial, func(t *testing.T) {
			f := testFleet(t, 6, 1, 200*time.Millisecond, nil)
			res, _ := runPlay(t, f, play(tc.serial), nil)
			for _, h := range res.Hosts {
				if h.Status != StatusChanged {
					t.Errorf("%s: %s %s", h.Name, h.Status, h.Msg)
				}
			}
			ws := rebootWindows(f)
			if len(ws) != 6 {
				t.Fatalf("reboots recorded by hosts: %d, want 6", len(ws))
			}
			got := batchesFromHosts(ws)
			if len(got) != len(tc.want) {
				t.Fatalf("batches from the hosts' reboot records: %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("batches from the hosts' reboot records: %v, want %v", got, tc.want)
				}
			}
			for _, name := range f.Hosts() {
				fh, _ := f.Host(name)
				b, err := os.ReadFile(filepath.Join(fh.Root, "post-boot-id"))
				if err != nil {
					t.Fatalf("%s: post-reboot marker: %v", name, err)
				}
				if strings.TrimSpace(string(b)) != f.BootID(name) || f.BootID(name) == f.Reboots(name)[0].OldBootID {
					t.Errorf("%s: post-reboot task saw boot id %q, host's is %q", name, b, f.BootID(name))
				}
			}
		})
	}
}

func TestDisruptionBudgetOnePerRack(t *testing.T) {
	f := testFleet(t, 8, 2, 200*time.Millisecond, nil)
	text := strings.Replace(play("8"), "  serial: 8\n", "  serial: 8\n  disruption_budget: {per: rack, max_unavailable: 1}\n", 1)
	res, _ := runPlay(t, f, text, nil)
	if res.Stopped != "" {
		t.Fatalf("stopped: %s", res.Stopped)
	}
	ws := rebootWindows(f)
	if len(ws) != 8 {
		t.Fatalf("reboots: %d", len(ws))
	}
	rack := map[string]string{}
	for _, h := range fleetHosts(f) {
		rack[h.Name] = h.Vars["rack"].(string)
	}
	for i := range ws {
		for j := i + 1; j < len(ws); j++ {
			a, b := ws[i], ws[j]
			if rack[a.host] == rack[b.host] && a.down.Before(b.up) && b.down.Before(a.up) {
				t.Errorf("%s and %s of rack %s were down at once", a.host, b.host, rack[a.host])
			}
		}
	}
	if got := batchesFromHosts(ws); len(got) != 4 || got[0] != 2 {
		t.Errorf("batches %v, want 4 batches of 2 (one host per rack)", got)
	}
}

func TestNeverReturnsStopsRoll(t *testing.T) {
	f := testFleet(t, 6, 1, 200*time.Millisecond, map[string]fleet.Fault{"host03": {NeverReturn: true}})
	text := strings.Replace(play("2"), "reboot_timeout: 30", "reboot_timeout: 2", 1)
	text = strings.Replace(text, "  serial: 2\n", "  serial: 2\n  max_fail_percentage: 0\n", 1)
	res, _ := runPlay(t, f, text, nil)
	st := status(res)
	if st["host03"] != StatusFailed {
		t.Errorf("host03: %s, want failed", st["host03"])
	}
	if res.Stopped == "" {
		t.Fatal("roll not stopped")
	}
	for _, h := range []string{"host05", "host06"} {
		if n := len(f.Reboots(h)); n != 0 {
			t.Errorf("%s rebooted %d times after the roll should have stopped", h, n)
		}
		if st[h] != StatusStopped {
			t.Errorf("%s: %s, want stopped", h, st[h])
		}
	}
	if len(f.Reboots("host01")) != 1 || len(f.Reboots("host02")) != 1 {
		t.Error("first batch not rebooted")
	}
}

func TestHealthGateStopsNextBatch(t *testing.T) {
	f := testFleet(t, 4, 1, 100*time.Millisecond, map[string]fleet.Fault{"host02": {HealthFail: true}})
	text := play("2") + `  health_gate:
    - name: healthy
      command: healthcheck
`
	res, rec := runPlay(t, f, text, nil)
	if !strings.Contains(res.Stopped, "health gate") {
		t.Fatalf("stopped = %q, want a health gate stop", res.Stopped)
	}
	for _, h := range []string{"host03", "host04"} {
		if n := len(f.Reboots(h)); n != 0 {
			t.Errorf("%s rebooted after a failed health gate", h)
		}
	}
	if g := rec.of(EvGateResult); len(g) != 1 || g[0].Status != StatusFailed {
		t.Errorf("gate events: %+v", g)
	}
}

func TestBlockRescueAlwaysAndHandlers(t *testing.T) {
	f := testFleet(t, 2, 1, 100*time.Millisecond, nil)
	text := `
- hosts: all
  tasks:
    - block:
        - command: "false"
        - shell: touch not-reached
      rescue:
        - shell: touch rescued
          notify: restart app
      always:
        - shell: touch always
    - shell: echo {{ inventory_hostname }} > name
      register: out
      changed_when: false
    - shell: touch when-ran
      when: out.rc == 0 and 'host' in inventory_hostname
    - shell: touch when-skipped
      when: out.rc != 0
  handlers:
    - name: restart app
      shell: touch handler-ran
`
	res, _ := runPlay(t, f, text, nil)
	for _, h := range res.Hosts {
		if h.Status == StatusFailed {
			t.Fatalf("%s failed: %s", h.Name, h.Msg)
		}
		fh, _ := f.Host(h.Name)
		for file, want := range map[string]bool{"rescued": true, "always": true, "not-reached": false, "handler-ran": true, "when-ran": true, "when-skipped": false} {
			_, err := os.Stat(filepath.Join(fh.Root, file))
			if (err == nil) != want {
				t.Errorf("%s: file %s exists=%v, want %v", h.Name, file, err == nil, want)
			}
		}
		if h.Stats.Rescued != 1 {
			t.Errorf("%s: rescued=%d", h.Name, h.Stats.Rescued)
		}
	}
}
