package rollcheck

import "time"

// Window is one reboot of one host: down to up, from the host's records.
type Window struct {
	Down, Up time.Time
}

// BatchSizes groups windows sorted by Down into batches: a window that
// starts after every earlier window ended begins a new batch. It returns
// each batch's size.
func BatchSizes(ws []Window) []int {
	var sizes []int
	var lastUp time.Time
	for i, w := range ws {
		if i == 0 || w.Down.After(lastUp) {
			sizes = append(sizes, 0)
		}
		sizes[len(sizes)-1]++
		if w.Up.After(lastUp) {
			lastUp = w.Up
		}
	}
	return sizes
}
