package runner

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The distro library (as ansible-core uses it) ported to Go: its os-release,
// lsb_release and distro-release data sources, and the Python string
// behaviours they rely on. See distributionFacts.

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
