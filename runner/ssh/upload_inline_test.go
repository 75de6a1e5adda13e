package ssh

import (
	"bytes"
	"os/exec"
	"testing"
)

// Every byte value survives printfEscape through a real /bin/sh printf.
func TestPrintfEscapeAllBytes(t *testing.T) {
	var b []byte
	for i := 0; i < 256; i++ {
		b = append(b, byte(i))
	}
	b = append(b, "\n'quoted' \\back\\slash %s %b\n\n"...)
	out, err := exec.Command("/bin/sh", "-c", "printf '%b' "+printfEscape(b)).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, b) {
		t.Fatalf("round trip differs:\n got %q\nwant %q", out, b)
	}
}
