#!/bin/sh
# fake.sh: drover-sshdtest's multicall fake, bind-mounted inside each test
# host's mount namespace over systemctl, reboot, shutdown, poweroff, halt
# and telinit, and reachable as healthcheck. It never touches the real
# machine: it only reads and writes files under /var/lib/drover-host, which
# is the host's private directory.
#
#   reboot / shutdown -r / systemctl reboot / telinit 6: ask the harness to
#     reboot this host (file .sshdtest/request), then block until the
#     harness kills every process of the host.
#   poweroff / halt / shutdown [-h] / systemctl poweroff / telinit 0: the
#     same, but the host stays down.
#   systemctl start|stop|restart|...: record unit state in .systemd/.
#   healthcheck: fails while the harness's health fault is set.
set -u
D=/var/lib/drover-host
C=$D/.sshdtest
S=$D/.systemd
me=${0##*/}

# request ACTION DELAY-SECONDS: hand the action to the harness. An immediate
# one never returns: the harness kills this process with the whole host.
request() {
	mkdir -p "$C"
	if [ -e "$C/fault-ignore-reboot" ]; then
		echo "$me: $1 ignored (fault injected)" >&2
		exit 0
	fi
	printf '%s %s\n' "$1" "$(($(date +%s) + $2))" >"$C/request.$$"
	mv -f "$C/request.$$" "$C/request"
	if [ "$2" -gt 0 ]; then
		echo "$1 scheduled in $2 s"
		exit 0
	fi
	exec sleep 3600
}

# shutdown [-r|-h|-P|-H|-c|-k] [TIME] [WALL...]; TIME defaults to +1 (min).
do_shutdown() {
	action=poweroff when=""
	while [ $# -gt 0 ]; do
		case $1 in
		-r | --reboot) action=reboot ;;
		-h | -P | -H | --poweroff | --halt) action=poweroff ;;
		-k) exit 0 ;;
		-c)
			rm -f "$C/request"
			exit 0
			;;
		-*) ;;
		*) [ -z "$when" ] && when=$1 ;;
		esac
		shift
	done
	case ${when:-+1} in
	now | 0 | +0) delay=0 ;;
	+[0-9]*) delay=$((${when#+} * 60)) ;;
	*) delay=60 ;;
	esac
	request "$action" "$delay"
}

unit() {
	u=${1##*/}
	case $u in
	*.*) echo "$u" ;;
	*) echo "$u.service" ;;
	esac
}

journal() {
	mkdir -p "$S"
	echo "$(date +%s.%N) $*" >>"$S/journal.log"
}

active() { [ -e "$S/$1.active" ]; }

# known_units lists every unit the host has a state file for, once (a
# unit once started or enabled stays known, as its unit file would).
known_units() {
	for f in "$S"/*.known "$S"/*.active "$S"/*.enabled "$S"/*.masked; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.*}"
	done | sort -u
}
enabled() { [ -e "$S/$1.enabled" ]; }
masked() { [ -e "$S/$1.masked" ]; }

set_active() {
	if masked "$1"; then
		echo "Failed to $2 $1: Unit $1 is masked." >&2
		return 1
	fi
	mkdir -p "$S"
	: >"$S/$1.active"
	: >"$S/$1.known"
	journal "$2 $1"
}

file_state() {
	if masked "$1"; then
		echo masked
	elif enabled "$1"; then
		echo enabled
	else
		echo disabled
	fi
}

show_unit() {
	u=$1
	if active "$u"; then a=active sub=running; else a=inactive sub=dead; fi
	for kv in "Id=$u" "LoadState=loaded" "ActiveState=$a" "SubState=$sub" \
		"UnitFileState=$(file_state "$u")" "Description=$u (drover-sshdtest fake)"; do
		k=${kv%%=*}
		if [ -n "$props" ]; then
			case ",$props," in *",$k,"*) ;; *) continue ;; esac
		fi
		if [ "$value" = 1 ]; then echo "${kv#*=}"; else echo "$kv"; fi
	done
}

do_systemctl() {
	verb="" units="" quiet=0 now=0 props="" value=0 all=0
	while [ $# -gt 0 ]; do
		case $1 in
		-q | --quiet) quiet=1 ;;
		-a | --all) all=1 ;;
		--now) now=1 ;;
		--value) value=1 ;;
		-p | --property)
			shift
			props="${props:+$props,}${1:-}"
			;;
		--property=*) props="${props:+$props,}${1#--property=}" ;;
		-t | --type | --state | -n | --lines | -o | --output | -H | --host | -M | --machine | -s | --signal | --kill-whom | --job-mode | --root) shift ;;
		-*) ;;
		*)
			if [ -z "$verb" ]; then
				verb=$1
			else
				units="$units $(unit "$1")"
			fi
			;;
		esac
		[ $# -gt 0 ] && shift
	done
	rc=0
	case ${verb:-list-units} in
	reboot | kexec | soft-reboot) request reboot 0 ;;
	poweroff | halt) request poweroff 0 ;;
	start | restart | reload-or-restart | restart-or-reload)
		for u in $units; do set_active "$u" "$verb" || rc=1; done
		;;
	try-restart | try-reload-or-restart)
		for u in $units; do
			if active "$u"; then journal "$verb $u"; fi
		done
		;;
	reload)
		for u in $units; do
			if active "$u"; then
				journal "reload $u"
			else
				echo "Failed to reload $u: Unit $u is not active." >&2
				rc=1
			fi
		done
		;;
	stop)
		for u in $units; do
			rm -f "$S/$u.active"
			journal "stop $u"
		done
		;;
	enable | disable | mask | unmask)
		mkdir -p "$S"
		for u in $units; do
			: >"$S/$u.known"
			case $verb in
			enable) : >"$S/$u.enabled" ;;
			disable) rm -f "$S/$u.enabled" ;;
			mask) : >"$S/$u.masked" ;;
			unmask) rm -f "$S/$u.masked" ;;
			esac
			journal "$verb $u"
			if [ "$now" = 1 ]; then
				case $verb in
				enable) set_active "$u" start || rc=1 ;;
				disable | mask)
					rm -f "$S/$u.active"
					journal "stop $u"
					;;
				esac
			fi
		done
		;;
	is-active)
		rc=3
		for u in $units; do
			if active "$u"; then s=active rc=0; else s=inactive; fi
			[ "$quiet" = 1 ] || echo "$s"
		done
		;;
	is-enabled)
		rc=1
		for u in $units; do
			s=$(file_state "$u")
			[ "$s" = enabled ] && rc=0
			[ "$quiet" = 1 ] || echo "$s"
		done
		;;
	is-failed)
		rc=1
		for u in $units; do
			if active "$u"; then s=active; else s=inactive; fi
			[ "$quiet" = 1 ] || echo "$s"
		done
		;;
	status)
		if [ -z "$units" ]; then
			echo "State: running"
		fi
		for u in $units; do
			if active "$u"; then a="active (running)"; else a="inactive (dead)" rc=3; fi
			echo "* $u - $u (drover-sshdtest fake)"
			echo "     Loaded: loaded (/etc/systemd/system/$u; $(file_state "$u"))"
			echo "     Active: $a"
		done
		;;
	show)
		for u in $units; do show_unit "$u"; done
		;;
	daemon-reload | daemon-reexec) journal "$verb" ;;
	list-units)
		for u in $(known_units); do
			if active "$u"; then
				echo "$u loaded active running $u (drover-sshdtest fake)"
			elif [ "$all" = 1 ]; then
				echo "$u loaded inactive dead $u (drover-sshdtest fake)"
			fi
		done
		;;
	list-unit-files)
		for u in $(known_units); do
			echo "$u $(file_state "$u") disabled"
		done
		;;
	*)
		echo "Unknown command verb '$verb'." >&2
		rc=1
		;;
	esac
	exit $rc
}

case $me in
reboot) request reboot 0 ;;
poweroff | halt) request poweroff 0 ;;
shutdown) do_shutdown "$@" ;;
telinit)
	case ${1:-} in
	6) request reboot 0 ;;
	0) request poweroff 0 ;;
	*) exit 0 ;;
	esac
	;;
healthcheck)
	if [ -e "$C/fault-health" ]; then
		echo "healthcheck: unhealthy (fault injected)" >&2
		exit 1
	fi
	echo healthy
	;;
*) do_systemctl "$@" ;;
esac
