#!/bin/sh
# bench/run.sh — drover against ansible-playbook on real loopback sshd hosts,
# and drover alone at fleet scale (issue 10). Called by `make bench`; not part
# of `make test`. Needs root, OpenSSH sshd, unshare, a writable cgroup v2
# hierarchy and ansible-core (scripts/test-deps.sh installs them). Only
# 127.0.0.0/8 addresses are used.
#
# Sizes and repetitions (environment):
#   RUNS=3 THROUGHPUT_HOSTS=10,50,100 REBOOT_HOSTS=20,100
#   SCALE_SSH_HOSTS=1000 SCALE_HOSTS=1000,10000 REBOOT_DELAY=2s
#   SCALE_SHELL=interp (the scale fleet's hosts interpret their commands in
#   process; fork: each command forks /bin/sh, as the test fleet does)
#   WORKLOADS=throughput,rolling-reboot,scale  RESULTS=bench/RESULTS.md
#   EXECUTORS=ansible,drover (of throughput and rolling-reboot; drover alone:
#   EXECUTORS=drover)
# A quick run: RUNS=1 THROUGHPUT_HOSTS=10 REBOOT_HOSTS=20 SCALE_HOSTS=1000 bench/run.sh
#
# The generated part of RESULTS.md lies between the markers
# <!-- bench:begin --> and <!-- bench:end -->; text outside them (notes,
# optimisation before/after records) is kept.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
RUNS=${RUNS:-3}
THROUGHPUT_HOSTS=${THROUGHPUT_HOSTS:-10,50,100}
REBOOT_HOSTS=${REBOOT_HOSTS:-20,100}
SCALE_SSH_HOSTS=${SCALE_SSH_HOSTS:-1000}
SCALE_HOSTS=${SCALE_HOSTS:-1000,10000}
REBOOT_DELAY=${REBOOT_DELAY:-2s}
SCALE_SHELL=${SCALE_SHELL:-interp}
WORKLOADS=${WORKLOADS:-throughput,rolling-reboot,scale}
EXECUTORS=${EXECUTORS:-ansible,drover}
RESULTS=${RESULTS:-bench/RESULTS.md}

# drover may be briefly broken while others work on it: retry the build.
i=0
until $GO build -o bin/drover ./cmd/drover; do
	i=$((i + 1))
	[ $i -lt 5 ] || { echo "bench: cannot build drover" >&2; exit 1; }
	echo "bench: drover does not build; retrying in 60 s" >&2
	sleep 60
done
$GO build -o bin/droverbench ./bench/cmd/droverbench

cmdline="bin/droverbench --drover bin/drover --workloads $WORKLOADS --executors $EXECUTORS --runs $RUNS --throughput-hosts $THROUGHPUT_HOSTS --reboot-hosts $REBOOT_HOSTS --scale-ssh-hosts $SCALE_SSH_HOSTS --scale-hosts $SCALE_HOSTS --scale-shell $SCALE_SHELL --reboot-delay $REBOOT_DELAY --json bench/results.json"
tables=$(mktemp)
trap 'rm -f "$tables" "$tables.md"' EXIT
echo "bench: $cmdline" >&2
rc=0
# shellcheck disable=SC2086
$cmdline >"$tables" || rc=$?

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "<!-- bench:begin -->"
	echo "## Latest run ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "Machine:"
	echo
	echo "- CPU: $(nproc) cores, ${cpu:-unknown model}; memory $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo)"
	echo "- kernel: $(uname -sr); $( . /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
	echo "- Go: $($GO version | sed 's/^go version //')"
	echo "- Ansible: $(ansible-playbook --version 2>/dev/null | head -n 1) (python $(python3 -c 'import sys; print(sys.version.split()[0])' 2>/dev/null))"
	echo "- OpenSSH: $(ssh -V 2>&1)"
	echo "- drover: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
	echo
	echo "Commands:"
	echo
	echo '```'
	echo "$GO build -o bin/drover ./cmd/drover && $GO build -o bin/droverbench ./bench/cmd/droverbench"
	echo "$cmdline"
	echo '```'
	echo
	echo "Per run, ansible-playbook runs as \`ANSIBLE_CONFIG=<work>/ansible.cfg ansible-playbook -i <inventory> bench/workloads/<workload>.yml\`"
	echo "(forks = host count, pipelining = True, ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=<fleet known_hosts> -o StrictHostKeyChecking=yes,"
	echo "host_key_checking = True, gathering = explicit, interpreter_python = /usr/bin/python3) and drover as"
	echo "\`drover run bench/workloads/<workload>.yml -i <inventory> --known-hosts <fleet known_hosts> --state-dir <fresh dir> --yes --color never --forks <host count>\`."
	echo "Each run is in a cgroup of its own (controller CPU = cpu.stat usage_usec of every process it started, ssh ControlMaster processes included; the cgroup is killed after the run)."
	echo
	cat "$tables"
	[ $rc -eq 0 ] || { echo; echo "**The benchmark reported failures (exit $rc); see above.**"; }
	echo "<!-- bench:end -->"
} >"$tables.md"

if [ -f "$RESULTS" ] && grep -q '<!-- bench:begin -->' "$RESULTS"; then
	awk -v gen="$tables.md" '
		/<!-- bench:begin -->/ { while ((getline l < gen) > 0) print l; skip = 1; next }
		/<!-- bench:end -->/ { skip = 0; next }
		!skip { print }' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
else
	{ echo "# drover benchmark results"; echo; echo "Written by \`make bench\` (bench/run.sh); see bench/cmd/droverbench/doc.go for what is measured and how."; echo; cat "$tables.md"; } >"$RESULTS"
fi
echo "bench: results in $RESULTS" >&2
exit $rc
