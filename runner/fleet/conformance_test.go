package fleet

import (
	"testing"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/modules/conntest"
)

func TestConformanceDirect(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1, NoSSH: true})
	conntest.Run(t, func(t *testing.T) modules.Conn {
		c, err := f.Dialer().Dial(t.Context(), f.Target("host01"))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		return c
	})
}

func TestConformanceSSH(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1})
	conntest.Run(t, func(t *testing.T) modules.Conn {
		c, err := dialTestSSH(f, "host01")
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		return c
	})
}
