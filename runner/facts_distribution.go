package runner

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// factsScriptDist gathers, after factsScriptHW, the inputs of Ansible's
// distribution facts (system/distribution.py and the distro library it
// uses), raw, with shell builtins only (no process):
//
//   - every readable regular file /etc/*[-_]release and /etc/*[-_]version
//     (Ansible's distribution file list, distro's distro-release
//     candidates, /etc/os-release and /etc/debian_version among them),
//     /usr/lib/os-release when it is not /etc/os-release (same-os-release
//     then), /etc/coreos/update.conf: a %%distfile%% section each, its
//     path, then its lines;
//   - whether /etc/products.d/baseproduct links to a *SLES_SAP.prod;
//
// /etc/lsb-release and `lsb_release -a` come from factsScriptMore (lsbf:
// and lsb: lines).
const factsScriptDist = `
echo '%%dist%%'
s=; [ /usr/lib/os-release -ef /etc/os-release ] && s=1 && echo same-os-release
[ -L /etc/products.d/baseproduct ] && for p in /etc/products.d/*SLES_SAP.prod; do [ /etc/products.d/baseproduct -ef "$p" ] && echo sles-sap; done
for f in /etc/*[-_]release /etc/*[-_]version /usr/lib/os-release /etc/coreos/update.conf; do
  case $f in /etc/lsb-release) continue;; /usr/lib/os-release) [ -n "$s" ] && continue;; esac
  [ -f "$f" ] && [ -r "$f" ] && { echo '%%distfile%%'; echo "$f"; c "$f"; }
done
echo '%%dist-end%%'
true`

// distInput is what the facts script sent for the distribution facts.
type distInput struct {
	files  map[string][]string // a readable regular file's lines (none: empty)
	lsbBin []string            // `lsb_release -a` (nil: not installed or failed)
	sap    bool                // /etc/products.d/baseproduct is SLES_SAP.prod
}

// distInputOf reads the distribution inputs off the tagged part (lsb:,
// lsbf:) and the sections of the facts output.
func distInputOf(in tagged, sec map[string][]string, order []section) distInput {
	d := distInput{files: map[string][]string{}, lsbBin: in["lsb"]}
	for _, s := range order {
		if s.name == "distfile" && len(s.lines) > 0 {
			d.files[s.lines[0]] = s.lines[1:]
		}
	}
	if l := in["lsbf"]; len(l) > 0 {
		d.files["/etc/lsb-release"] = l
	}
	flags := kv(sec["dist"])
	if _, ok := flags["same-os-release"]; ok {
		if l, ok := d.files["/etc/os-release"]; ok {
			d.files["/usr/lib/os-release"] = l
		}
	}
	_, d.sap = flags["sles-sap"]
	return d
}

// exists is Ansible's _file_exists: the file is there and, unless
// allowEmpty, not empty.
func (d distInput) exists(path string, allowEmpty bool) bool {
	l, ok := d.files[path]
	return ok && (allowEmpty || len(l) > 0)
}

// content is get_file_content(path): the text stripped.
func (d distInput) content(path string) string {
	return strings.TrimSpace(strings.Join(d.files[path], "\n"))
}

// text is the file's text as read (its lines, each ended by a newline).
func (d distInput) text(path string) string {
	l := d.files[path]
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\n") + "\n"
}

// errPython stands for an exception ansible-core's distribution collector
// raises on these inputs: the collector then gives no fact at all.
type errPython string

func (e errPython) Error() string { return string(e) }

// distroLib is the distro library (1.8; see distributionFacts) on a
// host's inputs: the os-release, lsb_release and distro-release data
// sources.
type distroLib struct {
	osr, lsb, rel map[string]string
	debianVersion string
}

// The distro library's normalization tables and patterns.
var (
	normalizedOSID     = map[string]string{"ol": "oracle", "opensuse-leap": "opensuse"}
	normalizedLSBID    = map[string]string{"enterpriseenterpriseas": "oracle", "enterpriseenterpriseserver": "oracle", "redhatenterpriseworkstation": "rhel", "redhatenterpriseserver": "rhel", "redhatenterprisecomputenode": "rhel"}
	normalizedDistroID = map[string]string{"redhat": "rhel"}
	distroReleaseRevRe = regexp.MustCompile(`^(?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)`)
	distroReleaseName  = regexp.MustCompile(`^(\w+)[-_](release|version)$`)
	distroIgnored      = []string{"debian_version", "lsb-release", "oem-release", "os-release", "system-release", "plesk-release", "iredmail-release"}
	osReleaseCodename  = regexp.MustCompile(`\((\D+)\)|,\s*(\D+)`)
	distroVersionParts = regexp.MustCompile(`^(\d+)\.?(\d+)?\.?(\d+)?`)
)

func newDistroLib(in distInput) (*distroLib, error) {
	d := &distroLib{lsb: map[string]string{}, rel: map[string]string{}}
	// /etc/os-release, else /usr/lib/os-release when that is a file
	osrPath := "/etc/os-release"
	if _, ok := in.files[osrPath]; !ok {
		if _, ok := in.files["/usr/lib/os-release"]; ok {
			osrPath = "/usr/lib/os-release"
		}
	}
	d.osr = map[string]string{}
	if _, ok := in.files[osrPath]; ok {
		var err error
		if d.osr, err = parseOSRelease(in.text(osrPath)); err != nil {
			return nil, err
		}
	}
	for _, line := range in.lsbBin {
		if k, v, ok := strings.Cut(line, ":"); ok {
			d.lsb[strings.ToLower(strings.ReplaceAll(k, " ", "_"))] = pyStrip(v)
		}
	}
	// the first /etc/*[-_](release|version) (sorted) whose first line
	// gives a name
	var names []string
	for p := range in.files {
		if b, ok := strings.CutPrefix(p, "/etc/"); ok && !strings.Contains(b, "/") && !slices.Contains(distroIgnored, b) && distroReleaseName.MatchString(b) {
			names = append(names, b)
		}
	}
	slices.Sort(names)
	for _, b := range names {
		lines := in.files["/etc/"+b]
		if len(lines) == 0 {
			continue
		}
		info := parseDistroRelease(lines[0], true)
		if _, ok := info["name"]; !ok {
			continue
		}
		info["id"] = distroReleaseName.FindStringSubmatch(b)[1]
		if strings.Contains(strings.ToLower(info["name"]), "cloudlinux") {
			info["id"] = "cloudlinux"
		}
		d.rel = info
		break
	}
	if l := in.files["/etc/debian_version"]; len(l) > 0 {
		d.debianVersion = strings.TrimRightFunc(l[0], isPySpace)
	}
	return d, nil
}

// parseDistroRelease is distro's _parse_distro_release_content: name,
// version_id and codename of a line "NAME release VERSION (CODENAME)"
// (matched reversed). nonEmpty: the line as read is not "".
func parseDistroRelease(line string, nonEmpty bool) map[string]string {
	info := map[string]string{}
	s := pyStrip(line)
	if m := distroReleaseRevRe.FindStringSubmatch(reverse(s)); m != nil {
		info["name"] = reverse(m[3])
		if m[2] != "" {
			info["version_id"] = reverse(m[2])
		}
		if m[1] != "" {
			info["codename"] = reverse(m[1])
		}
	} else if nonEmpty {
		info["name"] = s
	}
	return info
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// parseOSRelease is distro's _parse_os_release_content: the KEY=value
// words of Python's shlex (posix, whitespace_split), keys lower-cased;
// codename from version_codename, ubuntu_codename or "(NAME)" in VERSION.
func parseOSRelease(text string) (map[string]string, error) {
	words, err := shlexWords(text)
	if err != nil {
		return nil, err
	}
	props := map[string]string{}
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			props[strings.ToLower(k)] = v
		}
	}
	if v, ok := props["version"]; ok {
		if m := osReleaseCodename.FindStringSubmatch(v); m != nil {
			c := m[1]
			if c == "" {
				c = m[2]
			}
			props["codename"], props["release_codename"] = c, c
		}
	}
	if v, ok := props["version_codename"]; ok {
		props["codename"] = v
	} else if v, ok := props["ubuntu_codename"]; ok {
		props["codename"] = v
	}
	return props, nil
}

// shlexWords is list(shlex.shlex(text, posix=True)) with whitespace_split
// (Python's state machine: # comments, ' and " quotes, \ escapes, \
// inside "" only before " or \).
func shlexWords(text string) ([]string, error) {
	const ws = " \t\r\n"
	var words []string
	state := ' '
	for state != 0 { // one read_token
		var tok strings.Builder
		quoted := false
		escaped := ' '
	token:
		for {
			c, size := utf8.DecodeRuneInString(text)
			eof := text == ""
			text = text[size:]
			skipLine := func() {
				if i := strings.IndexByte(text, '\n'); i >= 0 {
					text = text[i+1:]
				} else {
					text = ""
				}
			}
			switch {
			case state == ' ':
				switch {
				case eof:
					state = 0
					break token
				case strings.ContainsRune(ws, c):
					if tok.Len() > 0 || quoted {
						break token
					}
				case c == '#':
					skipLine()
				case c == '\\':
					escaped, state = 'a', c
				case c == '\'' || c == '"':
					state = c
				default:
					tok.WriteRune(c)
					state = 'a'
				}
			case state == '\'' || state == '"':
				quoted = true
				switch {
				case eof:
					return nil, errPython("shlex: No closing quotation")
				case c == state:
					state = 'a'
				case c == '\\' && state == '"':
					escaped, state = state, c
				default:
					tok.WriteRune(c)
				}
			case state == '\\':
				if eof {
					return nil, errPython("shlex: No escaped character")
				}
				if (escaped == '\'' || escaped == '"') && c != state && c != escaped {
					tok.WriteRune(state)
				}
				tok.WriteRune(c)
				state = escaped
			default: // 'a'
				switch {
				case eof:
					state = 0
					break token
				case strings.ContainsRune(ws, c):
					state = ' '
					if tok.Len() > 0 || quoted {
						break token
					}
				case c == '#':
					skipLine()
					state = ' '
					if tok.Len() > 0 || quoted {
						break token
					}
				case c == '\'' || c == '"':
					state = c
				case c == '\\':
					escaped, state = 'a', c
				default:
					tok.WriteRune(c)
				}
			}
		}
		if tok.Len() == 0 && !quoted {
			break
		}
		words = append(words, tok.String())
	}
	return words, nil
}

// isPySpace is Python's str.isspace for a character.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// pyStrip is Python's str.strip().
func pyStrip(s string) string { return strings.TrimFunc(s, isPySpace) }

// pySplitLines is Python's str.splitlines().
func pySplitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool {
			switch r {
			case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
				return true
			}
			return false
		})
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i])
		_, n := utf8.DecodeRuneInString(s[i:])
		if strings.HasPrefix(s[i:], "\r\n") {
			n = 2
		}
		s = s[i+n:]
	}
	return out
}

// pyCapitalize is Python's str.capitalize().
func pyCapitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + strings.ToLower(s[n:])
}

func (d *distroLib) id() string {
	norm := func(id string, table map[string]string) string {
		id = strings.ReplaceAll(strings.ToLower(id), " ", "_")
		if v, ok := table[id]; ok {
			return v
		}
		return id
	}
	switch {
	case d.osr["id"] != "":
		return norm(d.osr["id"], normalizedOSID)
	case d.lsb["distributor_id"] != "":
		return norm(d.lsb["distributor_id"], normalizedLSBID)
	case d.rel["id"] != "":
		return norm(d.rel["id"], normalizedDistroID)
	}
	return "" // uname -rs: Linux gives none
}

// version is distro.version(best=best): the first version of the
// sources, or the one with the most dots.
func (d *distroLib) version(best bool) string {
	versions := []string{d.osr["version_id"], d.lsb["release"], d.rel["version_id"],
		parseDistroRelease(d.osr["pretty_name"], d.osr["pretty_name"] != "")["version_id"],
		parseDistroRelease(d.lsb["description"], d.lsb["description"] != "")["version_id"], ""}
	if d.id() == "debian" || slices.Contains(strings.Fields(d.osr["id_like"]), "debian") {
		versions = append(versions, d.debianVersion)
	}
	version := ""
	for _, v := range versions {
		if best {
			if strings.Count(v, ".") > strings.Count(version, ".") || version == "" {
				version = v
			}
		} else if v != "" {
			return v
		}
	}
	return version
}

func (d *distroLib) codename() string {
	if c, ok := d.osr["codename"]; ok {
		return c
	}
	if c := d.lsb["codename"]; c != "" {
		return c
	}
	return d.rel["codename"]
}

// Ansible's distribution file list, in its order (DistributionFiles).
var osDistList = []struct {
	path, name string
	allowEmpty bool
}{
	{"/etc/altlinux-release", "Altlinux", false}, {"/etc/oracle-release", "OracleLinux", false},
	{"/etc/slackware-version", "Slackware", false}, {"/etc/centos-release", "CentOS", false},
	{"/etc/redhat-release", "RedHat", false}, {"/etc/vmware-release", "VMwareESX", true},
	{"/etc/openwrt_release", "OpenWrt", false}, {"/etc/os-release", "Amazon", false},
	{"/etc/system-release", "Amazon", false}, {"/etc/alpine-release", "Alpine", false},
	{"/etc/arch-release", "Archlinux", true}, {"/etc/os-release", "Archlinux", false},
	{"/etc/os-release", "SUSE", false}, {"/etc/SuSE-release", "SUSE", false},
	{"/etc/gentoo-release", "Gentoo", false}, {"/etc/os-release", "Debian", false},
	{"/etc/lsb-release", "Debian", false}, {"/etc/lsb-release", "Mandriva", false},
	{"/etc/sourcemage-release", "SMGL", false}, {"/usr/lib/os-release", "ClearLinux", false},
	{"/etc/coreos/update.conf", "Coreos", false}, {"/etc/os-release", "Flatcar", false},
	{"/etc/os-release", "NA", false},
}

var distSearchString = map[string]string{"OracleLinux": "Oracle Linux", "RedHat": "Red Hat", "Altlinux": "ALT", "SMGL": "Source Mage GNU/Linux"}

// osFamilyOf is Ansible's OS_FAMILY_MAP, by distribution.
var osFamilyOf = func() map[string]string {
	m := map[string]string{}
	for fam, names := range map[string][]string{
		"RedHat": {"RedHat", "RHEL", "Fedora", "CentOS", "Scientific", "SLC", "Ascendos", "CloudLinux", "PSBM", "OracleLinux", "OVS",
			"OEL", "Amazon", "Virtuozzo", "XenServer", "Alibaba", "EulerOS", "openEuler", "AlmaLinux", "Rocky", "TencentOS",
			"EuroLinux", "Kylin Linux Advanced Server"},
		"Debian": {"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan", "Kali", "Cumulus Linux",
			"Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin", "OSMC"},
		"Suse":       {"SuSE", "SLES", "SLED", "openSUSE", "openSUSE Tumbleweed", "SLES_SAP", "SUSE_LINUX", "openSUSE Leap"},
		"Archlinux":  {"Archlinux", "Antergos", "Manjaro"},
		"Mandrake":   {"Mandrake", "Mandriva"},
		"Solaris":    {"Solaris", "Nexenta", "OmniOS", "OpenIndiana", "SmartOS"},
		"Slackware":  {"Slackware"},
		"Altlinux":   {"Altlinux"},
		"SGML":       {"SGML"},
		"Gentoo":     {"Gentoo", "Funtoo"},
		"Alpine":     {"Alpine"},
		"AIX":        {"AIX"},
		"HP-UX":      {"HPUX"},
		"Darwin":     {"MacOSX"},
		"FreeBSD":    {"FreeBSD", "TrueOS"},
		"ClearLinux": {"Clear Linux OS", "Clear Linux Mix"},
		"DragonFly":  {"DragonflyBSD", "DragonFlyBSD", "Gentoo/DragonflyBSD", "Gentoo/DragonFlyBSD"},
		"NetBSD":     {"NetBSD"},
	} {
		for _, n := range names {
			m[n] = fam
		}
	}
	return m
}()

// search is re.search(pattern, s): the submatches, nil without a match.
func search(re *regexp.Regexp, s string) []string { return re.FindStringSubmatch(s) }

var (
	reSlackware     = regexp.MustCompile(`\w+[.]\w+\+?`)
	reQVersionID    = regexp.MustCompile(`VERSION_ID="(.*)"`)
	reDistribRelQ   = regexp.MustCompile(`DISTRIB_RELEASE="(.*)"`)
	reDistribCodeQ  = regexp.MustCompile(`DISTRIB_CODENAME="(.*)"`)
	reLineName      = regexp.MustCompile(`^NAME=(.*)`)
	reSuseVersion   = regexp.MustCompile(`^VERSION_ID="?([0-9]+\.?[0-9]*)"?`)
	reSuseRelease   = regexp.MustCompile(`^VERSION_ID="?[0-9]+\.?([0-9]*)"?`)
	reSuseCodename  = regexp.MustCompile(`CODENAME *= *([^\n]+)`)
	reSusePatch     = regexp.MustCompile(`PATCHLEVEL = ([0-9]+)`)
	reDebianRelease = regexp.MustCompile(`PRETTY_NAME=[^(]+ \(?([^)]+?)\)`)
	reDebianMinor   = regexp.MustCompile(`(\d+)\.(\d+)`)
	reDistribRel    = regexp.MustCompile(`DISTRIB_RELEASE=(.*)`)
	reDevuanRelease = regexp.MustCompile(`PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?`)
	reVersionIDAny  = regexp.MustCompile(`VERSION_ID=(.*)`)
	reQVersion      = regexp.MustCompile(`VERSION="(.*)"`)
	reCodenameQ     = regexp.MustCompile(`VERSION_CODENAME="?([^"]+)"?`)
	reLineVersion   = regexp.MustCompile(`^VERSION=(.*)`)
	reGroup         = regexp.MustCompile(`^GROUP=(.*)`)
	reVersionAny    = regexp.MustCompile(`VERSION=(.*)`)
	reQName         = regexp.MustCompile(`NAME="(.*)"`)
	reIDAny         = regexp.MustCompile(`ID=(.*)`)
)

// parseDistFile is DistributionFiles._parse_dist_file and its
// parse_distribution_file_NAME functions: whether the file identifies
// the distribution, and the facts it gives. facts: the facts so far (the
// guess); guessName: get_distribution().
func parseDistFile(in distInput, name, data, path string, facts map[string]any, guessName string) (bool, map[string]any, error) {
	out := map[string]any{}
	data = strings.Trim(data, `'"\`)
	lower := strings.ToLower(data)
	has := func(s string) bool { return strings.Contains(data, s) }
	if s, ok := distSearchString[name]; ok {
		if has(s) {
			out["distribution"], out["distribution_file_search_string"] = name, s
		} else {
			f := strings.FieldsFunc(data, isPySpace)
			if len(f) == 0 {
				return false, nil, errPython("IndexError: list index out of range")
			}
			out["distribution"] = f[0]
		}
		return true, out, nil
	}
	if name == "Archlinux" {
		if has("Arch Linux") {
			out["distribution"] = name
			return true, out, nil
		}
		return false, out, nil
	}
	switch name {
	case "Slackware":
		if !has("Slackware") {
			return false, out, nil
		}
		out["distribution"] = name
		if v := reSlackware.FindString(data); v != "" {
			out["distribution_version"] = v
		}
	case "Amazon":
		if !has("Amazon") {
			return false, out, nil
		}
		out["distribution"] = "Amazon"
		if path == "/etc/os-release" {
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"] = m[1]
				parts := strings.Split(m[1], ".")
				major, minor := parts[0], "NA"
				if len(parts) > 2 {
					return false, nil, errPython("ValueError: too many values to unpack")
				} else if len(parts) == 2 {
					minor = parts[1]
				}
				out["distribution_major_version"], out["distribution_minor_version"] = major, minor
			}
		} else {
			v := "NA"
			for _, n := range strings.FieldsFunc(data, isPySpace) {
				if isDigits(n) {
					v = n
					break
				}
			}
			out["distribution_version"] = v
		}
	case "OpenWrt":
		if !has("OpenWrt") {
			return false, out, nil
		}
		out["distribution"] = name
		if m := search(reDistribRelQ, data); m != nil {
			out["distribution_version"] = m[1]
		}
		if m := search(reDistribCodeQ, data); m != nil {
			out["distribution_release"] = m[1]
		}
	case "Alpine":
		out["distribution"], out["distribution_version"] = "Alpine", data
	case "SUSE":
		if !strings.Contains(lower, "suse") {
			return false, out, nil
		}
		switch path {
		case "/etc/os-release":
			for _, line := range pySplitLines(data) {
				if m := search(reLineName, line); m != nil {
					out["distribution"] = strings.Trim(m[1], `"`)
				}
				if m := search(reSuseVersion, line); m != nil {
					out["distribution_version"] = m[1]
					out["distribution_major_version"], _, _ = strings.Cut(m[1], ".")
				}
				if strings.Contains(lower, "open") {
					if m := search(reSuseRelease, line); m != nil {
						out["distribution_release"] = m[1]
					}
				} else if strings.Contains(lower, "enterprise") && strings.Contains(line, "VERSION_ID") {
					m := search(reSuseRelease, line)
					if m == nil {
						return false, nil, errPython("AttributeError: 'NoneType' object has no attribute 'group'")
					}
					r := m[1]
					if r == "" {
						r = "0"
					}
					out["distribution_release"] = r
				}
			}
		case "/etc/SuSE-release":
			if strings.Contains(lower, "open") {
				first := pySplitLines(in.content(path))
				if len(first) == 0 || len(strings.FieldsFunc(first[0], isPySpace)) == 0 {
					return false, nil, errPython("IndexError: list index out of range")
				}
				out["distribution"] = strings.FieldsFunc(first[0], isPySpace)[0]
				for _, line := range pySplitLines(data) {
					if m := search(reSuseCodename, line); m != nil {
						out["distribution_release"] = pyStrip(m[1])
					}
				}
			} else if strings.Contains(lower, "enterprise") {
				lines := pySplitLines(data)
				if len(lines) == 0 || len(strings.FieldsFunc(lines[0], isPySpace)) == 0 {
					return false, nil, errPython("IndexError: list index out of range")
				}
				if has("Server") {
					out["distribution"] = "SLES"
				} else if has("Desktop") {
					out["distribution"] = "SLED"
				}
				for _, line := range lines {
					if m := search(reSusePatch, line); m != nil {
						out["distribution_release"] = m[1]
						out["distribution_version"] = facts["distribution_version"].(string) + "." + m[1]
					}
				}
			}
		}
		if in.sap {
			out["distribution"] = "SLES_SAP"
		}
	case "Debian":
		switch {
		case has("Debian") || has("Raspbian"):
			out["distribution"] = "Debian"
			if m := search(reDebianRelease, data); m != nil {
				out["distribution_release"] = m[1]
			}
			// (the dpkg --status tzdata fallback, for a release still
			// NA, never runs: Ansible runs its pipe without a shell,
			// and dpkg fails)
			for _, line := range pySplitLines(in.content("/etc/debian_version")) {
				if m := search(reDebianMinor, pyStrip(line)); m != nil {
					out["distribution_minor_version"] = m[2]
				}
			}
		case has("Ubuntu"):
			out["distribution"] = "Ubuntu"
		case has("SteamOS"):
			out["distribution"] = "SteamOS"
		case (path == "/etc/lsb-release" || path == "/etc/os-release") && (has("Kali") || has("Parrot")):
			out["distribution"] = "Parrot"
			if has("Kali") {
				out["distribution"] = "Kali"
			}
			if m := search(reDistribRel, data); m != nil {
				out["distribution_release"] = m[1]
			}
		case has("Devuan"):
			out["distribution"] = "Devuan"
			if m := search(reDevuanRelease, data); m != nil {
				out["distribution_release"] = m[1]
			}
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"], out["distribution_major_version"] = m[1], m[1]
			}
		case has("Cumulus"):
			out["distribution"] = "Cumulus Linux"
			if m := search(reVersionIDAny, data); m != nil {
				parts := strings.Split(m[1], ".")
				if len(parts) != 3 {
					return false, nil, errPython("ValueError: not enough values to unpack")
				}
				out["distribution_version"], out["distribution_major_version"] = m[1], parts[0]
			}
			if m := search(reQVersion, data); m != nil {
				out["distribution_release"] = m[1]
			}
		case has("Mint"):
			out["distribution"] = "Linux Mint"
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"] = m[1]
				out["distribution_major_version"], _, _ = strings.Cut(m[1], ".")
			}
		case has("UOS") || has("Uos") || has("uos"), has("Deepin") || has("deepin"):
			out["distribution"] = "Uos"
			if !(has("UOS") || has("Uos") || has("uos")) {
				out["distribution"] = "Deepin"
			}
			if m := search(reCodenameQ, data); m != nil {
				out["distribution_release"] = m[1]
			}
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"] = m[1]
				out["distribution_major_version"], _, _ = strings.Cut(m[1], ".")
			}
		default:
			return false, out, nil
		}
	case "Mandriva":
		if !has("Mandriva") {
			return false, out, nil
		}
		if m := search(reDistribRelQ, data); m != nil {
			out["distribution_version"] = m[1]
		}
		if m := search(reDistribCodeQ, data); m != nil {
			out["distribution_release"] = m[1]
		}
		out["distribution"] = name
	case "NA":
		for _, line := range pySplitLines(data) {
			if m := search(reLineName, line); m != nil {
				out["distribution"] = strings.Trim(m[1], `"`)
			}
			if m := search(reLineVersion, line); m != nil && facts["distribution_version"] == "NA" {
				out["distribution_version"] = strings.Trim(m[1], `"`)
			}
		}
	case "Coreos":
		if strings.ToLower(guessName) != "coreos" || data == "" {
			return false, out, nil
		}
		if m := search(reGroup, data); m != nil {
			out["distribution_release"] = strings.Trim(m[1], `"`)
		}
	case "Flatcar":
		if strings.ToLower(guessName) != "flatcar" || data == "" {
			return false, out, nil
		}
		if m := search(reVersionAny, data); m != nil {
			v := strings.Trim(m[1], `"`)
			out["distribution_major_version"], _, _ = strings.Cut(v, ".")
			out["distribution_version"] = v
		}
	case "ClearLinux":
		if m := search(reQName, data); m != nil {
			if !strings.Contains(m[1], "Clear Linux") {
				return false, out, nil
			}
			out["distribution"] = m[1]
		}
		if m := search(reVersionIDAny, data); m != nil {
			out["distribution_major_version"], out["distribution_version"] = m[1], m[1]
		}
		if m := search(reIDAny, data); m != nil {
			out["distribution_release"] = m[1]
		}
	case "CentOS":
		switch {
		case has("CentOS Stream"):
			out["distribution_release"] = "Stream"
		case has("TencentOS Server"):
			out["distribution"] = "TencentOS"
		default:
			return false, out, nil
		}
	default: // no parser (Gentoo)
		return false, out, nil
	}
	return true, out, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// linuxDistFacts is DistributionFiles.process_dist_files: the distro
// library's guess, then the first distribution file Ansible's list finds
// and parses.
func linuxDistFacts(in distInput, d *distroLib) (map[string]any, error) {
	id := d.id()
	name := pyCapitalize(id)
	switch name {
	case "Amzn":
		name = "Amazon"
	case "Rhel":
		name = "Redhat"
	case "":
		name = "OtherLinux"
	}
	version := d.version(false)
	switch id {
	case "centos":
		parts := strings.Split(d.version(true), ".")
		version = strings.Join(parts[:min(2, len(parts))], ".")
	case "debian":
		version = d.version(true)
	}
	codename, ok := d.osr["version_codename"]
	if !ok {
		codename, ok = d.osr["ubuntu_codename"]
	}
	if !ok && id == "ubuntu" {
		codename, ok = d.lsb["codename"]
	}
	if !ok {
		codename = d.codename()
		ok = codename != ""
	}
	facts := map[string]any{"distribution": name, "distribution_version": version, "distribution_release": codename}
	if version == "" {
		facts["distribution_version"] = "NA"
	}
	if !ok {
		facts["distribution_release"] = "NA"
	}
	major, _, _ := strings.Cut(facts["distribution_version"].(string), ".")
	if major == "" {
		major = "NA"
	}
	facts["distribution_major_version"] = major

	for _, f := range osDistList {
		if !in.exists(f.path, f.allowEmpty) {
			continue
		}
		if f.allowEmpty {
			facts["distribution"], facts["distribution_file_path"], facts["distribution_file_variety"] = f.name, f.path, f.name
			break
		}
		parsed, pf, err := parseDistFile(in, f.name, in.content(f.path), f.path, facts, name)
		if err != nil {
			return nil, err
		}
		if parsed {
			facts["distribution"], facts["distribution_file_path"], facts["distribution_file_variety"] = f.name, f.path, f.name
			facts["distribution_file_parsed"] = true
			for k, v := range pf {
				facts[k] = v
			}
			break
		}
	}
	return facts, nil
}

var (
	reFreeBSDRelease = regexp.MustCompile(`(\d+)\.(\d+)-(RELEASE|STABLE|CURRENT|RC|PRERELEASE).*`)
)

// distributionFacts are Ansible's distribution facts (distribution,
// distribution_version, _major_version, _minor_version, _release,
// _file_path, _file_variety, _file_parsed, _file_search_string,
// os_family) and drover's distribution_pretty_name (os-release's
// PRETTY_NAME), computed as ansible-core 2.14's Distribution collector
// computes them from the same files with the distro library 1.8
// (ansible-core imports the host's python3-distro when there is one, its
// bundled copy, 1.6, otherwise: that one leaves /etc/debian_version's
// point release out of a Debian distribution_version). None (but the
// pretty name) where Ansible's collector fails on the files. system,
// release, kversion: uname -s, -r, -v.
func distributionFacts(in distInput, system, release, kversion string) map[string]any {
	d, err := newDistroLib(in)
	out := map[string]any{"distribution_pretty_name": ""}
	if d != nil {
		out["distribution_pretty_name"] = d.osr["pretty_name"]
	}
	facts := map[string]any{"distribution": system, "distribution_release": release, "distribution_version": kversion}
	switch system {
	case "Linux":
		if err != nil {
			return out
		}
		if facts, err = linuxDistFacts(in, d); err != nil {
			return out
		}
	case "FreeBSD":
		if strings.Contains(kversion, "trueos") {
			facts["distribution"] = "TrueOS"
		}
		if m := reFreeBSDRelease.FindStringSubmatch(release); m != nil {
			facts["distribution_major_version"], facts["distribution_version"] = m[1], m[1]+"."+m[2]
		}
	case "NetBSD":
		facts["distribution_major_version"], _, _ = strings.Cut(release, ".")
		facts["distribution_version"] = release
	case "OpenBSD":
		facts["distribution_version"], facts["distribution_release"] = release, "release"
	case "Darwin":
		facts["distribution"] = "MacOSX"
	}
	name := facts["distribution"].(string)
	facts["os_family"] = name
	if f, ok := osFamilyOf[name]; ok {
		facts["os_family"] = f
	}
	for k, v := range facts {
		out[k] = v
	}
	return out
}
