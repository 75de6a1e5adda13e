package modules

import (
	"slices"
	"testing"
)

// FuzzSplitArgs: splitting never panics, and quoting the words it returns
// and splitting again gives the same words.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"echo hi", `a "b c" 'd e'`, `x\ y`, `"unterminated`, `'`, `a "\"q\"" \\`, "tab\tsep\nnl", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitArgs(s)
		if err != nil {
			return
		}
		again, err := SplitArgs(QuoteArgv(words))
		if err != nil {
			t.Fatalf("re-splitting %q: %v", QuoteArgv(words), err)
		}
		if len(words) == 0 && len(again) == 0 {
			return
		}
		if !slices.Equal(words, again) {
			t.Fatalf("%q: words %q, after quoting %q", s, words, again)
		}
	})
}
