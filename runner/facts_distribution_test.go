package runner

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// distHarness runs ansible-core's Distribution collector on fake hosts
// (argv: JSON [[root, bin], ...]): its file reads (os.path, get_file_*)
// under the root, the distro library's os-release, distro-release files
// and /etc/debian_version under the root, lsb_release and uname found on
// PATH=bin. Each host twice: with the distro library ansible-core
// imports here (the system's, when installed) and with its bundled copy.
// Prints {root: {"system": facts, "bundled": facts}} (facts {} where the
// collector raises).
const distHarness = `
import importlib.util, json, os, sys, types
from ansible.module_utils import distro as sysdistro
from ansible.module_utils.common import sys_info
from ansible.module_utils.facts.system import distribution as D
from ansible.module_utils.facts import utils as U
import ansible.module_utils.facts as F
spec = importlib.util.spec_from_file_location('bundled_distro', os.path.join(os.path.dirname(F.__file__), '..', 'distro', '_distro.py'))
bundled = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bundled)
P = os.path
class Module:
    def get_bin_path(self, name, *a, **k): return None
    def run_command(self, *a, **k): return 1, '', ''
    def debug(self, m): pass
out = {}
for root, bin in json.loads(sys.argv[1]):
    rp = lambda p: root + p
    os.environ['PATH'] = bin
    D.os = types.SimpleNamespace(path=types.SimpleNamespace(exists=lambda p: P.exists(rp(p)), getsize=lambda p: P.getsize(rp(p)),
        islink=lambda p: P.islink(rp(p)), realpath=lambda p: P.realpath(rp(p))))
    D.get_file_content = lambda path, default=None, strip=True: U.get_file_content(rp(path), default, strip)
    D.get_file_lines = lambda path, strip=True, line_sep=None: U.get_file_lines(rp(path), strip, line_sep)
    osr = rp('/etc/os-release')
    if not P.isfile(osr) and P.isfile(rp('/usr/lib/os-release')):
        osr = rp('/usr/lib/os-release')
    res = {}
    for mode, mod in (('system', sys.modules[sysdistro.id.__module__]), ('bundled', bundled)):
        ld = mod.LinuxDistribution(os_release_file=osr)
        ld.etc_dir, ld.usr_lib_dir = rp('/etc'), rp('/usr/lib')
        mod._distro = ld
        sys_info.distro = mod if mode == 'bundled' else sysdistro
        try:
            res[mode] = D.Distribution(Module()).get_distribution_facts()
        except Exception as e:
            res[mode] = {}
    out[root] = res
print(json.dumps(out))
`

// distCase is a host's distribution files (links: symlinks, path →
// target) and its `lsb_release -a` output ("": not installed).
type distCase struct {
	name  string
	files map[string]string
	links map[string]string
	lsb   string
	// a few of the facts, as Ansible gives them (checked besides the
	// comparison, so that an equal failure of both cannot pass)
	want map[string]any
}

const (
	debian12OSRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`
	debianSidOSRelease = `PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`
	ubuntu2204OSRelease = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`
	rhel9OSRelease = `NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"
REDHAT_BUGZILLA_PRODUCT_VERSION=9.3
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
`
	centos7OSRelease = `NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"

CENTOS_MANTISBT_PROJECT="CentOS-7"
CENTOS_MANTISBT_PROJECT_VERSION="7"
REDHAT_SUPPORT_PRODUCT="centos"
REDHAT_SUPPORT_PRODUCT_VERSION="7"

`
	centos8OSRelease = `NAME="CentOS Linux"
VERSION="8"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="8"
PLATFORM_ID="platform:el8"
PRETTY_NAME="CentOS Linux 8"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:8"
HOME_URL="https://centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"
CENTOS_MANTISBT_PROJECT="CentOS-8"
CENTOS_MANTISBT_PROJECT_VERSION="8"
`
	centosStream9OSRelease = `NAME="CentOS Stream"
VERSION="9"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="9"
PLATFORM_ID="platform:el9"
PRETTY_NAME="CentOS Stream 9"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:centos:centos:9"
HOME_URL="https://centos.org/"
BUG_REPORT_URL="https://issues.redhat.com/"
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux 9"
REDHAT_SUPPORT_PRODUCT_VERSION="CentOS Stream"
`
	rocky9OSRelease = `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.3"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
`
	alma9OSRelease = `NAME="AlmaLinux"
VERSION="9.3 (Shamrock Pampas Cat)"
ID="almalinux"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="AlmaLinux 9.3 (Shamrock Pampas Cat)"
ANSI_COLOR="0;34"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:almalinux:almalinux:9::baseos"
HOME_URL="https://almalinux.org/"
DOCUMENTATION_URL="https://wiki.almalinux.org/"
BUG_REPORT_URL="https://bugs.almalinux.org/"

ALMALINUX_MANTISBT_PROJECT="AlmaLinux-9"
ALMALINUX_MANTISBT_PROJECT_VERSION="9.3"
REDHAT_SUPPORT_PRODUCT="AlmaLinux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
`
	oracle8OSRelease = `NAME="Oracle Linux Server"
VERSION="8.9"
ID="ol"
ID_LIKE="fedora"
VARIANT="Server"
VARIANT_ID="server"
VERSION_ID="8.9"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Oracle Linux Server 8.9"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:oracle:linux:8:9:server"
HOME_URL="https://linux.oracle.com/"
BUG_REPORT_URL="https://github.com/oracle/oracle-linux"

ORACLE_BUGZILLA_PRODUCT="Oracle Linux 8"
ORACLE_BUGZILLA_PRODUCT_VERSION=8.9
ORACLE_SUPPORT_PRODUCT="Oracle Linux"
ORACLE_SUPPORT_PRODUCT_VERSION=8.9
`
	fedora39OSRelease = `NAME="Fedora Linux"
VERSION="39 (Server Edition)"
ID=fedora
VERSION_ID=39
VERSION_CODENAME=""
PLATFORM_ID="platform:f39"
PRETTY_NAME="Fedora Linux 39 (Server Edition)"
ANSI_COLOR="0;38;2;60;110;180"
LOGO=fedora-logo-icon
CPE_NAME="cpe:/o:fedoraproject:fedora:39"
HOME_URL="https://fedoraproject.org/"
DOCUMENTATION_URL="https://docs.fedoraproject.org/en-US/fedora/f39/system-administrators-guide/"
SUPPORT_URL="https://ask.fedoraproject.org/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"
REDHAT_BUGZILLA_PRODUCT="Fedora"
REDHAT_BUGZILLA_PRODUCT_VERSION=39
REDHAT_SUPPORT_PRODUCT="Fedora"
REDHAT_SUPPORT_PRODUCT_VERSION=39
SUPPORT_END=2024-11-12
VARIANT="Server Edition"
VARIANT_ID=server
`
	amazon2OSRelease = `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2025-06-30"
`
	amazon2023OSRelease = `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023.3.20240304"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"
DOCUMENTATION_URL="https://docs.aws.amazon.com/linux/"
SUPPORT_URL="https://aws.amazon.com/premiumsupport/"
BUG_REPORT_URL="https://github.com/amazonlinux/amazon-linux-2023"
VENDOR_NAME="AWS"
VENDOR_URL="https://aws.amazon.com/"
SUPPORT_END="2028-03-15"
`
	sles15OSRelease = `NAME="SLES"
VERSION="15-SP5"
VERSION_ID="15.5"
PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
ID="sles"
ID_LIKE="suse"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:suse:sles:15:sp5"
DOCUMENTATION_URL="https://documentation.suse.com/"
`
	leapOSRelease = `NAME="openSUSE Leap"
VERSION="15.5"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"
PRETTY_NAME="openSUSE Leap 15.5"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:leap:15.5"
BUG_REPORT_URL="https://bugs.opensuse.org"
HOME_URL="https://www.opensuse.org/"
DOCUMENTATION_URL="https://en.opensuse.org/Portal:Leap"
LOGO="distributor-logo-Leap"
`
	nixOSRelease = `ANSI_COLOR="1;34"
BUG_REPORT_URL="https://github.com/NixOS/nixpkgs/issues"
BUILD_ID="23.11.5541.56528ee42526"
DOCUMENTATION_URL="https://nixos.org/learn.html"
HOME_URL="https://nixos.org/"
ID=nixos
LOGO="nix-snowflake"
NAME=NixOS
PRETTY_NAME="NixOS 23.11 (Tapir)"
SUPPORT_END="2024-06-30"
SUPPORT_URL="https://nixos.org/community.html"
VERSION="23.11 (Tapir)"
VERSION_CODENAME=tapir
VERSION_ID="23.11"
`
	clearOSRelease = `NAME="Clear Linux OS"
VERSION=1
ID=clear-linux-os
ID_LIKE=clear-linux-os
VERSION_ID=40810
PRETTY_NAME="Clear Linux OS"
ANSI_COLOR="1;35"
HOME_URL="https://clearlinux.org"
SUPPORT_URL="https://clearlinux.org"
BUG_REPORT_URL="mailto:dev@lists.clearlinux.org"
PRIVACY_POLICY_URL="http://www.intel.com/privacy"
BUILD_ID=40810
`
	tumbleweedOSRelease = `NAME="openSUSE Tumbleweed"
# VERSION="20240301"
ID="opensuse-tumbleweed"
ID_LIKE="opensuse suse"
VERSION_ID="20240301"
PRETTY_NAME="openSUSE Tumbleweed"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:tumbleweed:20240301"
BUG_REPORT_URL="https://bugzilla.opensuse.org"
SUPPORT_URL="https://bugs.opensuse.org"
HOME_URL="https://www.opensuse.org"
DOCUMENTATION_URL="https://en.opensuse.org/Portal:Tumbleweed"
LOGO="distributor-logo-Tumbleweed"
`
)

// The distributions, with the files their images ship.
func distCases() []distCase {
	debLSB := "Distributor ID:\tDebian\nDescription:\tDebian GNU/Linux 12 (bookworm)\nRelease:\t12\nCodename:\tbookworm\n"
	redhatLinks := func(file string) map[string]string {
		return map[string]string{"/etc/redhat-release": file, "/etc/system-release": file}
	}
	return []distCase{
		{name: "debian 12", files: map[string]string{"/usr/lib/os-release": debian12OSRelease, "/etc/debian_version": "12.5\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release"}, lsb: debLSB,
			want: map[string]any{"distribution_version": "12.5", "distribution_minor_version": "5", "distribution_release": "bookworm"}},
		{name: "debian 12 without lsb_release", files: map[string]string{"/etc/os-release": debian12OSRelease, "/usr/lib/os-release": debian12OSRelease,
			"/etc/debian_version": "12.5\n"}, want: map[string]any{"distribution_version": "12.5", "distribution_file_variety": "Debian"}},
		{name: "debian testing", files: map[string]string{"/usr/lib/os-release": debianSidOSRelease, "/etc/debian_version": "trixie/sid\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release"},
			lsb:   "Distributor ID:\tDebian\nDescription:\tDebian GNU/Linux trixie/sid\nRelease:\tn/a\nCodename:\ttrixie\n",
			want:  map[string]any{"distribution_version": "n/a", "distribution_release": "trixie"}},
		{name: "debian sid without lsb_release", files: map[string]string{"/etc/os-release": debianSidOSRelease, "/etc/debian_version": "trixie/sid\n"},
			want: map[string]any{"distribution_version": "trixie/sid", "distribution_major_version": "trixie/sid"}},
		{name: "raspbian", files: map[string]string{"/etc/os-release": `PRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"
NAME="Raspbian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=raspbian
ID_LIKE=debian
HOME_URL="http://www.raspbian.org/"
SUPPORT_URL="http://www.raspbian.org/RaspbianForums"
BUG_REPORT_URL="http://www.raspbian.org/RaspbianBugs"
`, "/etc/debian_version": "12.5\n"}, want: map[string]any{"distribution": "Debian", "distribution_version": "12", "distribution_minor_version": "5"}},
		{name: "ubuntu 22.04", files: map[string]string{"/usr/lib/os-release": ubuntu2204OSRelease, "/etc/debian_version": "bookworm/sid\n",
			"/etc/lsb-release": "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION=\"Ubuntu 22.04.4 LTS\"\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release"},
			lsb:   "Distributor ID:\tUbuntu\nDescription:\tUbuntu 22.04.4 LTS\nRelease:\t22.04\nCodename:\tjammy\n",
			want:  map[string]any{"distribution": "Ubuntu", "distribution_version": "22.04", "distribution_release": "jammy", "os_family": "Debian"}},
		{name: "linux mint", files: map[string]string{"/etc/os-release": `NAME="Linux Mint"
VERSION="21.3 (Virginia)"
ID=linuxmint
ID_LIKE="ubuntu debian"
PRETTY_NAME="Linux Mint 21.3"
VERSION_ID="21.3"
HOME_URL="https://www.linuxmint.com/"
SUPPORT_URL="https://forums.linuxmint.com/"
BUG_REPORT_URL="http://linuxmint-troubleshooting-guide.readthedocs.io/en/latest/"
PRIVACY_POLICY_URL="https://www.linuxmint.com/"
VERSION_CODENAME=virginia
UBUNTU_CODENAME=jammy
`, "/etc/debian_version": "bookworm/sid\n",
			"/etc/lsb-release": "DISTRIB_ID=LinuxMint\nDISTRIB_RELEASE=21.3\nDISTRIB_CODENAME=virginia\nDISTRIB_DESCRIPTION=\"Linux Mint 21.3 Virginia\"\n"},
			lsb:  "Distributor ID:\tLinuxmint\nDescription:\tLinux Mint 21.3\nRelease:\t21.3\nCodename:\tvirginia\n",
			want: map[string]any{"distribution": "Linux Mint", "distribution_version": "21.3", "distribution_release": "virginia"}},
		{name: "kali", files: map[string]string{"/etc/os-release": `PRETTY_NAME="Kali GNU/Linux Rolling"
NAME="Kali GNU/Linux"
VERSION="2024.1"
VERSION_ID="2024.1"
VERSION_CODENAME="kali-rolling"
ID=kali
ID_LIKE=debian
HOME_URL="https://www.kali.org/"
SUPPORT_URL="https://forums.kali.org/"
BUG_REPORT_URL="https://bugs.kali.org/"
ANSI_COLOR="1;31"
`, "/etc/debian_version": "kali-rolling\n"}, want: map[string]any{"distribution": "Kali", "distribution_release": "kali-rolling", "os_family": "Debian"}},
		{name: "rhel 9", files: map[string]string{"/etc/os-release": rhel9OSRelease, "/etc/redhat-release": "Red Hat Enterprise Linux release 9.3 (Plow)\n"},
			links: map[string]string{"/etc/system-release": "redhat-release"},
			want:  map[string]any{"distribution": "RedHat", "distribution_version": "9.3", "distribution_release": "Plow", "distribution_file_search_string": "Red Hat"}},
		{name: "centos 7", files: map[string]string{"/etc/os-release": centos7OSRelease, "/etc/centos-release": "CentOS Linux release 7.9.2009 (Core)\n"},
			links: redhatLinks("centos-release"),
			want:  map[string]any{"distribution": "CentOS", "distribution_version": "7.9", "distribution_file_path": "/etc/redhat-release"}},
		{name: "centos 8", files: map[string]string{"/etc/os-release": centos8OSRelease, "/etc/centos-release": "CentOS Linux release 8.5.2111\n"},
			links: redhatLinks("centos-release"), want: map[string]any{"distribution_version": "8.5", "distribution_release": "NA"}},
		{name: "centos stream 9", files: map[string]string{"/etc/os-release": centosStream9OSRelease, "/etc/centos-release": "CentOS Stream release 9\n"},
			links: redhatLinks("centos-release"), want: map[string]any{"distribution": "CentOS", "distribution_release": "Stream", "distribution_version": "9"}},
		{name: "rocky 9", files: map[string]string{"/etc/os-release": rocky9OSRelease, "/etc/rocky-release": "Rocky Linux release 9.3 (Blue Onyx)\n",
			"/etc/rocky-release-upstream": "Derived from Red Hat Enterprise Linux 9.3\n"},
			links: redhatLinks("rocky-release"), want: map[string]any{"distribution": "Rocky", "os_family": "RedHat", "distribution_file_variety": "RedHat"}},
		{name: "almalinux 9", files: map[string]string{"/etc/os-release": alma9OSRelease, "/etc/almalinux-release": "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n"},
			links: redhatLinks("almalinux-release"), want: map[string]any{"distribution": "AlmaLinux", "distribution_release": "Shamrock Pampas Cat"}},
		{name: "oracle linux 8", files: map[string]string{"/etc/os-release": oracle8OSRelease, "/etc/oracle-release": "Oracle Linux Server release 8.9\n",
			"/etc/redhat-release": "Red Hat Enterprise Linux release 8.9 (Ootpa)\n"},
			links: map[string]string{"/etc/system-release": "oracle-release"},
			want:  map[string]any{"distribution": "OracleLinux", "distribution_version": "8.9", "distribution_file_path": "/etc/oracle-release"}},
		{name: "fedora 39", files: map[string]string{"/usr/lib/os-release": fedora39OSRelease, "/etc/fedora-release": "Fedora release 39 (Thirty Nine)\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release", "/etc/redhat-release": "fedora-release", "/etc/system-release": "fedora-release"},
			want:  map[string]any{"distribution": "Fedora", "distribution_version": "39", "distribution_release": ""}},
		{name: "amazon linux 2", files: map[string]string{"/etc/os-release": amazon2OSRelease, "/etc/system-release": "Amazon Linux release 2 (Karoo)\n",
			"/etc/system-release-cpe": "cpe:2.3:o:amazon:amazon_linux:2\n"},
			want: map[string]any{"distribution": "Amazon", "distribution_version": "2", "distribution_minor_version": "NA"}},
		{name: "amazon linux 2023", files: map[string]string{"/usr/lib/os-release": amazon2023OSRelease,
			"/etc/amazon-linux-release": "Amazon Linux release 2023 (Amazon Linux)\n", "/etc/amazon-linux-release-cpe": "cpe:2.3:o:amazon:amazon_linux:2023\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release", "/etc/system-release": "amazon-linux-release"},
			want:  map[string]any{"distribution": "Amazon", "distribution_version": "2023", "distribution_major_version": "2023"}},
		{name: "sles 15", files: map[string]string{"/usr/lib/os-release": sles15OSRelease, "/etc/products.d/SLES.prod": "<product/>\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release", "/etc/products.d/baseproduct": "SLES.prod"},
			want:  map[string]any{"distribution": "SLES", "distribution_version": "15.5", "distribution_release": "5", "os_family": "Suse"}},
		{name: "sles for sap 15", files: map[string]string{"/usr/lib/os-release": sles15OSRelease, "/etc/products.d/SLES_SAP.prod": "<product/>\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release", "/etc/products.d/baseproduct": "SLES_SAP.prod"},
			want:  map[string]any{"distribution": "SLES_SAP", "os_family": "Suse"}},
		{name: "sles 11", files: map[string]string{"/etc/SuSE-release": "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n"},
			want: map[string]any{"distribution": "SLES", "distribution_version": "11.4", "distribution_release": "4"}},
		{name: "opensuse leap", files: map[string]string{"/usr/lib/os-release": leapOSRelease, "/etc/products.d/Leap.prod": "<product/>\n"},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release", "/etc/products.d/baseproduct": "Leap.prod"},
			want:  map[string]any{"distribution": "openSUSE Leap", "distribution_version": "15.5", "distribution_release": "5"}},
		{name: "opensuse tumbleweed", files: map[string]string{"/usr/lib/os-release": tumbleweedOSRelease},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release"},
			want:  map[string]any{"distribution": "openSUSE Tumbleweed", "distribution_version": "20240301", "distribution_release": ""}},
		{name: "alpine", files: map[string]string{"/etc/alpine-release": "3.19.1\n", "/etc/os-release": `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`}, want: map[string]any{"distribution": "Alpine", "distribution_version": "3.19.1", "distribution_major_version": "3", "distribution_release": "NA"}},
		{name: "arch", files: map[string]string{"/etc/arch-release": "", "/usr/lib/os-release": `NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
DOCUMENTATION_URL="https://wiki.archlinux.org/"
SUPPORT_URL="https://bbs.archlinux.org/"
BUG_REPORT_URL="https://gitlab.archlinux.org/groups/archlinux/-/issues"
PRIVACY_POLICY_URL="https://terms.archlinux.org/docs/privacy-policy/"
LOGO=archlinux-logo
`}, links: map[string]string{"/etc/os-release": "../usr/lib/os-release"},
			want: map[string]any{"distribution": "Archlinux", "distribution_version": "NA", "distribution_file_path": "/etc/arch-release"}},
		{name: "gentoo", files: map[string]string{"/etc/gentoo-release": "Gentoo Base System release 2.15\n", "/usr/lib/os-release": `NAME=Gentoo
ID=gentoo
PRETTY_NAME="Gentoo Linux"
ANSI_COLOR="1;32"
HOME_URL="https://www.gentoo.org/"
SUPPORT_URL="https://www.gentoo.org/support/"
BUG_REPORT_URL="https://bugs.gentoo.org/"
VERSION_ID="2.15"
`}, links: map[string]string{"/etc/os-release": "../usr/lib/os-release"},
			want: map[string]any{"distribution": "Gentoo", "distribution_version": "2.15", "distribution_file_variety": "NA", "os_family": "Gentoo"}},
		{name: "generic os-release", files: map[string]string{"/etc/os-release": `NAME="Void"
ID="void"
PRETTY_NAME="Void Linux"
HOME_URL="https://voidlinux.org/"
DOCUMENTATION_URL="https://docs.voidlinux.org/"
LOGO="void-logo"
ANSI_COLOR="0;38;2;71;128;97"
DISTRIB_ID="void"
`}, want: map[string]any{"distribution": "Void", "distribution_version": "NA", "os_family": "Void"}},
		{name: "generic with version", files: map[string]string{"/etc/os-release": nixOSRelease},
			want: map[string]any{"distribution": "NixOS", "distribution_version": "23.11", "distribution_release": "tapir", "distribution_file_variety": "NA"}},
		{name: "os-release in /usr/lib only", files: map[string]string{"/usr/lib/os-release": nixOSRelease},
			want: map[string]any{"distribution": "Nixos", "distribution_version": "23.11", "distribution_release": "tapir"}},
		{name: "clear linux", files: map[string]string{"/usr/lib/os-release": clearOSRelease},
			want: map[string]any{"distribution": "Clear Linux OS", "distribution_file_variety": "ClearLinux", "distribution_release": "clear-linux-os", "os_family": "ClearLinux"}},
		{name: "clear linux, /etc/os-release linked", files: map[string]string{"/usr/lib/os-release": clearOSRelease},
			links: map[string]string{"/etc/os-release": "../usr/lib/os-release"},
			want:  map[string]any{"distribution_file_path": "/usr/lib/os-release", "distribution_version": "40810"}},
		{name: "unclosed quote", files: map[string]string{"/etc/os-release": "NAME=\"Broken\nID=broken\n"}, want: map[string]any{}},
	}
}

// distributionKeys are the facts of Ansible's distribution collector
// among drover's.
func distributionKeys(facts map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range facts {
		if (strings.HasPrefix(k, "distribution") && k != "distribution_pretty_name") || k == "os_family" {
			out[k] = v
		}
	}
	return out
}

// distRun runs factsScript on the fake host (its distribution files and
// lsb-release under root, its lsb_release in bin) and parses it.
func distRun(t *testing.T, root, bin string) map[string]any {
	t.Helper()
	var pairs []string
	for _, p := range []string{"/etc/*[-_]release", "/etc/*[-_]version", "/usr/lib/os-release", "/etc/os-release", "/etc/coreos/", "/etc/products.d/"} {
		pairs = append(pairs, p, root+p)
	}
	script := strings.NewReplacer(pairs...).Replace(rootedScript(root))
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + bin, "HOME=" + cmd.Dir, "LANG=C.UTF-8"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("facts script: %v", err)
	}
	return parseFacts(strings.ReplaceAll(string(out), root, ""))
}

// The distribution facts as ansible-core's Distribution collector (and
// the distro library) computes them from the same files, for each
// distribution: its os-release (also as a link to /usr/lib/os-release),
// release files, /etc/debian_version, /etc/lsb-release, lsb_release -a
// and SUSE's baseproduct link; an os-release shlex cannot read (no
// facts, as Ansible's collector fails).
func TestDistributionFactsLikeAnsible(t *testing.T) {
	py := ansiblePython(t)
	cases := distCases()
	type host struct{ root, bin string }
	hosts := make([]host, len(cases))
	for i, c := range cases {
		fh := fakeHost{files: c.files, stubs: map[string]string{}}
		if c.lsb != "" {
			fh.stubs["lsb_release"] = "[ \"$1\" = -a ] || exit 1\necho 'No LSB modules are available.' >&2\ncat <<'EOF'\n" + c.lsb + "EOF"
		}
		root, bin := fh.setup(t)
		for p, target := range c.links {
			if err := os.MkdirAll(filepath.Dir(root+p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, root+p); err != nil {
				t.Fatal(err)
			}
		}
		hosts[i] = host{root, bin}
	}
	var ansible map[string]map[string]map[string]any
	if py != "" {
		var arg [][2]string
		for _, h := range hosts {
			arg = append(arg, [2]string{h.root, h.bin})
		}
		b, _ := json.Marshal(arg)
		cmd := exec.Command(py, "-c", distHarness, string(b))
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("ansible-core: %v\n%s", err, stderr)
		}
		if err := json.Unmarshal(out, &ansible); err != nil {
			t.Fatalf("ansible-core: %v: %s", err, out)
		}
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := distributionKeys(distRun(t, hosts[i].root, hosts[i].bin))
			for k, w := range c.want {
				if got[k] != w {
					t.Errorf("%s: drover %q, want %q", k, got[k], w)
				}
			}
			if len(c.want) == 0 && len(got) != 0 {
				t.Errorf("facts where Ansible's collector fails: %v", got)
			}
			if py == "" {
				t.Skip("ansible-core not installed")
			}
			res := ansible[hosts[i].root]
			if want := res["system"]; !reflect.DeepEqual(normJSON(t, got), normJSON(t, want)) {
				t.Errorf("drover %s\nansible-core %s", jsonOf(t, got), jsonOf(t, want))
			}
			if !reflect.DeepEqual(res["system"], res["bundled"]) {
				t.Logf("with ansible-core's bundled distro library: %s", jsonOf(t, res["bundled"]))
			}
		})
	}
}

// The distro library's os-release reading (Python's shlex, posix,
// whitespace_split) on quoting, escapes and comments, against Python's.
func TestDistributionShlex(t *testing.T) {
	py := ansiblePython(t)
	if py == "" {
		t.Skip("ansible-core not installed")
	}
	for _, s := range []string{
		"A=b C=\"d e\" # comment\nF='g h'\n", "X=a#b\nY=\"q\\\"r\\\\s\\t\"\nZ='a\\b'\n", "E=\"\"\nF=\n\"G\"=1\n",
		"V=a\\ b\\\nc\n#x=1\nW=end", "K=\"x\"y'z'\n", "U=\"unclosed\n", "E=esc\\",
	} {
		out, err := exec.Command(py, "-c", "import shlex,sys,json\nl=shlex.shlex(sys.argv[1], posix=True)\nl.whitespace_split=True\ntry: print(json.dumps(list(l)))\nexcept ValueError: print('null')", s).Output()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		json.Unmarshal(out, &want)
		got, err := shlexWords(s)
		if (err != nil) != (want == nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("%q: drover %q (%v), python %s", s, got, err, out)
		}
	}
}

// This machine's distribution facts through a local connection against
// `ansible localhost -m setup` (where ansible-core is installed).
func TestDistributionFactsOnThisMachine(t *testing.T) {
	out, err := (&LocalConn{}).Run(t.Context(), factsScript, nil)
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("facts: %v %s", err, out.Stderr)
	}
	got := distributionKeys(parseFacts(string(out.Stdout)))
	py := ansiblePython(t)
	if py == "" {
		t.Skip("ansible-core not installed")
	}
	home := t.TempDir()
	cmd := exec.Command("ansible", "localhost", "-c", "local", "-m", "setup", "-a", "gather_subset=!all filter=ansible_distribution*,ansible_os_family",
		"-e", "ansible_python_interpreter="+py)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + home, "LANG=C.UTF-8",
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"), "ANSIBLE_LOCALHOST_WARNING=false", "ANSIBLE_INVENTORY_UNPARSED_WARNING=false"}
	b, err := cmd.CombinedOutput()
	_, js, ok := strings.Cut(string(b), "=> ")
	var res struct {
		Facts map[string]any `json:"ansible_facts"`
	}
	if err != nil || !ok || json.Unmarshal([]byte(js), &res) != nil {
		t.Fatalf("ansible setup: %v\n%s", err, b)
	}
	want := map[string]any{}
	for k, v := range res.Facts {
		want[strings.TrimPrefix(k, "ansible_")] = v
	}
	if len(want) < 5 || !reflect.DeepEqual(normJSON(t, got), want) {
		t.Errorf("drover %s\nansible %s", jsonOf(t, got), jsonOf(t, want))
	}
}
