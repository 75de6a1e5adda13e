package modules

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedDiffMatchesDiffU(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Fatal("diff(1) is needed for this test")
	}
	var long []string
	for i := 0; i < 30; i++ {
		long = append(long, "line "+string(rune('a'+i%26)))
	}
	lj := strings.Join(long, "\n") + "\n"
	cases := [][2]string{
		{"a\nb\nc\n", "a\nB\nc\n"},
		{"", "new\n"},
		{"old\n", ""},
		{"a\nb", "a\nb\n"},
		{lj, strings.Replace(strings.Replace(lj, "line c", "LINE C", 1), "line z", "", 1)},
		{lj, "head\n" + lj + "tail\n"},
	}
	dir := t.TempDir()
	for i, c := range cases {
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		writeFile(t, a, c[0], 0o644)
		writeFile(t, b, c[1], 0o644)
		out, _ := exec.Command("diff", "-u", "--label", "x", "--label", "y", a, b).Output()
		got := UnifiedDiff(c[0], c[1], "x", "y")
		if got != string(out) {
			t.Errorf("case %d:\n--- got\n%s\n--- diff -u\n%s", i, got, out)
		}
	}
	if UnifiedDiff("same", "same", "x", "y") != "" {
		t.Error("equal texts must give no diff")
	}
}
