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
