package runner

import (
	"github.com/drover-sh/drover/modules"
	"strconv"
	"strings"
)

// cpuinfoKeys is the grep -E alternative (in factsScriptMore's one grep)
// for the /proc/cpuinfo lines Ansible's get_cpu_facts reads: the key is
// the text before the first colon, stripped.
const cpuinfoKeys = `^[[:space:]]*(model name|Processor|vendor_id|cpu|Vendor|processor|physical id|core id|cpu cores|siblings|# processors|ncpus active)[[:space:]]*(:|$)`

const dmiDir = "/sys/devices/virtual/dmi/id/"

// dmiFacts are Ansible's DMI facts (hardware/linux.py get_dmi_facts), in
// its order: the fact, its /sys/devices/virtual/dmi/id file and its
// dmidecode -s keyword (the fallback without the sysfs files).
var dmiFacts = [][3]string{
	{"bios_date", "bios_date", "bios-release-date"},
	{"bios_vendor", "bios_vendor", "bios-vendor"},
	{"bios_version", "bios_version", "bios-version"},
	{"board_asset_tag", "board_asset_tag", "baseboard-asset-tag"},
	{"board_name", "board_name", "baseboard-product-name"},
	{"board_serial", "board_serial", "baseboard-serial-number"},
	{"board_vendor", "board_vendor", "baseboard-manufacturer"},
	{"board_version", "board_version", "baseboard-version"},
	{"chassis_asset_tag", "chassis_asset_tag", "chassis-asset-tag"},
	{"chassis_serial", "chassis_serial", "chassis-serial-number"},
	{"chassis_vendor", "chassis_vendor", "chassis-manufacturer"},
	{"chassis_version", "chassis_version", "chassis-version"},
	{"form_factor", "chassis_type", "chassis-type"},
	{"product_name", "product_name", "system-product-name"},
	{"product_serial", "product_serial", "system-serial-number"},
	{"product_uuid", "product_uuid", "system-uuid"},
	{"product_version", "product_version", "system-version"},
	{"system_vendor", "sys_vendor", "system-manufacturer"},
}

// dmiFiles: the DMI files grep reads (the virtual collector's
// product_family, then dmiFacts'); dmidecodeKeywords: dmiFacts' keywords
// (TestDMIFactsLikeAnsible checks both against dmiFacts).
const (
	dmiFiles          = "/sys/devices/virtual/dmi/id/product_family /sys/devices/virtual/dmi/id/bios_date /sys/devices/virtual/dmi/id/bios_vendor /sys/devices/virtual/dmi/id/bios_version /sys/devices/virtual/dmi/id/board_asset_tag /sys/devices/virtual/dmi/id/board_name /sys/devices/virtual/dmi/id/board_serial /sys/devices/virtual/dmi/id/board_vendor /sys/devices/virtual/dmi/id/board_version /sys/devices/virtual/dmi/id/chassis_asset_tag /sys/devices/virtual/dmi/id/chassis_serial /sys/devices/virtual/dmi/id/chassis_vendor /sys/devices/virtual/dmi/id/chassis_version /sys/devices/virtual/dmi/id/chassis_type /sys/devices/virtual/dmi/id/product_name /sys/devices/virtual/dmi/id/product_serial /sys/devices/virtual/dmi/id/product_uuid /sys/devices/virtual/dmi/id/product_version /sys/devices/virtual/dmi/id/sys_vendor"
	dmidecodeKeywords = "bios-release-date bios-vendor bios-version baseboard-asset-tag baseboard-product-name baseboard-serial-number baseboard-manufacturer baseboard-version chassis-asset-tag chassis-serial-number chassis-manufacturer chassis-version chassis-type system-product-name system-serial-number system-uuid system-version system-manufacturer"
)

// formFactors is Ansible's FORM_FACTOR (the DMI chassis types).
var formFactors = []string{"Unknown", "Other", "Unknown", "Desktop",
	"Low Profile Desktop", "Pizza Box", "Mini Tower", "Tower",
	"Portable", "Laptop", "Notebook", "Hand Held", "Docking Station",
	"All In One", "Sub Notebook", "Space-saving", "Lunch Box",
	"Main Server Chassis", "Expansion Chassis", "Sub Chassis",
	"Bus Expansion Chassis", "Peripheral Chassis", "RAID Chassis",
	"Rack Mount Chassis", "Sealed-case PC", "Multi-system",
	"CompactPCI", "AdvancedTCA", "Blade", "Blade Enclosure",
	"Tablet", "Convertible", "Detachable", "IoT Gateway",
	"Embedded PC", "Mini PC", "Stick PC"}

// factsScriptHW gathers, after factsScriptHost, the inputs of the
// remaining facts (sections, as factsScriptHost's), with shell builtins
// but for uname -v, getconf LONG_BIT, getent (fqdn), and capsh
// when installed (Ansible runs it too):
//
//   - meminfo, cmdline, loadavg, the machine-id files, the ssh host
//     public keys of the first key directory Ansible would use (each
//     readable file: its path, then its lines), read by the shell;
//   - platform: uname -v, getconf LONG_BIT (Ansible: the Python
//     interpreter's bitness), /sys/hypervisor/type and,
//     on Xen only, the count of cpuinfo flags lines without vme;
//   - fqdn: Python's socket.getfqdn(): getent ahosts NAME (getaddrinfo,
//     its first address), then getent hosts ADDR (gethostbyaddr: name and
//     aliases); without getent, hostname -f;
//   - misc: apparmor's securityfs directory, debian_chroot, whether / is
//     pid 1's root (test -ef; when /proc/1/root is not accessible, non
//     root: the inode of /, for Ansible's fallback);
//   - caps: capsh --print and its exit status.
const factsScriptHW = `
echo '%%meminfo%%'
[ -r /proc/meminfo ] && c /proc/meminfo
echo '%%cmdline%%'
[ -r /proc/cmdline ] && c /proc/cmdline
echo '%%loadavg%%'
[ -r /proc/loadavg ] && c /proc/loadavg
echo '%%machine-id-dbus%%'
[ -r /var/lib/dbus/machine-id ] && c /var/lib/dbus/machine-id
echo '%%machine-id%%'
[ -r /etc/machine-id ] && c /etc/machine-id
for d in /etc/ssh /etc/openssh /etc; do for a in dsa rsa ecdsa ed25519; do f=$d/ssh_host_${a}_key.pub; [ -r "$f" ] && { echo '%%sshkey%%'; echo "$f"; c "$f"; }; done; done
echo '%%platform%%'
printf 'version='; uname -v 2>/dev/null || echo
printf 'bits='; getconf LONG_BIT 2>/dev/null || echo
[ -r /proc/cpuinfo ] && echo cpuinfo=1
v=; { read -r v < /sys/hypervisor/type; } 2>/dev/null; echo "hypervisor=$v"
if [ -e /proc/xen ] || [ "$v" = xen ]; then printf 'novme='; grep -s '^[[:space:]]*flags[[:space:]]*:' /proc/cpuinfo | grep -c -v vme; fi
n=$(uname -n 2>/dev/null); echo "node=$n"
echo '%%fqdn%%'
` + modules.FQDNScript + `echo '%%misc%%'
[ -e /sys/kernel/security/apparmor ] && echo apparmor
[ -n "${debian_chroot:-}" ] && echo debian_chroot
if [ -e /proc/1/root/. ]; then if [ / -ef /proc/1/root/. ]; then echo root=same; else echo root=other; fi
else printf 'rootino='; stat -c %i / 2>/dev/null || echo; fi
p=; command -v capsh >/dev/null 2>&1 && p=capsh
for p in $p /usr/sbin/capsh /sbin/capsh /usr/local/sbin/capsh; do if [ "$p" = capsh ] || [ -x "$p" ]; then echo '%%caps%%'; "$p" --print 2>/dev/null; r=$?; echo; echo '%%caps-rc%%'; echo $r; break; fi; done
true`

// kv is a section's key=value lines.
func kv(lines []string) map[string]string {
	m := map[string]string{}
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, "="); ok {
			if _, dup := m[k]; !dup {
				m[k] = v
			}
		} else {
			m[l] = ""
		}
	}
	return m
}

// fileContent is a section holding a file read by the shell as Ansible's
// get_file_content gives it: stripped, nil when empty (or absent).
func fileContent(lines []string) *string {
	s := strings.TrimSpace(strings.Join(lines, "\n"))
	if s == "" {
		return nil
	}
	return &s
}

// memoryFacts are Ansible's memory facts (get_memory_facts) from
// /proc/meminfo's lines: memtotal_mb, memfree_mb, swaptotal_mb,
// swapfree_mb and memory_mb (a value is nil, JSON null, when its line is
// missing). nil when meminfo was not readable.
func memoryFacts(meminfo []string, readable bool) map[string]any {
	if !readable {
		return nil
	}
	out := map[string]any{}
	stats := map[string]int{}
	for _, l := range meminfo {
		key, rest, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch key {
		case "MemTotal", "SwapTotal", "MemFree", "SwapFree", "Buffers", "Cached", "SwapCached":
		default:
			continue
		}
		f, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		n, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		mb := floorDiv(n, 1024)
		switch key {
		case "MemTotal", "SwapTotal", "MemFree", "SwapFree":
			out[strings.ToLower(key)+"_mb"] = mb
		}
		stats[strings.ToLower(key)] = mb
	}
	get := func(k string) any {
		if v, ok := stats[k]; ok {
			return v
		}
		return nil
	}
	has := func(ks ...string) bool {
		for _, k := range ks {
			if _, ok := stats[k]; !ok {
				return false
			}
		}
		return true
	}
	if has("memtotal", "memfree") {
		stats["real:used"] = stats["memtotal"] - stats["memfree"]
	}
	if has("cached", "memfree", "buffers") {
		stats["nocache:free"] = stats["cached"] + stats["memfree"] + stats["buffers"]
	}
	if has("memtotal", "nocache:free") {
		stats["nocache:used"] = stats["memtotal"] - stats["nocache:free"]
	}
	if has("swaptotal", "swapfree") {
		stats["swap:used"] = stats["swaptotal"] - stats["swapfree"]
	}
	out["memory_mb"] = map[string]any{
		"real":    map[string]any{"total": get("memtotal"), "used": get("real:used"), "free": get("memfree")},
		"nocache": map[string]any{"free": get("nocache:free"), "used": get("nocache:used")},
		"swap":    map[string]any{"total": get("swaptotal"), "free": get("swapfree"), "used": get("swap:used"), "cached": get("swapcached")},
	}
	return out
}

// floorDiv is Python's //.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// cpuFacts are Ansible's processor facts (get_cpu_facts) from the
// /proc/cpuinfo lines of its keys, whether cpuinfo is readable, the
// architecture, whether the host is a Xen one (/proc/xen or
// /sys/hypervisor/type) and, on Xen, the number of flags lines without
// vme (paravirtualized), and nproc (processor_nproc). nil when cpuinfo is
// not readable.
func cpuFacts(cpuinfo []string, readable bool, arch string, xen bool, novme int, nproc string) map[string]any {
	if !readable {
		return nil
	}
	out := map[string]any{}
	processor := []any{}
	i, vendorOcc, modelOcc, procOcc := 0, 0, 0, 0
	physid, coreid := "0", "0" // Python's 0 (an int key, never a cpuinfo string)
	physSet, coreSet := false, false
	type kvList struct {
		keys []string
		vals map[string]int
	}
	sockets := kvList{vals: map[string]int{}}
	cores := kvList{vals: map[string]int{}}
	set := func(l *kvList, k string, v int) {
		if _, ok := l.vals[k]; !ok {
			l.keys = append(l.keys, k)
		}
		l.vals[k] = v
	}
	has := func(l *kvList, k string) bool { _, ok := l.vals[k]; return ok }
	key := func(isSet bool, k string) string { // the int 0 and the string "0" differ
		if !isSet {
			return "\x00int0"
		}
		return k
	}
	for _, line := range cpuinfo {
		k, v, _ := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name", "Processor", "vendor_id", "cpu", "Vendor", "processor":
			processor = append(processor, v)
			switch k {
			case "vendor_id":
				vendorOcc++
			case "model name":
				modelOcc++
			case "processor":
				procOcc++
			}
			i++
		case "physical id":
			physid, physSet = v, true
			if !has(&sockets, key(physSet, physid)) {
				set(&sockets, key(physSet, physid), 1)
			}
		case "core id":
			coreid, coreSet = v, true
			// Ansible tests the core id against sockets (sic)
			if !has(&sockets, key(coreSet, coreid)) {
				set(&cores, key(coreSet, coreid), 1)
			}
		case "cpu cores":
			set(&sockets, key(physSet, physid), pyInt(v))
		case "siblings":
			set(&cores, key(coreSet, coreid), pyInt(v))
		case "# processors":
			out["processor_cores"] = pyInt(v)
		case "ncpus active":
			i = pyInt(v)
		}
	}
	out["processor"] = processor
	if vendorOcc > 0 && vendorOcc == modelOcc {
		i = vendorOcc
	}
	if strings.HasPrefix(arch, "armv") || strings.HasPrefix(arch, "aarch") || strings.HasPrefix(arch, "ppc") {
		i = procOcc
	}
	if arch == "s390x" {
		return out
	}
	if xen && novme > 0 {
		out["processor_count"], out["processor_cores"], out["processor_threads_per_core"], out["processor_vcpus"] = i, i, 1, i
		return out
	}
	count := i
	if len(sockets.keys) > 0 {
		count = len(sockets.keys)
	}
	coresN := 1
	if len(sockets.keys) > 0 && sockets.vals[sockets.keys[0]] != 0 {
		coresN = sockets.vals[sockets.keys[0]]
	}
	threads := floorDiv(1, coresN)
	if len(cores.keys) > 0 {
		threads = floorDiv(cores.vals[cores.keys[0]], coresN)
	}
	out["processor_count"], out["processor_cores"], out["processor_threads_per_core"] = count, coresN, threads
	out["processor_vcpus"] = threads * count * coresN
	out["processor_nproc"] = procOcc
	if n, err := strconv.Atoi(strings.TrimSpace(nproc)); err == nil && n > 0 {
		out["processor_nproc"] = n
	}
	return out
}

// pyInt is Python's int() of a cpuinfo value (0 when it is not one:
// Ansible's collector would fail there).
func pyInt(s string) int {
	n, _ := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	return n
}

// dmiFactsOf are Ansible's DMI facts: from the sysfs files (grep's
// PATH:LINE lines in in) when product_name exists, else from dmidecode
// -s (the dmis:KEYWORD success marks and dmi-KEYWORD: lines), else "NA".
func dmiFactsOf(in tagged) map[string]any {
	out := map[string]any{}
	sysfs := false
	for _, p := range in["exists"] {
		sysfs = sysfs || p == dmiDir+"product_name"
	}
	for _, d := range dmiFacts {
		var v *string
		if sysfs {
			v = fileContent(in[dmiDir+d[1]])
		} else {
			for _, k := range in["dmis"] {
				if k == d[2] {
					var kept []string
					for _, l := range in["dmi-"+d[2]] {
						if !strings.HasPrefix(l, "#") {
							kept = append(kept, l)
						}
					}
					s := strings.Join(kept, "")
					v = &s
				}
			}
		}
		switch {
		case v == nil:
			out[d[0]] = "NA"
		case d[0] == "form_factor" && sysfs:
			out[d[0]] = formFactor(*v)
		default:
			out[d[0]] = *v
		}
	}
	return out
}

// formFactor is FORM_FACTOR[int(data)] (Python indexing: a negative
// index counts from the end), "unknown (data)" out of range. A value
// that is not a number fails Ansible's collector; drover gives
// "unknown (data)".
func formFactor(data string) string {
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(data), "_", ""))
	if err == nil {
		if n < 0 {
			n += len(formFactors)
		}
		if n >= 0 && n < len(formFactors) {
			return formFactors[n]
		}
	}
	return "unknown (" + data + ")"
}

// fqdnFacts are Ansible's fqdn and domain (platform collector:
// socket.getfqdn(), the domain its part after the first dot) from the
// fqdn section: gethostbyaddr's "ADDR NAME ALIAS..." line (Python takes
// the first of the name and aliases with a dot, else the name), or
// "hostname-f NAME" without getent; node is the host name, getfqdn's
// answer when the look-up fails.
func fqdnFacts(sec []string, node string) map[string]any {
	line := ""
	if len(sec) > 0 {
		line = sec[0]
	}
	fqdn := modules.FQDN(line, node)
	_, domain, _ := strings.Cut(fqdn, ".")
	return map[string]any{"fqdn": fqdn, "domain": domain}
}

// cmdlineFacts are Ansible's cmdline and proc_cmdline (system/cmdline.py)
// from /proc/cmdline: shlex.split(posix=False) words, KEY=VALUE or KEY
// (true); cmdline keeps the last value of a key, proc_cmdline all of them
// (a list when repeated). nil for an empty cmdline.
func cmdlineFacts(content *string) map[string]any {
	if content == nil {
		return nil
	}
	words, ok := shlexNonPosix(*content)
	cmdline, proc := map[string]any{}, map[string]any{}
	if ok {
		for _, w := range words {
			k, v, hasV := strings.Cut(w, "=")
			if !hasV {
				cmdline[k], proc[k] = true, true
				continue
			}
			cmdline[k] = v
			switch cur := proc[k].(type) {
			case nil:
				proc[k] = v
			case []any:
				proc[k] = append(cur, v)
			default:
				if _, seen := proc[k]; seen {
					proc[k] = []any{cur, v}
				}
			}
		}
	}
	return map[string]any{"cmdline": cmdline, "proc_cmdline": proc}
}

// shlexNonPosix is Python's shlex.split(s, posix=False) (no comments,
// whitespace_split): words split at blanks; a quote starting a word
// starts a quoted token that ends at its closing quote (the quotes kept);
// a quote inside a word is an ordinary character. ok=false where Python
// raises ValueError (a quoted token without its closing quote).
func shlexNonPosix(s string) ([]string, bool) {
	var out []string
	var tok strings.Builder
	state := ' ' // ' ': between words, 'a': in a word, '"' or '\'': quoted
	isSpace := func(c rune) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for _, c := range s {
		switch state {
		case ' ':
			if isSpace(c) {
				continue
			}
			tok.WriteRune(c)
			state = 'a'
			if c == '"' || c == '\'' {
				state = c
			}
		case 'a':
			if isSpace(c) {
				out = append(out, tok.String())
				tok.Reset()
				state = ' '
				continue
			}
			tok.WriteRune(c)
		default: // quoted
			tok.WriteRune(c)
			if c == state {
				out = append(out, tok.String())
				tok.Reset()
				state = ' '
			}
		}
	}
	switch state {
	case 'a':
		out = append(out, tok.String())
	case '"', '\'':
		return nil, false
	}
	return out, true
}

// loadavgFacts is Ansible's loadavg from /proc/loadavg's first three
// fields (Ansible's os.getloadavg() reads the kernel's values at their
// full precision through glibc, /proc/loadavg has two decimals: the
// values differ by less than 0.01).
func loadavgFacts(content *string) map[string]any {
	if content == nil {
		return nil
	}
	f := strings.Fields(*content)
	if len(f) < 3 {
		return nil
	}
	out := map[string]any{}
	for i, k := range []string{"1m", "5m", "15m"} {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil
		}
		out[k] = v
	}
	return out
}

// sshKeyFacts are Ansible's ssh_host_key_ALGO_public and _keytype
// (system/ssh_pub_keys.py): the keys of /etc/ssh, else /etc/openssh, else
// /etc, with Ansible's stop rule (it stops at the first algorithm already
// found in an earlier directory). files: the readable key files' contents.
func sshKeyFacts(files map[string]*string) map[string]any {
	out := map[string]any{}
	for _, dir := range []string{"/etc/ssh", "/etc/openssh", "/etc"} {
		for _, algo := range []string{"dsa", "rsa", "ecdsa", "ed25519"} {
			name := "ssh_host_key_" + algo + "_public"
			if _, ok := out[name]; ok {
				return out
			}
			c := files[dir+"/ssh_host_"+algo+"_key.pub"]
			if c == nil {
				continue
			}
			f := strings.Fields(*c)
			if len(f) < 2 { // Ansible's collector fails
				continue
			}
			out[name], out[name+"_keytype"] = f[1], f[0]
		}
	}
	return out
}

// capsFacts are Ansible's system_capabilities and _enforced
// (system/caps.py) from capsh --print's output and exit status; "N/A"
// without capsh or when it fails.
func capsFacts(out []string, rc []string) map[string]any {
	facts := map[string]any{"system_capabilities": "N/A", "system_capabilities_enforced": "N/A"}
	if len(rc) == 0 || strings.TrimSpace(rc[0]) != "0" {
		return facts
	}
	enforced, caps := "NA", []any{}
	for _, l := range out {
		if !strings.HasPrefix(l, "Current:") {
			continue
		}
		parts := strings.Split(l, ":")
		if strings.TrimSpace(parts[1]) == "=ep" {
			enforced = "False"
			continue
		}
		enforced = "True"
		caps = []any{}
		if _, after, ok := strings.Cut(l, "="); ok {
			after, _, _ = strings.Cut(after, "=")
			for _, c := range strings.Split(after, ",") {
				caps = append(caps, strings.TrimSpace(c))
			}
		}
	}
	facts["system_capabilities"], facts["system_capabilities_enforced"] = caps, enforced
	return facts
}

// chrootFact is Ansible's is_chroot: debian_chroot set; else / is not pid
// 1's root; else (pid 1's root not accessible) the inode of / is not the
// root inode of its file system type (2; btrfs 256, xfs 128: Ansible asks
// stat -f, drover reads the type of / in the mount table).
func chrootFact(misc map[string]string, rootFS string) any {
	if _, ok := misc["debian_chroot"]; ok {
		return true
	}
	switch misc["root"] {
	case "same":
		return false
	case "other":
		return true
	}
	ino, err := strconv.Atoi(strings.TrimSpace(misc["rootino"]))
	if err != nil {
		return nil
	}
	want := 2
	if strings.Contains(rootFS, "btrfs") {
		want = 256
	} else if strings.Contains(rootFS, "xfs") {
		want = 128
	}
	return ino != want
}

// platformFacts are the platform collector's facts drover adds:
// kernel_version, machine, architecture (i386 for i?86, as Ansible's
// Solaris-minded pattern gives on Linux too), userspace_bits and
// userspace_architecture, machine_id.
func platformFacts(p map[string]string, machine string, dbusID, etcID *string) map[string]any {
	out := map[string]any{"kernel_version": p["version"], "machine": machine, "architecture": machine}
	bits := strings.TrimSpace(p["bits"])
	if bits != "" {
		out["userspace_bits"] = bits
	}
	isI86 := false
	for _, s := range []string{"i386", "i486", "i586", "i686", "i86pc"} {
		isI86 = isI86 || strings.Contains(machine, s)
	}
	if machine == "x86_64" || isI86 {
		if isI86 {
			out["architecture"] = "i386"
		}
		switch bits {
		case "64":
			out["userspace_architecture"] = "x86_64"
		case "32":
			out["userspace_architecture"] = "i386"
		}
	}
	id := dbusID
	if id == nil {
		id = etcID
	}
	if id != nil {
		first, _, _ := strings.Cut(*id, "\n")
		out["machine_id"] = first
	}
	return out
}

// rootFSType is the type of the last mount on / in the mtab section.
func rootFSType(mtab []string) string {
	t := ""
	for _, l := range mtab {
		if f := strings.Fields(l); len(f) >= 3 && f[1] == "/" {
			t = f[2]
		}
	}
	return t
}

// hwFacts are the facts of factsScriptHW's sections and the hardware
// lines of the tagged part: memory, processor, DMI, platform, fqdn and
// domain, cmdline, loadavg, ssh host keys, apparmor, is_chroot, caps.
// machine is uname -m, nproc nproc's count (Ansible's processor_nproc:
// sched_getaffinity, which nproc reads).
func hwFacts(in tagged, sec map[string][]string, order []section, machine, nproc string) map[string]any {
	out := map[string]any{}
	if _, ok := sec["meminfo"]; !ok { // not our output (an old script)
		return out
	}
	p := kv(sec["platform"])
	_, memReadable := sec["meminfo"]
	for k, v := range memoryFacts(sec["meminfo"], memReadable && len(sec["meminfo"]) > 0) {
		out[k] = v
	}
	_, cpuReadable := p["cpuinfo"]
	novme := -1
	if s, ok := p["novme"]; ok {
		novme = atoi(s)
	}
	xen := p["hypervisor"] == "xen"
	for _, e := range in["exists"] {
		xen = xen || e == "/proc/xen"
	}
	for k, v := range cpuFacts(in["/proc/cpuinfo"], cpuReadable, machine, xen, novme, nproc) {
		out[k] = v
	}
	for k, v := range dmiFactsOf(in) {
		out[k] = v
	}
	for k, v := range platformFacts(p, machine, fileContent(sec["machine-id-dbus"]), fileContent(sec["machine-id"])) {
		out[k] = v
	}
	for k, v := range fqdnFacts(sec["fqdn"], p["node"]) {
		out[k] = v
	}
	for k, v := range cmdlineFacts(fileContent(sec["cmdline"])) {
		out[k] = v
	}
	if l := loadavgFacts(fileContent(sec["loadavg"])); l != nil {
		out["loadavg"] = l
	}
	keys := map[string]*string{}
	for _, s := range order {
		if s.name == "sshkey" && len(s.lines) > 0 {
			keys[s.lines[0]] = fileContent(s.lines[1:])
		}
	}
	for k, v := range sshKeyFacts(keys) {
		out[k] = v
	}
	misc := kv(sec["misc"])
	status := "disabled"
	if _, ok := misc["apparmor"]; ok {
		status = "enabled"
	}
	out["apparmor"] = map[string]any{"status": status}
	if c := chrootFact(misc, rootFSType(sec["mtab"])); c != nil {
		out["is_chroot"] = c
	}
	for k, v := range capsFacts(sec["caps"], sec["caps-rc"]) {
		out[k] = v
	}
	return out
}
