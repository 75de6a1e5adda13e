package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/drover-sh/drover/internal/rollcheck"
	"github.com/drover-sh/drover/internal/sshdtest"
)

// rebootWindows reads back, from the hosts' own reboots.log, the reboots
// that began after since: how many batches they formed and the sum over
// batches of the batch's longest down-to-up window. That sum is the
// rolling reboot's floor as the hosts measured it: the simulated delay plus
// whatever the hosts took to come back on this machine (sshd's start under
// load), which the nominal floor, batches × (delay + 0.2 s), leaves out.
func rebootWindows(fl *sshdtest.Fleet, since time.Time) (batches int, sum float64, err error) {
	var ws []rollcheck.Window
	for _, n := range fl.Names() {
		rs, err := fl.Reboots(n)
		if err != nil {
			return 0, 0, err
		}
		for _, r := range rs {
			if !r.Down.Before(since) {
				ws = append(ws, rollcheck.Window{Down: r.Down, Up: r.Up})
			}
		}
	}
	if len(ws) == 0 {
		return 0, 0, fmt.Errorf("no reboot recorded by the hosts since %s", since.Format(time.TimeOnly))
	}
	sizes, sum := windowsSum(ws)
	return len(sizes), sum, nil
}

// windowsSum groups windows into batches (rollcheck.BatchSizes, after
// sorting them by Down) and sums each batch's longest window, in seconds.
func windowsSum(ws []rollcheck.Window) (sizes []int, sum float64) {
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b rollcheck.Window) int { return a.Down.Compare(b.Down) })
	sizes = rollcheck.BatchSizes(ws)
	i := 0
	for _, n := range sizes {
		var longest time.Duration
		for _, w := range ws[i : i+n] {
			longest = max(longest, w.Up.Sub(w.Down))
		}
		sum += longest.Seconds()
		i += n
	}
	return sizes, sum
}
