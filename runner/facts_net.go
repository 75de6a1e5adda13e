package runner

import (
	"encoding/binary"
	"net"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The probes of Ansible's get_default_interfaces (ip route get ADDR).
const (
	routeProbe4 = "8.8.8.8"
	routeProbe6 = "2404:6800:400a:800::1012"
)

// interfaceTypes is Ansible's LinuxNetwork.INTERFACE_TYPE (of
// /sys/class/net/X/type).
var interfaceTypes = map[string]string{"1": "ether", "32": "infiniband", "512": "ppp", "772": "loopback", "65534": "tunnel"}

// sysIface is what the shell read of /sys/class/net/NAME: the files
// (address, mtu, ..., bonding/mode, ...) and the entries (bridge=,
// bonding=, brif=PORT, ...), in order.
type sysIface struct {
	name  string
	files map[string]string
	brif  []string
}

func (s *sysIface) has(f string) bool { _, ok := s.files[f]; return ok }

// parseSysNet reads the sysnet section: "@ NAME", then "FILE=VALUE" lines.
func parseSysNet(lines []string) []*sysIface {
	var out []*sysIface
	for _, l := range lines {
		if name, ok := strings.CutPrefix(l, "@ "); ok {
			out = append(out, &sysIface{name: name, files: map[string]string{}})
			continue
		}
		if len(out) == 0 {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		cur := out[len(out)-1]
		if k == "brif" {
			cur.brif = append(cur.brif, v)
			continue
		}
		cur.files[k] = strings.TrimSpace(v)
	}
	return out
}

// ipAddrLines splits `ip addr show` into each device's address lines.
func ipAddrLines(lines []string) map[string][]string {
	out := map[string][]string{}
	dev := ""
	for _, l := range lines {
		if l == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			// "N: NAME[@PEER]: <FLAGS> ...", or a route get line
			f := strings.Fields(l)
			dev = ""
			if len(f) > 1 && strings.HasSuffix(f[0], ":") {
				if _, err := strconv.Atoi(strings.TrimSuffix(f[0], ":")); err == nil {
					name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
					dev = name
				}
			}
			continue
		}
		if dev != "" {
			out[dev] = append(out[dev], l)
		}
	}
	return out
}

// routeGet is Ansible's reading of `ip -4|-6 route get PROBE`: the first
// line of its output, which starts with the probe.
func routeGet(lines []string, probe string) map[string]any {
	out := map[string]any{}
	for _, l := range lines {
		words := strings.Fields(l)
		if len(words) == 0 || words[0] != probe {
			continue
		}
		for i := 0; i < len(words)-1; i++ {
			switch {
			case words[i] == "dev":
				out["interface"] = words[i+1]
			case words[i] == "src":
				out["address"] = words[i+1]
			case words[i] == "via" && words[i+1] != probe:
				out["gateway"] = words[i+1]
			}
		}
		break
	}
	return out
}

// isSecondary reports whether an address line of `ip addr show` is one
// `ip addr show secondary` lists (IFA_F_SECONDARY, which ip prints as
// "secondary" for IPv4 and "temporary" for IPv6).
func isSecondary(words []string) bool {
	if len(words) < 3 {
		return false
	}
	flag := "secondary"
	if words[0] == "inet6" {
		flag = "temporary"
	}
	// the last word of an inet line is its label
	return slices.Contains(words[2:len(words)-1], flag) || words[0] == "inet6" && words[len(words)-1] == flag
}

// networkFacts is Ansible's Linux network facts (ansible-core 2.14
// LinuxNetwork.populate): interfaces, one fact per interface,
// default_ipv4/6 and all_ipv4/6_addresses, from the sections
// factsScriptHost gathers (ip: `ip addr show` and the two route gets;
// sysnet; links). nil without ip (Ansible then gives no network facts).
// The interfaces are in /sys/class/net's sorted order (Ansible's is the
// directory's); ethtool's features and timestamping are not gathered.
func networkFacts(sec map[string][]string) map[string]any {
	ipOut, ok := sec["ip"]
	if !ok {
		return nil
	}
	def4, def6 := routeGet(ipOut, routeProbe4), routeGet(ipOut, routeProbe6)
	addrs := ipAddrLines(ipOut)
	links := map[string]string{} // /sys/class/net/X/device[...] -> target
	for _, l := range sec["links"] {
		left, target, ok := strings.Cut(l, " -> ")
		if f := strings.Fields(left); ok && len(f) > 0 {
			links[f[len(f)-1]] = target
		}
	}

	type entry struct {
		name string
		m    map[string]any
	}
	var ifaces []*entry
	index := map[string]*entry{}
	get := func(name string) map[string]any {
		if e, ok := index[name]; ok {
			return e.m
		}
		e := &entry{name, map[string]any{}}
		ifaces = append(ifaces, e)
		index[name] = e
		return e.m
	}
	set := func(name string, m map[string]any) { // interfaces[name] = m
		if e, ok := index[name]; ok {
			e.m = m
			return
		}
		e := &entry{name, m}
		ifaces = append(ifaces, e)
		index[name] = e
	}
	var all4, all6 []any

	for _, s := range parseSysNet(sec["sysnet"]) {
		device := s.name
		base := "/sys/class/net/" + device
		set(device, map[string]any{"device": device})
		dm := get(device)
		macaddress, hasMAC := s.files["address"]
		if hasMAC && macaddress != "" && macaddress != "00:00:00:00:00:00" {
			dm["macaddress"] = macaddress
		}
		if v, ok := s.files["mtu"]; ok {
			dm["mtu"] = atoi(v)
		}
		if v, ok := s.files["operstate"]; ok {
			dm["active"] = v != "down"
		}
		if t, ok := links[base+"/device/driver/module"]; ok {
			dm["module"] = path.Base(t)
		}
		if v, ok := s.files["type"]; ok {
			if t, ok := interfaceTypes[v]; ok {
				dm["type"] = t
			} else {
				dm["type"] = "unknown"
			}
		}
		if s.has("bridge") {
			dm["type"] = "bridge"
			ports := make([]any, 0, len(s.brif))
			for _, p := range s.brif {
				ports = append(ports, p)
			}
			dm["interfaces"] = ports
			if v, ok := s.files["bridge/bridge_id"]; ok {
				dm["id"] = v
			}
			if v, ok := s.files["bridge/stp_state"]; ok {
				dm["stp"] = v == "1"
			}
		}
		// Ansible reassigns its path variable to .../bonding/all_slaves_active
		// when a bond has a primary: the checks after it then find nothing.
		pathGone := false
		if s.has("bonding") {
			dm["type"] = "bonding"
			slaves := []any{}
			for _, w := range strings.Fields(s.files["bonding/slaves"]) {
				slaves = append(slaves, w)
			}
			dm["slaves"] = slaves
			for _, k := range []string{"mode", "miimon", "lacp_rate"} {
				if w := strings.Fields(s.files["bonding/"+k]); len(w) > 0 {
					dm[k] = w[0]
				}
			}
			if p := s.files["bonding/primary"]; p != "" {
				dm["primary"] = p
				pathGone = true
				if v, ok := s.files["bonding/all_slaves_active"]; ok {
					dm["all_slaves_active"] = v == "1"
				}
			}
		}
		if !pathGone {
			if v, ok := s.files["bonding_slave"]; ok {
				dm["perm_macaddress"] = v
			}
			if t, ok := links[base+"/device"]; ok {
				dm["pciid"] = path.Base(t)
			}
			if v, ok := s.files["speed"]; ok && v != "" {
				if n, err := strconv.Atoi(v); err == nil {
					dm["speed"] = n
				}
			}
			if v, ok := s.files["flags"]; ok {
				if n, err := strconv.ParseInt(strings.TrimPrefix(v, "0x"), 16, 64); err == nil {
					dm["promisc"] = n&0x100 > 0
				}
			}
		}

		parse := func(line string, secondary bool) {
			words := strings.Fields(line)
			if len(words) < 2 {
				return
			}
			switch words[0] {
			case "inet":
				var address, prefix, broadcast string
				if a, p, ok := strings.Cut(words[1], "/"); ok {
					address, prefix = a, p
					if len(words) > 3 && words[2] == "brd" {
						broadcast = words[3]
					}
				} else {
					address, prefix = words[1], "32"
				}
				ip := net.ParseIP(address).To4()
				plen, err := strconv.Atoi(prefix)
				if ip == nil || err != nil || plen < 0 || plen > 32 {
					return
				}
				addrBin := binary.BigEndian.Uint32(ip)
				maskBin := uint32((uint64(1) << 32) - (uint64(1) << 32 >> plen))
				netmask := net.IP(binary.BigEndian.AppendUint32(nil, maskBin)).String()
				network := net.IP(binary.BigEndian.AppendUint32(nil, addrBin&maskBin)).String()
				info := func() map[string]any {
					return map[string]any{"address": address, "broadcast": broadcast, "netmask": netmask, "network": network, "prefix": prefix}
				}
				iface := words[len(words)-1]
				if iface != device {
					set(iface, map[string]any{})
				}
				im := get(iface)
				if _, has := im["ipv4"]; !secondary && !has {
					im["ipv4"] = info()
				} else {
					l, _ := im["ipv4_secondaries"].([]any)
					im["ipv4_secondaries"] = append(l, info())
				}
				if secondary {
					dm := get(device)
					l, ok := dm["ipv4_secondaries"].([]any)
					if !ok {
						l = []any{}
					}
					if device != iface {
						l = append(l, info())
					}
					dm["ipv4_secondaries"] = l
				}
				if a, ok := def4["address"]; ok && a == address {
					def4["broadcast"], def4["netmask"], def4["network"], def4["prefix"] = broadcast, netmask, network, prefix
					def4["macaddress"] = macaddress
					def4["mtu"] = get(device)["mtu"]
					def4["type"] = typeOr(get(device))
					def4["alias"] = iface
				}
				if !strings.HasPrefix(address, "127.") {
					all4 = append(all4, address)
				}
			case "inet6":
				var address, prefix, scope string
				if len(words) > 5 && words[2] == "peer" {
					address = words[1]
					_, prefix, _ = strings.Cut(words[3], "/")
					scope = words[5]
				} else if len(words) > 3 {
					address, prefix, _ = strings.Cut(words[1], "/")
					scope = words[3]
				} else {
					return
				}
				dm := get(device)
				l, _ := dm["ipv6"].([]any)
				dm["ipv6"] = append(l, map[string]any{"address": address, "prefix": prefix, "scope": scope})
				if a, ok := def6["address"]; ok && a == address {
					def6["prefix"], def6["scope"] = prefix, scope
					def6["macaddress"] = macaddress
					def6["mtu"] = dm["mtu"]
					def6["type"] = typeOr(dm)
				}
				if address != "::1" {
					all6 = append(all6, address)
				}
			}
		}
		// ip addr show primary dev X, then ip addr show secondary dev X
		for _, second := range []bool{false, true} {
			for _, l := range addrs[device] {
				if isSecondary(strings.Fields(l)) == second {
					parse(l, second)
				}
			}
		}
	}

	out := map[string]any{}
	names := make([]any, 0, len(ifaces))
	for _, e := range ifaces {
		name := strings.ReplaceAll(e.name, ":", "_")
		names = append(names, name)
		out[name] = e.m
	}
	out["interfaces"] = names
	out["default_ipv4"] = def4
	out["default_ipv6"] = def6
	if all4 == nil {
		all4 = []any{}
	}
	if all6 == nil {
		all6 = []any{}
	}
	out["all_ipv4_addresses"] = all4
	out["all_ipv6_addresses"] = all6
	return out
}

func typeOr(m map[string]any) any {
	if t, ok := m["type"]; ok {
		return t
	}
	return "unknown"
}

// factName is the name Ansible gives a fact (its namespace turns - into
// _ in the names of the top-level facts).
func factName(k string) string { return strings.ReplaceAll(k, "-", "_") }
