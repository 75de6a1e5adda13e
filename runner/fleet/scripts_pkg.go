package fleet

// Package-manager and service stand-ins. A host's packages live in
// <host>/root/.packages/NAME (the installed version); the repository
// offers every package at the version in <host>/root/.packages-repo/NAME,
// else 1.0. Every call is appended to <host>/root/.packages.log. They exist
// so that a playbook's patch step (apt upgrade, dnf upgrade, package
// installs) run against the simulated fleet changes the hosts' simulated
// state, never the real machine's packages.

const scriptPkg = `#!/bin/sh
# drover fleet stand-in for apt-get, apt, aptitude, dpkg, dpkg-query, dnf,
# yum and rpm: packages live in <host>/root/.packages/NAME (the version);
# the "repository" has <host>/root/.packages-repo/NAME, else 1.0.
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
P="$__h/root/.packages"
R="$__h/root/.packages-repo"
mkdir -p "$P"
me=${0##*/}
echo "$me $*" >> "$__h/root/.packages.log"
want() { if [ -f "$R/$1" ]; then cat "$R/$1"; else echo 1.0; fi; }
have() { [ -f "$P/$1" ] && cat "$P/$1"; }
installed() { ls "$P" 2>/dev/null; }
verb= sim=0 fmt= names= nextfmt=0 query=0 all=0
for a in "$@"; do
	if [ "$nextfmt" = 1 ]; then fmt=$a; nextfmt=0; continue; fi
	case $a in
	-s|--simulate|--dry-run|--just-print|--assume-no) sim=1 ;;
	-f|--showformat|--qf|--queryformat) nextfmt=1 ;;
	-f=*|--showformat=*|--qf=*|--queryformat=*) fmt=${a#*=} ;;
	-W|--show|-l|--list) query=1 ;;
	-q) [ "$me" = rpm ] && query=1 ;;
	-qa) query=1; all=1 ;;
	-a) all=1 ;;
	-o) nextfmt=2 ;;
	-*) ;;
	*)
		if [ "$nextfmt" = 2 ]; then nextfmt=0; continue; fi
		if [ -z "$verb" ] && [ "$query" = 0 ] && [ "$me" != dpkg-query ] && [ "$me" != rpm ]; then verb=$a
		else names="$names ${a%%=*}"; fi ;;
	esac
done
case $me in
dpkg-query|rpm)
	[ -n "$fmt" ] || fmt='${Package}\t${Version}\n'
	if [ "$all" = 1 ] || [ -z "$names" ]; then names=$(installed); fi
	rc=0
	for n in $names; do
		v=$(have "$n") || { echo "$me: package $n is not installed" >&2; rc=1; continue; }
		out=$(printf '%s' "$fmt" | sed -e "s/\${Package}/$n/g" -e "s/\${Version}/$v/g" \
			-e 's/\${Status}/install ok installed/g' -e "s/%{NAME}/$n/g" -e "s/%{VERSION}/$v/g" \
			-e 's/%{RELEASE}/1/g' -e 's/%{ARCH}/noarch/g' -e 's/%{EPOCH}/0/g')
		printf '%b' "$out"
	done
	exit $rc ;;
dpkg)
	echo "dpkg: drover fleet stand-in: nothing done" >&2
	exit 0 ;;
esac
up=0 new=0 rm=0
case $verb in
update|makecache|clean|autoclean) echo "Reading package lists... Done"; exit 0 ;;
check-update)
	rc=0
	for n in $(installed); do [ "$(have "$n")" = "$(want "$n")" ] || { echo "$n $(want "$n")"; rc=100; }; done
	exit $rc ;;
install)
	for n in $names; do
		v=$(have "$n")
		if [ -z "$v" ]; then new=$((new + 1)); echo "Inst $n ($(want "$n"))"
		elif [ "$v" != "$(want "$n")" ]; then up=$((up + 1)); echo "Inst $n [$v] ($(want "$n"))"
		else continue; fi
		[ "$sim" = 1 ] || want "$n" > "$P/$n"
	done ;;
upgrade|dist-upgrade|full-upgrade|safe-upgrade|update-minimal)
	list=$names
	[ -n "$list" ] || list=$(installed)
	for n in $list; do
		v=$(have "$n") || continue
		[ "$v" = "$(want "$n")" ] && continue
		up=$((up + 1)); echo "Inst $n [$v] ($(want "$n"))"
		[ "$sim" = 1 ] || want "$n" > "$P/$n"
	done ;;
remove|purge|erase)
	for n in $names; do
		[ -f "$P/$n" ] || continue
		rm=$((rm + 1)); echo "Remv $n"
		[ "$sim" = 1 ] || rm -f "$P/$n"
	done ;;
autoremove) ;;
*) echo "$me: '$verb' is not simulated by the drover fleet stand-in" >&2; exit 100 ;;
esac
case $me in
apt-get|apt|aptitude) echo "$up upgraded, $new newly installed, $rm to remove and 0 not upgraded." ;;
*) [ $((up + new + rm)) = 0 ] && echo "Nothing to do." || echo "Complete!" ;;
esac
exit 0
`

// scriptService is the stand-in for SysV's service: it drives the systemctl
// stand-in ("service NAME VERB" is "systemctl VERB NAME").
const scriptService = `#!/bin/sh
# drover fleet stand-in for service: service NAME VERB = systemctl VERB NAME.
[ $# -ge 2 ] || { echo "usage: service NAME VERB" >&2; exit 1; }
exec "$(dirname "$0")/systemctl" "$2" "$1"
`

// pkgStandIns are the package-manager command names.
var pkgStandIns = []string{"apt-get", "apt", "aptitude", "dpkg", "dpkg-query", "dnf", "yum", "rpm"}

func init() {
	for _, n := range pkgStandIns {
		standIns[n] = scriptPkg
	}
	standIns["service"] = scriptService
}
