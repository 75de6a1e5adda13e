package rollcheck

import (
	"slices"
	"testing"
	"time"
)

func TestBatchSizes(t *testing.T) {
	at := func(s float64) time.Time { return time.Unix(0, 0).Add(time.Duration(s * float64(time.Second))) }
	ws := []Window{
		{at(0), at(2)}, {at(0.1), at(2.5)}, // batch 1: overlapping
		{at(2.6), at(4)},                 // batch 2 starts after both ended
		{at(3), at(5)}, {at(4.5), at(6)}, // overlaps the batch so far
		{at(7), at(8)},
	}
	if got := BatchSizes(ws); !slices.Equal(got, []int{2, 3, 1}) {
		t.Fatalf("BatchSizes = %v, want [2 3 1]", got)
	}
	if got := BatchSizes(nil); len(got) != 0 {
		t.Fatalf("BatchSizes(nil) = %v", got)
	}
}
