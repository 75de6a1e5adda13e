package main

import (
	"github.com/drover-sh/drover/internal/rollcheck"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// Batch sizes on 12 real sshd hosts, read from the hosts' own reboot
// records, for int, percentage and list serial.
func TestE2ESerialForms(t *testing.T) {
	f := sshdtest.StartT(t, 12, sshdtest.Options{Racks: 1, RebootDelay: 700 * time.Millisecond})
	for _, tc := range []struct {
		serial string
		want   []int
	}{
		{"4", []int{4, 4, 4}},
		{`"25%"`, []int{3, 3, 3, 3}},
		{`[1, 2, "50%"]`, []int{1, 2, 6, 3}},
	} {
		t.Run(tc.serial, func(t *testing.T) {
			before := bootIDs(f)
			seen := map[string]int{}
			for _, h := range f.Names() {
				rs, _ := f.Reboots(h)
				seen[h] = len(rs)
			}
			play := writePlay(t, tc.serial, "")
			out, err := droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
			if err != nil {
				t.Fatalf("drover run: %v\n%s", err, out)
			}
			var ws []hostWindow
			for _, w := range windows(t, f) {
				rs, _ := f.Reboots(w.host)
				if len(rs) > seen[w.host] && !w.down.Before(rs[seen[w.host]].Down) {
					ws = append(ws, w)
				}
			}
			got := batchSizes(ws)
			if len(got) != len(tc.want) {
				t.Fatalf("batches from the hosts' records %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("batches from the hosts' records %v, want %v", got, tc.want)
				}
			}
			for _, h := range f.Names() {
				if f.BootID(h) == before[h] {
					t.Errorf("%s: boot id unchanged", h)
				}
			}
		})
	}
}

// batchSizes groups the hosts' reboot windows into batches.
func batchSizes(ws []hostWindow) []int {
	cw := make([]rollcheck.Window, len(ws))
	for i, w := range ws {
		cw[i] = rollcheck.Window{Down: w.down, Up: w.up}
	}
	return rollcheck.BatchSizes(cw)
}

// A host that never comes back stops the roll at its batch with
// max_fail_percentage: 0; a failing health gate stops the next batch.
func TestE2ERollStops(t *testing.T) {
	t.Run("never returns", func(t *testing.T) {
		f := sshdtest.StartT(t, 12, sshdtest.Options{Racks: 1, RebootDelay: 500 * time.Millisecond})
		if err := f.SetFault("h05", sshdtest.Fault{NeverReturn: true}); err != nil {
			t.Fatal(err)
		}
		play := writePlay(t, "4", "")
		playText := strings.Replace(readFile(t, play), "reboot_timeout: 60", "reboot_timeout: 4", 1)
		writeFile(t, play, playText)
		out, err := droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitStopped {
			t.Fatalf("exit %v, want %d\n%s", err, exitStopped, out)
		}
		for i, h := range f.Names() {
			rs, _ := f.Reboots(h)
			switch {
			case i < 4 && len(rs) != 1:
				t.Errorf("%s (batch 1): %d reboots", h, len(rs))
			case i >= 8 && len(rs) != 0:
				t.Errorf("%s (batch 3, after the stop): %d reboots", h, len(rs))
			}
		}
	})
	t.Run("health gate", func(t *testing.T) {
		f := sshdtest.StartT(t, 12, sshdtest.Options{Racks: 1, RebootDelay: 500 * time.Millisecond})
		if err := f.SetFault("h02", sshdtest.Fault{HealthFail: true}); err != nil {
			t.Fatal(err)
		}
		play := writePlay(t, "6", "")
		text := readFile(t, play)
		// the app check moves to the gate: the batch's hosts must be healthy
		text = strings.Replace(text, "      register: health\n      until: health.rc == 0\n      retries: 3\n      delay: 1\n", "      ignore_errors: true\n", 1)
		text += "  health_gate:\n    - name: batch healthy\n      command: healthcheck\n"
		writeFile(t, play, text)
		out, err := droverCmd(f, t.TempDir()+"/state", "run", play).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitStopped {
			t.Fatalf("exit %v, want %d\n%s", err, exitStopped, out)
		}
		if !strings.Contains(string(out), "health gate failed on h02") {
			t.Errorf("no gate failure reason in output:\n%s", out)
		}
		for i, h := range f.Names() {
			rs, _ := f.Reboots(h)
			if want := map[bool]int{true: 1, false: 0}[i < 6]; len(rs) != want {
				t.Errorf("%s: %d reboots, want %d", h, len(rs), want)
			}
		}
	})
}
