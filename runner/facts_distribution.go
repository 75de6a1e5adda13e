package runner

import (
	"regexp"
	"strings"
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
