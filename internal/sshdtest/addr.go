package sshdtest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// slotLockDir holds one lock file per block of addresses, so that fleets
// of concurrent test processes never pick the same block. A fixed path (not
// $TMPDIR) so that every process agrees on it.
const slotLockDir = "/tmp/drover-sshdtest-slots"

// maxSlots bounds the automatic search: blocks 127.0.0.2, 127.0.1.2, ...
const maxSlots = 512

// allocateAddrs picks the hosts' addresses and checks that they are free on
// port. It returns a release function for the block's lock.
func allocateAddrs(opts Options) ([]netip.Addr, func(), error) {
	if opts.FirstAddr != "" {
		addrs, err := hostAddrs(opts.FirstAddr, opts.Hosts)
		if err != nil {
			return nil, nil, err
		}
		if err := addrsFree(addrs, opts.Port); err != nil {
			return nil, nil, err
		}
		return addrs, func() {}, nil
	}
	if err := os.MkdirAll(slotLockDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("sshdtest: %w", err)
	}
	first := netip.MustParseAddr(DefaultFirstAddr).As4()
	var lastErr error
	for slot := 0; slot < maxSlots; slot++ {
		a := first
		a[1], a[2] = byte(slot>>8), byte(slot)
		release, ok, err := lockSlot(slot)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		addrs, err := hostAddrs(netip.AddrFrom4(a).String(), opts.Hosts)
		if err == nil {
			err = addrsFree(addrs, opts.Port)
		}
		if err == nil {
			return addrs, release, nil
		}
		lastErr = err
		release()
	}
	return nil, nil, fmt.Errorf("sshdtest: no free block of %d loopback addresses on port %d: %w", opts.Hosts, opts.Port, lastErr)
}

// lockSlot takes the slot's lock without waiting; ok is false when another
// process holds it. The lock dies with the process.
func lockSlot(slot int) (release func(), ok bool, err error) {
	path := filepath.Join(slotLockDir, "slot-"+strconv.Itoa(slot)+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, false, fmt.Errorf("sshdtest: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("sshdtest: lock %s: %w", path, err)
	}
	return func() { f.Close() }, true, nil
}

// addrsFree checks that nothing listens on any addr:port, by binding it.
func addrsFree(addrs []netip.Addr, port int) error {
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a, uint16(port)).String()
		l, err := net.Listen("tcp4", ap)
		if err != nil {
			return fmt.Errorf("sshdtest: %s is not free: %w", ap, err)
		}
		l.Close()
	}
	return nil
}
