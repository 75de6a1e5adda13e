package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The stand-ins, written once per fleet to <Dir>/stand-ins; every host's
// bin directory is a symbolic link to it. A stand-in finds its host
// directory from its own path ($0 is <Dir>/hosts/<name>/bin/NAME, the
// PATH entry or the rewritten absolute path): __h below.

const scriptReboot = `#!/bin/sh
# drover fleet stand-in for reboot: asks the fleet to reboot the host, never
# the real machine. Like a real reboot, it does not return.
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
what=reboot
for a in "$@"; do
	case "$a" in
	-p|--poweroff|--halt) what=halt ;;
	esac
done
printf '%s %s %s\n' "$what" "$$" "${__h##*/}" > "$__h/control"
while :; do sleep 3600; done
`

const scriptHalt = `#!/bin/sh
# drover fleet stand-in for poweroff/halt: powers the host off (it stays down
# until the fleet powers it on), never the real machine.
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
what=halt
for a in "$@"; do
	case "$a" in
	--reboot) what=reboot ;;
	esac
done
printf '%s %s %s\n' "$what" "$$" "${__h##*/}" > "$__h/control"
while :; do sleep 3600; done
`

const scriptShutdown = `#!/bin/sh
# drover fleet stand-in for shutdown: -r reboots the host, -h/-P/-H (or no
# flag) powers it off, -c cancels, -k only warns. The time argument is
# ignored: the shutdown is immediate.
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
what=halt
for a in "$@"; do
	case "$a" in
	-c) exit 0 ;;
	-k) echo "shutdown: not really shutting down" >&2; exit 0 ;;
	-r|--reboot) what=reboot ;;
	-h|-P|-H|--halt|--poweroff) what=halt ;;
	-*r*) what=reboot ;;
	esac
done
printf '%s %s %s\n' "$what" "$$" "${__h##*/}" > "$__h/control"
while :; do sleep 3600; done
`

const scriptInit = `#!/bin/sh
# drover fleet stand-in for init/telinit: 6 reboots the host, 0 powers it off.
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
case "$1" in
6) exec "$__h/bin"/reboot ;;
0) exec "$__h/bin"/poweroff ;;
*) exit 0 ;;
esac
`

const scriptHealthcheck = `#!/bin/sh
# drover fleet health check for the host: fails when the HealthFail fault is set.
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
if [ -e "$__h/faults/healthfail" ]; then
	echo "healthcheck: ${__h##*/} is unhealthy" >&2
	exit 1
fi
echo "healthcheck: ${__h##*/} is healthy"
exit 0
`

const scriptSudo = `#!/bin/sh
# drover fleet stand-in for sudo: drops the options and runs the command in
# the host's confinement (PATH and environment kept). With -S and without -n
# it reads the password line from stdin, as a sudo that asks for one would.
readpw=0
nonint=0
prompt='[sudo] password: '
while [ $# -gt 0 ]; do
	case "$1" in
	--) shift; break ;;
	-u|-g|-p|-C|-D|-r|-t|-U|-T|-h)
		[ "$1" = -p ] && prompt=$2
		shift 2 ;;
	--user=*|--group=*|--close-from=*|--chdir=*|--role=*|--type=*|--other-user=*|--command-timeout=*|--host=*) shift ;;
	--prompt=*) prompt=${1#--prompt=}; shift ;;
	--stdin) readpw=1; shift ;;
	--non-interactive) nonint=1; shift ;;
	--*) shift ;;
	-*)
		case "$1" in *S*) readpw=1 ;; esac
		case "$1" in *n*) nonint=1 ;; esac
		shift ;;
	*) break ;;
	esac
done
if [ "$readpw" = 1 ] && [ "$nonint" = 0 ]; then
	printf '%s' "$prompt" >&2
	IFS= read -r _pw || true
fi
if [ $# -eq 0 ]; then
	echo "usage: sudo [options] command" >&2
	exit 1
fi
exec "$@"
`

const scriptSystemctl = `#!/bin/sh
# drover fleet stand-in for systemctl on the host: unit state lives in
# <host>/root/.systemd/ (UNIT.active, UNIT.enabled; UNIT.broken makes start fail).
__h=$(cd "$(dirname "$0")/.." && pwd) || exit 1
d="$__h/root/.systemd"
mkdir -p "$d"
quiet=0
now=0
value=0
all=0
props=""
verb=""
set -- "$@" --drover-end
while [ "$1" != --drover-end ]; do
	a=$1; shift
	case "$a" in
	-q|--quiet) quiet=1 ;;
	-a|--all) all=1 ;;
	--now) now=1 ;;
	--value) value=1 ;;
	-p|--property) props="$props,$1"; shift ;;
	--property=*) props="$props,${a#--property=}" ;;
	-*) ;;
	*) if [ -z "$verb" ]; then verb=$a; else set -- "$@" "$a"; fi ;;
	esac
done
shift
unit() {
	case "$1" in
	*.*) printf '%s' "$1" ;;
	*) printf '%s.service' "$1" ;;
	esac
}
say() { [ "$quiet" = 1 ] || echo "$@"; }
start() {
	u=$(unit "$1")
	if [ -e "$d/$u.broken" ]; then
		rm -f "$d/$u.active"
		: > "$d/$u.failed"
		echo "Job for $u failed because the control process exited with error code." >&2
		return 1
	fi
	rm -f "$d/$u.failed"
	: > "$d/$u.active"
	: > "$d/$u.known"
}
# known: every unit ever started or enabled (its unit file would stay).
known() {
	for f in "$d"/*.known "$d"/*.active "$d"/*.enabled "$d"/*.failed; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.*}"
	done | sort -u
}
rc=0
case "$verb" in
start|restart|try-restart|reload-or-restart|try-reload-or-restart)
	for u in "$@"; do start "$u" || rc=1; done ;;
stop)
	for u in "$@"; do rm -f "$d/$(unit "$u").active"; done ;;
reload)
	for u in "$@"; do
		if [ ! -e "$d/$(unit "$u").active" ]; then
			echo "Failed to reload $(unit "$u"): Unit $(unit "$u") is not active." >&2
			rc=1
		fi
	done ;;
is-active)
	[ $# -gt 0 ] || { echo "Too few arguments." >&2; exit 1; }
	rc=3
	for u in "$@"; do
		if [ -e "$d/$(unit "$u").active" ]; then say active; [ "$rc" = 3 ] && rc=0
		elif [ -e "$d/$(unit "$u").failed" ]; then say failed; rc=3
		else say inactive; rc=3; fi
	done ;;
is-failed)
	rc=1
	for u in "$@"; do
		if [ -e "$d/$(unit "$u").failed" ]; then say failed; rc=0; else say active; fi
	done ;;
is-enabled)
	[ $# -gt 0 ] || { echo "Too few arguments." >&2; exit 1; }
	rc=1
	for u in "$@"; do
		if [ -e "$d/$(unit "$u").enabled" ]; then say enabled; rc=0; else say disabled; fi
	done ;;
enable)
	for u in "$@"; do
		: > "$d/$(unit "$u").enabled"
		: > "$d/$(unit "$u").known"
		if [ "$now" = 1 ]; then start "$u" || rc=1; fi
	done ;;
disable)
	for u in "$@"; do
		rm -f "$d/$(unit "$u").enabled"
		if [ "$now" = 1 ]; then rm -f "$d/$(unit "$u").active"; fi
	done ;;
list-units)
	for u in $(known); do
		if [ -e "$d/$u.active" ]; then echo "$u loaded active running $u"
		elif [ -e "$d/$u.failed" ]; then echo "$u loaded failed failed $u"
		elif [ "$all" = 1 ]; then echo "$u loaded inactive dead $u"; fi
	done ;;
list-unit-files)
	for u in $(known); do
		if [ -e "$d/$u.enabled" ]; then echo "$u enabled enabled"; else echo "$u disabled enabled"; fi
	done ;;
daemon-reload|daemon-reexec|reset-failed|list-jobs)
	;;
status)
	[ $# -gt 0 ] || { echo "State: running"; exit 0; }
	rc=0
	for u in "$@"; do
		u=$(unit "$u")
		if [ -e "$d/$u.active" ]; then state="active (running)"
		elif [ -e "$d/$u.failed" ]; then state="failed (Result: exit-code)"; rc=3
		else state="inactive (dead)"; rc=3; fi
		if [ -e "$d/$u.enabled" ]; then en=enabled; else en=disabled; fi
		echo "* $u"
		echo "     Loaded: loaded (/etc/systemd/system/$u; $en)"
		echo "     Active: $state"
	done ;;
show)
	for u in "$@"; do
		u=$(unit "$u")
		if [ -e "$d/$u.active" ]; then as=active; ss=running
		elif [ -e "$d/$u.failed" ]; then as=failed; ss=failed
		else as=inactive; ss=dead; fi
		if [ -e "$d/$u.enabled" ]; then fs=enabled; else fs=disabled; fi
		for kv in "Id=$u" "Names=$u" "LoadState=loaded" "ActiveState=$as" "SubState=$ss" "UnitFileState=$fs"; do
			k=${kv%%=*}
			if [ -n "$props" ]; then
				case ",$props," in *",$k,"*) ;; *) continue ;; esac
			fi
			if [ "$value" = 1 ]; then echo "${kv#*=}"; else echo "$kv"; fi
		done
	done ;;
reboot|kexec|soft-reboot)
	exec "$__h/bin"/reboot ;;
poweroff|halt)
	exec "$__h/bin"/poweroff ;;
"")
	echo "systemctl: no command given" >&2; exit 1 ;;
*)
	echo "systemctl: unknown command '$verb' (drover fleet stand-in)" >&2; exit 1 ;;
esac
exit "$rc"
`

// standIns maps file names in a host's bin directory to their script.
var standIns = map[string]string{
	"reboot":      scriptReboot,
	"shutdown":    scriptShutdown,
	"poweroff":    scriptHalt,
	"halt":        scriptHalt,
	"systemctl":   scriptSystemctl,
	"healthcheck": scriptHealthcheck,
	"sudo":        scriptSudo,
	"init":        scriptInit,
	"telinit":     scriptInit,
}

// writeStandIns writes the stand-in scripts into dir.
func writeStandIns(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("fleet: stand-ins: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fleet: stand-ins: %w", err)
	}
	for name, text := range standIns {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o755); err != nil {
			return fmt.Errorf("fleet: stand-ins: %w", err)
		}
	}
	return nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bootIDPath is the path whose literal occurrences are rewritten to the
// host's boot id file.
const bootIDPath = "/proc/sys/kernel/random/boot_id"

// confinedPath matches absolute paths of the stand-ins in a command line.
var confinedPath = regexp.MustCompile(`(^|[^A-Za-z0-9_./-])(?:/usr/local/sbin|/usr/local/bin|/usr/sbin|/usr/bin|/sbin|/bin)/(reboot|shutdown|poweroff|halt|systemctl|sudo|telinit|init|apt-get|apt|aptitude|dpkg-query|dpkg|dnf|yum|rpm|service)($|[^A-Za-z0-9_.-])`)

// rewrite confines a command line to host h (see the package doc).
func rewrite(h *host, cmd string) string {
	cmd = strings.ReplaceAll(cmd, bootIDPath, h.bootIDPath)
	repl := "${1}" + strings.ReplaceAll(h.binDir, "$", "$$") + "/${2}${3}"
	for i := 0; i < 4; i++ {
		next := confinedPath.ReplaceAllString(cmd, repl)
		if next == cmd {
			break
		}
		cmd = next
	}
	return cmd
}
