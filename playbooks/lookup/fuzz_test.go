package lookup

import (
	"strings"
	"testing"
)

// FuzzWithSequence: any with_sequence string gives items or an error,
// never a panic, and the items are what the spec's numbers allow (bounded).
func FuzzWithSequence(f *testing.F) {
	for _, s := range []string{"start=1 end=5", "count=3 start=0 stride=5 format=web%02d", "4-8/2:host%s", "3",
		"start=0x0a end=0x0c format=%x", "start=5 end=1 stride=-2", "count=0", "end=3 format=%d-%d", "-", "1-", "/", ":",
		"start=9223372036854775807 end=9223372036854775807", "format=%%%d end=2", "end=2 format=%v%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		items, err := Run("sequence", []any{spec}, Options{})
		if err != nil {
			if len(items) != 0 {
				t.Fatalf("%q: error %v with items", spec, err)
			}
			return
		}
		if len(items) > 1_000_001 {
			t.Fatalf("%q: %d items", spec, len(items))
		}
		for _, it := range items {
			if s, ok := it.(string); !ok || strings.Contains(s, "%!") {
				t.Fatalf("%q: item %#v", spec, it)
			}
		}
	})
}
