package ssh

import (
	"testing"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/modules/conntest"
)

// TestConformance runs the shared modules.Conn suite against the in-process
// test server.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	d := f.dialer(t, f.config())
	conntest.Run(t, func(t *testing.T) modules.Conn {
		c, err := d.Dial(t.Context(), f.target())
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
}
