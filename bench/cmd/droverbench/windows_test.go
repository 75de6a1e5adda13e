package main

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/drover-sh/drover/internal/rollcheck"
)

func TestWindowsSum(t *testing.T) {
	at := func(s float64) time.Time { return time.Unix(100, 0).Add(time.Duration(s * float64(time.Second))) }
	// Unsorted on purpose: two batches, longest windows 2.4 s and 2.25 s.
	ws := []rollcheck.Window{
		{Down: at(3), Up: at(5.25)},
		{Down: at(0), Up: at(2)},
		{Down: at(0.5), Up: at(2.9)},
		{Down: at(3.5), Up: at(5.5)},
	}
	sizes, sum := windowsSum(ws)
	if !slices.Equal(sizes, []int{2, 2}) || math.Abs(sum-4.65) > 1e-9 {
		t.Fatalf("windowsSum = %v, %v; want [2 2], 4.65", sizes, sum)
	}
	if sizes, sum := windowsSum(nil); len(sizes) != 0 || sum != 0 {
		t.Fatalf("windowsSum(nil) = %v, %v", sizes, sum)
	}
}

func TestConnectionFloor(t *testing.T) {
	for _, c := range []struct {
		hosts   int
		connCPU float64
		cores   int
		want    float64
	}{
		// 100 hosts: 4 batches of 25; 25 × 0.048 / 2 = 0.6 s > 0.2 s.
		{100, 0.048, 2, 4 * 2.6},
		// 20 hosts: 4 batches of 5; 5 × 0.048 / 2 = 0.12 s < 0.2 s.
		{20, 0.048, 2, 4 * 2.2},
		// 10 hosts: batches of 2, 2, 2, 2, 2 on one core: 0.096 < 0.2.
		{10, 0.048, 1, 5 * 2.2},
		// 7 hosts: batches of 1; 1 × 0.5 / 1 = 0.5.
		{7, 0.5, 1, 7 * 2.5},
		{100, 0, 2, 0},
	} {
		got := connectionFloor(c.hosts, 2*time.Second, c.connCPU, c.cores)
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("connectionFloor(%d, 2s, %v, %d) = %v, want %v", c.hosts, c.connCPU, c.cores, got, c.want)
		}
	}
}
