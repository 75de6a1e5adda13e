package runner

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// factsMark ends the positional lines of factsScript's output; the lines
// after it are tagged, TAG:VALUE (the virtualization inputs are grep's
// PATH:LINE).
const factsMark = "%%drover-facts%%"

// factsScriptMore gathers, in the same command as the rest, the inputs of
// Ansible's date_time, lsb and (Linux) virtual collectors, raw: the facts
// are computed from them by dateTimeFacts, lsbFacts and virtualFacts, as
// ansible-core 2.14 computes them.
//
//   - date: one `date` (C locale) for every local field, %N last as the
//     least portable (busybox may lack it; a musl strftime stops at the
//     first conversion it does not know); `date -u` only when %z is
//     unusable; the zone's January and July offsets and names (`date -d`,
//     GNU and busybox) for tz_dst, skipped in UTC.
//   - lsb: `lsb_release -a` when it is installed and exits 0, and
//     /etc/lsb-release.
//   - virtual: one grep of the /proc files Ansible reads for the lines it
//     can match, the DMI and /run/systemd/container files whole, pid 1's
//     container= variables (root only, as Ansible), the marker files,
//     vdsm (only with /rhev/), `dmidecode -s system-product-name` when
//     installed, `lscpu` only on s390.
//   - hardware (facts_hw.go): the same grep gives the /proc/cpuinfo lines
//     of Ansible's processor keys and every DMI file (unreadable: none);
//     without /sys/devices/virtual/dmi/id/product_name, `dmidecode -s`
//     for each DMI keyword (Ansible's fallback; rare: no sysfs DMI and
//     dmidecode installed).
//   - env: the session's environment (Ansible's env fact).
const factsScriptMore = `t() { while IFS= read -r l || [ -n "$l" ]; do printf '%s%s\n' "$1" "$l"; done; }
echo '` + factsMark + `'
d=$(LC_ALL=C date '+%Y|%m|%d|%H|%M|%S|%w|%W|%A|%Z|%z|%s|%N' 2>/dev/null); echo "date:$d"
case ${d#*|*|*|*|*|*|*|*|*|*|} in [+-][0-9][0-9][0-9][0-9]'|'*) ;; *) echo "dateu:$(LC_ALL=C date -u '+%Y|%m|%d|%H|%M|%S' 2>/dev/null)";; esac
case $d in *'|UTC|'*) ;; *) for m in 01 07; do echo "datez:$(LC_ALL=C date -d "${d%%|*}-$m-01 12:00" '+%z|%Z' 2>/dev/null)"; done;; esac
if command -v lsb_release >/dev/null 2>&1 && o=$(lsb_release -a 2>/dev/null); then printf '%s\n' "$o" | t lsb:; fi
if [ -r /etc/lsb-release ]; then t lsbf: < /etc/lsb-release; fi
g=$(grep -sE 'docker|lxc|containerd|^VxID:|QEMU Virtual CPU|User Mode Linux|UML|CHRP IBM pSeries|PowerVM Lx86|IBM/S390|control_d|^(kvm|vboxdrv|virtio) |` + cpuinfoKeys + `' /proc/1/cgroup /proc/self/status /proc/cpuinfo /proc/xen/capabilities /proc/modules; grep -s '' /run/systemd/container ` + dmiFiles + `)
printf '%s\n' "$g"
if [ -r /proc/1/environ ]; then tr '\0' '\n' 2>/dev/null < /proc/1/environ | grep container= | t /proc/1/environ:; fi
for p in /proc/vz /proc/lve /proc/bc /.dockerenv /.dockerinit /proc/xen /dev/kvm /sys/devices/virtual/dmi/id/product_name; do if [ -e $p ]; then echo "exists:$p"; fi; done
if [ -d /rhev/ ]; then echo exists:/rhev/; cat /proc/[0-9]*/comm 2>/dev/null | grep -qxE 'vdsmd?' && echo vdsm:; fi
p=; command -v dmidecode >/dev/null 2>&1 && p=dmidecode
for p in $p /usr/sbin/dmidecode /sbin/dmidecode /usr/local/sbin/dmidecode; do if [ "$p" = dmidecode ] || [ -x "$p" ]; then o=$("$p" -s system-product-name 2>/dev/null) && { echo dmidecode-ok:; printf '%s\n' "$o" | t dmidecode:; }
  [ -e /sys/devices/virtual/dmi/id/product_name ] || for k in ` + dmidecodeKeywords + `; do o=$("$p" -s $k 2>/dev/null) && { echo "dmis:$k"; printf '%s\n' "$o" | t "dmi-$k:"; }; done; break; fi; done
env 2>/dev/null | t env:
case $g in *'/proc/cpuinfo:vendor_id'*IBM/S390*) if command -v lscpu >/dev/null 2>&1; then echo lscpu-bin:; o=$(lscpu 2>/dev/null) && printf '%s\n' "$o" | t lscpu:; fi;; esac
true`

// tagged is the tagged part of the facts output: the values of each tag
// in order.
type tagged map[string][]string

func parseTagged(lines []string) tagged {
	out := tagged{}
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, ":"); ok {
			out[k] = append(out[k], v)
		}
	}
	return out
}

// first is the tag's first value ("" without one).
func (t tagged) first(k string) string {
	if v := t[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// content is a file's text as Ansible's get_file_content reads it
// (stripped; "" for a missing, unreadable or empty file).
func (t tagged) content(path string) string {
	return strings.TrimSpace(strings.Join(t[path], "\n"))
}

var (
	twoDigits = regexp.MustCompile(`^[0-9]{2}$`)
	tzOffset  = regexp.MustCompile(`^[+-][0-9]{4}$`)
	intRe     = regexp.MustCompile(`^-?[0-9]+$`)
	nanosRe   = regexp.MustCompile(`^[0-9]{9}$`)
)

// parseOffset is a %z offset (+0130) in seconds.
func parseOffset(s string) (int64, bool) {
	if !tzOffset.MatchString(s) {
		return 0, false
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	off := int64(h*3600 + m*60)
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

func formatOffset(sec int64) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
}

// wallClock reads "Y|m|d|H|M|S" (the first six fields) as a wall-clock
// time (in UTC: only its fields and differences matter).
func wallClock(f []string) (time.Time, bool) {
	if len(f) < 6 {
		return time.Time{}, false
	}
	y, err := strconv.Atoi(f[0])
	if err != nil || y < 1 || len(f[0]) < 4 {
		return time.Time{}, false
	}
	var n [5]int
	limits := [5][2]int{{1, 12}, {1, 31}, {0, 23}, {0, 59}, {0, 60}}
	for i := range n {
		if !twoDigits.MatchString(f[i+1]) {
			return time.Time{}, false
		}
		n[i], _ = strconv.Atoi(f[i+1])
		if n[i] < limits[i][0] || n[i] > limits[i][1] {
			return time.Time{}, false
		}
	}
	return time.Date(y, time.Month(n[0]), n[1], n[2], n[3], n[4], 0, time.UTC), true
}

// dateTimeFacts is Ansible's ansible_date_time (every value a string)
// from the host's `date` line (Y|m|d|H|M|S|%w|%W|%A|%Z|%z|%s|%N), the
// `date -u` line (only when %z did not work) and the zone's January and
// July "%z|%Z". A field date could not give is computed from the others
// (epoch from the local time and offset, offset from the local time and
// epoch or UTC time, weekday and week number from the date); the
// microseconds are 000000 without %N; tz_dst is tz when the zone cannot
// be probed. nil when date gave no usable local time.
func dateTimeFacts(local, utc string, zones []string) map[string]any {
	f := strings.Split(local, "|")
	lt, ok := wallClock(f)
	if !ok {
		return nil
	}
	for len(f) < 13 {
		f = append(f, "")
	}
	out := map[string]any{
		"year": f[0], "month": f[1], "day": f[2], "hour": f[3], "minute": f[4], "second": f[5],
		"date":                f[0] + "-" + f[1] + "-" + f[2],
		"time":                f[3] + ":" + f[4] + ":" + f[5],
		"iso8601_basic_short": f[0] + f[1] + f[2] + "T" + f[3] + f[4] + f[5],
	}
	wd := lt.Weekday()
	if f[6] >= "0" && f[6] <= "6" && len(f[6]) == 1 {
		out["weekday_number"] = f[6]
	} else {
		out["weekday_number"] = strconv.Itoa(int(wd))
	}
	if twoDigits.MatchString(f[7]) {
		out["weeknumber"] = f[7]
	} else { // strftime %W: weeks starting on Monday, 00 before the first
		out["weeknumber"] = fmt.Sprintf("%02d", (lt.YearDay()-1+7-(int(wd)+6)%7)/7)
	}
	if slices.Contains([]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}, f[8]) {
		out["weekday"] = f[8]
	} else {
		out["weekday"] = wd.String()
	}
	tz := f[9]
	if strings.Contains(tz, "%") {
		tz = ""
	}
	out["tz"] = tz
	micro := "000000"
	if nanosRe.MatchString(f[12]) {
		micro = f[12][:6]
	}
	out["iso8601_basic"] = out["iso8601_basic_short"].(string) + micro

	off, offOK := parseOffset(f[10])
	epoch, err := strconv.ParseInt(f[11], 10, 64)
	epochOK := err == nil && intRe.MatchString(f[11])
	roundMin := func(s int64) int64 { return int64(math.Round(float64(s)/60)) * 60 }
	switch {
	case offOK && !epochOK:
		epoch, epochOK = lt.Unix()-off, true
	case !offOK && epochOK:
		off, offOK = roundMin(lt.Unix()-epoch), true
	case !offOK && !epochOK:
		if ut, ok := wallClock(strings.Split(utc, "|")); ok {
			off, offOK = roundMin(lt.Unix()-ut.Unix()), true
			epoch, epochOK = lt.Unix()-off, true
		}
	}
	if offOK {
		out["tz_offset"] = formatOffset(off)
	}
	if epochOK {
		s := strconv.FormatInt(epoch, 10)
		out["epoch"], out["epoch_int"] = s, s
		u := time.Unix(epoch, 0).UTC().Format("2006-01-02T15:04:05")
		out["iso8601"] = u + "Z"
		out["iso8601_micro"] = u + "." + micro + "Z"
	}
	// tz_dst as Python's time.tzname[1]: the name of January or July,
	// whichever is ahead (July when neither is: the zone's only name).
	out["tz_dst"] = tz
	if len(zones) == 2 {
		jo, jn, ok1 := strings.Cut(zones[0], "|")
		uo, un, ok2 := strings.Cut(zones[1], "|")
		janOff, ok3 := parseOffset(jo)
		julOff, ok4 := parseOffset(uo)
		if ok1 && ok2 && ok3 && ok4 && jn != "" && un != "" {
			out["tz_dst"] = un
			if janOff > julOff {
				out["tz_dst"] = jn
			}
		}
	}
	return out
}

// lsbReleaseKeys and lsbFileKeys map the markers of `lsb_release -a` and
// /etc/lsb-release lines to lsb keys, first match wins (Ansible's order:
// an "LSB Version:" line is read as the release, a later "Release:" wins).
var (
	lsbReleaseKeys = [][2]string{{"LSB Version:", "release"}, {"Distributor ID:", "id"}, {"Description:", "description"}, {"Release:", "release"}, {"Codename:", "codename"}}
	lsbFileKeys    = [][2]string{{"DISTRIB_ID", "id"}, {"DISTRIB_RELEASE", "release"}, {"DISTRIB_DESCRIPTION", "description"}, {"DISTRIB_CODENAME", "codename"}}
)

// lsbFields reads "marker<sep>value" lines into m by keys.
func lsbFields(m map[string]string, lines []string, sep string, keys [][2]string) {
	for _, line := range lines {
		_, v, ok := strings.Cut(line, sep)
		if !ok {
			continue
		}
		for _, k := range keys {
			if strings.Contains(line, k[0]) {
				m[k[1]] = strings.TrimSpace(v)
				break
			}
		}
	}
}

// lsbFacts is Ansible's ansible_lsb: from `lsb_release -a` (bin), else
// from /etc/lsb-release (file); major_release from release; quotes and
// backslashes stripped from the ends of the values. {} without either.
func lsbFacts(bin, file []string) map[string]any {
	m := map[string]string{}
	lsbFields(m, bin, ":", lsbReleaseKeys)
	if len(m) == 0 {
		lsbFields(m, file, "=", lsbFileKeys)
	}
	if r, ok := m["release"]; ok {
		m["major_release"], _, _ = strings.Cut(r, ".")
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = strings.Trim(v, `'"\`)
	}
	return out
}

// The patterns Ansible's Linux virtual collector matches lines with.
var (
	reCgroupDocker     = regexp.MustCompile(`/docker(/|-[0-9a-f]+\.scope)`)
	reCgroupLXC        = regexp.MustCompile(`/lxc/|/machine.slice/machine-lxc`)
	reCgroupContainerd = regexp.MustCompile(`/system.slice/containerd.service`)
	reVxID             = regexp.MustCompile(`^VxID:\s+\d+`)
	reVxID0            = regexp.MustCompile(`^VxID:\s+0`)
	cpuinfoTech        = []struct {
		re   *regexp.Regexp
		tech string
	}{
		{regexp.MustCompile(`^model name.*QEMU Virtual CPU`), "kvm"},
		{regexp.MustCompile(`^vendor_id.*User Mode Linux`), "uml"},
		{regexp.MustCompile(`^model name.*UML`), "uml"},
		{regexp.MustCompile(`^machine.*CHRP IBM pSeries .emulated by qemu.`), "kvm"},
		{regexp.MustCompile(`^vendor_id.*PowerVM Lx86`), "powervm_lx86"},
		{regexp.MustCompile(`^vendor_id.*IBM/S390`), "PR/SM"},
	}
)

// virtualFacts is Ansible's Linux virtualization_type, _role,
// _tech_guest and _tech_host (ansible-core 2.14's LinuxVirtual, check for
// check and in its order, which decides between several matches), from
// the tagged inputs factsScriptMore gathers. "NA" for both when nothing
// matches. The tech lists are sorted (Ansible's are sets).
func virtualFacts(in tagged) map[string]any {
	var typ, role string
	hasRole, found := false, false
	guest, host := map[string]bool{}, map[string]bool{}
	exists := func(p string) bool { return slices.Contains(in["exists"], p) }
	setTR := func(t, r string) {
		typ, role, hasRole, found = t, r, true, true
	}
	setRole := func(r string) { role, hasRole = r, true }

	// lxc/docker/containerd from pid 1's cgroups
	for _, l := range in["/proc/1/cgroup"] {
		if reCgroupDocker.MatchString(l) {
			guest["docker"] = true
			if !found {
				setTR("docker", "guest")
			}
		}
		if reCgroupLXC.MatchString(l) {
			guest["lxc"] = true
			if !found {
				setTR("lxc", "guest")
			}
		}
		if reCgroupContainerd.MatchString(l) {
			guest["containerd"] = true
			if !found {
				setTR("containerd", "guest")
			}
		}
	}
	// container= in pid 1's environment (root only)
	for _, l := range in["/proc/1/environ"] {
		if strings.Contains(l, "container=lxc") {
			guest["lxc"] = true
			if !found {
				setTR("lxc", "guest")
			}
		}
		if strings.Contains(l, "container=podman") {
			guest["podman"] = true
			if !found {
				setTR("podman", "guest")
			}
		}
		if strings.HasPrefix(l, "container=") && len(l) > len("container=") {
			guest["container"] = true
			if !found {
				setTR("container", "guest")
			}
		}
	}
	if exists("/proc/vz") && !exists("/proc/lve") {
		typ = "openvz"
		if exists("/proc/bc") {
			host["openvz"] = true
			if !found {
				setRole("host")
			}
		} else {
			guest["openvz"] = true
			if !found {
				setRole("guest")
			}
		}
		found = true
	}
	sc := in.content("/run/systemd/container")
	if sc != "" {
		guest[sc] = true
		if !found {
			setTR(sc, "guest")
		}
	}
	if exists("/.dockerenv") || exists("/.dockerinit") {
		guest["docker"] = true
		if !found {
			setTR("docker", "guest")
		}
	}
	if guest["docker"] || guest["lxc"] || guest["podman"] || guest["openvz"] || guest["containerd"] || sc != "" {
		guest["container"] = true
	}
	if exists("/proc/xen") {
		xenHost := slices.ContainsFunc(in["/proc/xen/capabilities"], func(l string) bool { return strings.Contains(l, "control_d") })
		if xenHost {
			host["xen"] = true
			if !found {
				setTR("xen", "host")
			}
		} else if !found {
			setTR("xen", "guest")
		}
		found = true
	}

	// DMI: guests (the role is assumed, and dropped when nothing matches)
	if !found {
		setRole("guest")
	}
	productName := in.content("/sys/devices/virtual/dmi/id/product_name")
	sysVendor := in.content("/sys/devices/virtual/dmi/id/sys_vendor")
	productFamily := in.content("/sys/devices/virtual/dmi/id/product_family")
	biosVendor := in.content("/sys/devices/virtual/dmi/id/bios_vendor")
	dmi := func(cond bool, tech string) {
		if cond {
			guest[tech] = true
			if !found {
				typ, found = tech, true
			}
		}
	}
	dmi(slices.Contains([]string{"KVM", "KVM Server", "Bochs", "AHV"}, productName), "kvm")
	dmi(sysVendor == "oVirt", "oVirt")
	dmi(sysVendor == "Red Hat" && productFamily == "RHV", "RHV")
	dmi(sysVendor == "Red Hat" && productFamily != "RHV" && productName == "RHEV Hypervisor", "RHEV")
	dmi(productName == "VMware Virtual Platform" || productName == "VMware7,1", "VMware")
	dmi(productName == "OpenStack Compute" || productName == "OpenStack Nova", "openstack")
	dmi(biosVendor == "Xen", "xen")
	dmi(biosVendor == "innotek GmbH", "virtualbox")
	dmi(slices.Contains([]string{"Amazon EC2", "DigitalOcean", "Hetzner"}, biosVendor), "kvm")
	dmi(slices.Contains([]string{"QEMU", "Amazon EC2", "DigitalOcean", "Google", "Scaleway", "Nutanix"}, sysVendor), "kvm")
	dmi(sysVendor == "KubeVirt", "KubeVirt")
	dmi(sysVendor == "Microsoft Corporation", "VirtualPC")
	dmi(sysVendor == "Parallels Software International Inc.", "parallels")
	dmi(sysVendor == "OpenStack Foundation", "openstack")
	if !found {
		role, hasRole = "", false
	}

	for _, l := range in["/proc/self/status"] {
		if !reVxID.MatchString(l) {
			continue
		}
		if !found {
			typ = "linux_vserver"
		}
		if reVxID0.MatchString(l) {
			host["linux_vserver"] = true
			if !found {
				setRole("host")
			}
		} else {
			guest["linux_vserver"] = true
			if !found {
				setRole("guest")
			}
		}
		found = true
	}

	for _, l := range in["/proc/cpuinfo"] {
		i := slices.IndexFunc(cpuinfoTech, func(c struct {
			re   *regexp.Regexp
			tech string
		}) bool {
			return c.re.MatchString(l)
		})
		if i < 0 {
			continue
		}
		tech := cpuinfoTech[i].tech
		guest[tech] = true
		if !found {
			typ = tech
		}
		if tech == "PR/SM" {
			if in["lscpu-bin"] != nil {
				for _, ll := range in["lscpu"] {
					k, v, _ := strings.Cut(ll, ":")
					if strings.TrimSpace(k) == "Hypervisor" {
						v = strings.TrimSpace(v)
						guest[v] = true
						if !found {
							typ = v
						}
					}
				}
			} else {
				guest["ibm_systemz"] = true
				if !found {
					typ = "ibm_systemz"
				}
			}
		}
		if !found {
			if typ == "PR/SM" {
				setRole("LPAR")
			} else {
				setRole("guest")
			}
		}
		found = true
	}

	// kernel modules: hosts (virtio: a guest)
	mods := map[string]bool{}
	for _, l := range in["/proc/modules"] {
		name, _, _ := strings.Cut(l, " ")
		mods[name] = true
	}
	if mods["kvm"] {
		host["kvm"] = true
		if !found {
			typ = "kvm"
			setRole("host")
		}
		if exists("/rhev/") && in["vdsm"] != nil {
			host["RHEV"] = true
			if !found {
				typ = "RHEV"
			}
		}
		found = true
	}
	if mods["vboxdrv"] {
		host["virtualbox"] = true
		if !found {
			setTR("virtualbox", "host")
		}
	}
	if mods["virtio"] {
		host["kvm"] = true
		if !found {
			setTR("kvm", "guest")
		}
	}

	if in["dmidecode-ok"] != nil {
		var name []string
		for _, l := range in["dmidecode"] {
			if !strings.HasPrefix(l, "#") {
				name = append(name, strings.TrimSpace(l))
			}
		}
		if strings.HasPrefix(strings.Join(name, ""), "VMware") {
			guest["VMware"] = true
			if !found {
				setTR("VMware", "guest")
			}
		}
		if strings.Contains(strings.Join(in["dmidecode"], "\n"), "BHYVE") {
			guest["bhyve"] = true
			if !found {
				setTR("bhyve", "guest")
			}
		}
	}
	if exists("/dev/kvm") {
		host["kvm"] = true
		if !found {
			setTR("kvm", "host")
		}
	}
	if !found {
		setTR("NA", "NA")
	}
	out := map[string]any{
		"virtualization_type":       typ,
		"virtualization_tech_guest": sortedSet(guest),
		"virtualization_tech_host":  sortedSet(host),
	}
	if hasRole {
		out["virtualization_role"] = role
	}
	return out
}

func sortedSet(s map[string]bool) []any {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// moreFacts are the facts of the tagged part of the output: date_time,
// lsb and, on Linux, the virtualization facts.
func moreFacts(lines []string, system string) map[string]any {
	in := parseTagged(lines)
	out := map[string]any{"lsb": lsbFacts(in["lsb"], in["lsbf"])}
	if dt := dateTimeFacts(in.first("date"), in.first("dateu"), in["datez"]); dt != nil {
		out["date_time"] = dt
	}
	if system == "Linux" {
		for k, v := range virtualFacts(in) {
			out[k] = v
		}
	}
	out["env"] = envFacts(in["env"])
	return out
}

// envFacts is the env fact from `env`'s lines: NAME=value, a line without
// = continuing the value before (a value with a newline).
func envFacts(lines []string) map[string]any {
	env := map[string]any{}
	last := ""
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, "="); ok && k != "" && !strings.ContainsAny(k, " \t") {
			env[k], last = v, k
		} else if last != "" {
			env[last] = env[last].(string) + "\n" + l
		}
	}
	return env
}
