package sshdtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ClientHosts tells where the host's current SSH connections come from: for
// each established TCP connection to the host's sshd, the name of the fleet
// host whose processes hold the client end ("" for a process outside the
// fleet, such as the test itself), sorted. A connection that h01's sshd
// forwards for a ProxyJump client shows as "h01".
//
// It reads /proc/net/tcp (the hosts share the machine's network namespace)
// and the file descriptors of the hosts' processes.
func (f *Fleet) ClientHosts(name string) ([]string, error) {
	h, err := f.host(name)
	if err != nil {
		return nil, err
	}
	inodes, err := clientSockets(netip.AddrPortFrom(h.addr, uint16(h.port)))
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	owner := map[string]string{} // socket inode -> host name
	for _, o := range f.hosts {
		for _, pid := range cgroupPids(o.cg) {
			fds, _ := os.ReadDir(filepath.Join("/proc", pid, "fd"))
			for _, fd := range fds {
				link, err := os.Readlink(filepath.Join("/proc", pid, "fd", fd.Name()))
				if err != nil {
					continue
				}
				if ino, ok := strings.CutPrefix(link, "socket:["); ok {
					owner[strings.TrimSuffix(ino, "]")] = o.name
				}
			}
		}
	}
	out := make([]string, 0, len(inodes))
	for _, ino := range inodes {
		out = append(out, owner[ino])
	}
	sort.Strings(out)
	return out, nil
}

// clientSockets returns the inodes of the established IPv4 TCP sockets
// whose remote end is dst.
func clientSockets(dst netip.AddrPort) ([]string, error) {
	data, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan() // header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "01" { // TCP_ESTABLISHED
			continue
		}
		rem, err := parseProcAddr(fields[2])
		if err != nil {
			return nil, fmt.Errorf("/proc/net/tcp: %w", err)
		}
		if rem == dst {
			out = append(out, fields[9])
		}
	}
	return out, sc.Err()
}

// parseProcAddr parses /proc/net/tcp's "0100007F:08AE": the address as a
// host-order 32-bit word of the network-order bytes, the port in host order.
func parseProcAddr(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok || len(a) != 8 {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	raw, err := hex.DecodeString(a)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad address %q: %w", s, err)
	}
	var b [4]byte
	binary.NativeEndian.PutUint32(b[:], binary.BigEndian.Uint32(raw))
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port %q: %w", s, err)
	}
	return netip.AddrPortFrom(netip.AddrFrom4(b), uint16(port)), nil
}

// cgroupPids lists the processes of a cgroup (none when it cannot be read).
func cgroupPids(cg string) []string {
	data, err := os.ReadFile(filepath.Join(cg, "cgroup.procs"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}
