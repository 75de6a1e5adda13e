package sshdtest

import (
	"slices"
	"testing"
)

func TestHostAddrs(t *testing.T) {
	addrs, err := hostAddrs("127.0.0.254", 3)
	if err != nil {
		t.Fatal(err)
	}
	got := addrs[0].String() + " " + addrs[1].String() + " " + addrs[2].String()
	if got != "127.0.0.254 127.0.0.255 127.0.1.0" {
		t.Errorf("got %s", got)
	}
	for _, bad := range []string{"10.0.0.1", "127.0.0.1", "127.255.255.254", "::1", "nonsense"} {
		n := 1
		if bad == "127.255.255.254" {
			n = 2 // runs past the loopback block
		}
		if _, err := hostAddrs(bad, n); err == nil {
			t.Errorf("hostAddrs(%q, %d) accepted", bad, n)
		}
	}
}

func TestNamesAndRacks(t *testing.T) {
	if got := hostName(0, 12); got != "h01" {
		t.Errorf("hostName(0, 12) = %s", got)
	}
	if got := hostName(4, 120); got != "h005" {
		t.Errorf("hostName(4, 120) = %s", got)
	}
	var racks []int
	for i := 0; i < 6; i++ {
		racks = append(racks, rackOf(i, 6, 3))
	}
	if want := []int{1, 1, 2, 2, 3, 3}; !slices.Equal(racks, want) {
		t.Errorf("racks %v, want %v", racks, want)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{Hosts: 0},
		{Hosts: 2, Racks: 3},
		{Hosts: 1, Port: 70000},
		{Hosts: MaxAutoHosts + 1},
		{Hosts: 1, FirstAddr: "192.168.1.1"},
	} {
		if _, err := o.withDefaults(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	o, err := Options{Hosts: 2}.withDefaults()
	if err != nil || o.Port != DefaultPort || o.Racks != 1 {
		t.Errorf("defaults: %+v, %v", o, err)
	}
}
