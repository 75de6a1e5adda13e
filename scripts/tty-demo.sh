#!/bin/sh
# make tty-demo: run drover's live terminal view in a real 80x24 terminal
# (tmux) against a local SSH fleet, capture the screen at several moments
# and print the captures. Needs tmux (scripts/test-deps.sh installs it) and
# bin/drover (make build).
set -eu
BIN=${BIN:-bin/drover}
command -v tmux >/dev/null 2>&1 || { echo "tty-demo: tmux is not installed (sh scripts/test-deps.sh)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "tty-demo: $BIN missing (make build)" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/drover-tty-demo.XXXXXX")
SOCK="drover-tty-demo-$$"
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	[ -f "$DIR/fleet.pid" ] && kill "$(cat "$DIR/fleet.pid")" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$BIN" fleet --dir "$DIR/fleet" --hosts 6 --racks 3 --reboot-delay 3s >"$DIR/fleet.log" 2>&1 &
echo $! >"$DIR/fleet.pid"
i=0
while [ ! -f "$DIR/fleet/inventory.yml" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { cat "$DIR/fleet.log"; exit 1; }
	sleep 0.1
done
cat >"$DIR/playbook.yml" <<'PLAY'
- name: rolling reboot
  hosts: all
  serial: 2
  pre_reboot:
    - name: drain
      shell: sleep 0.5; echo drained
    - name: precheck
      shell: '[ {{ inventory_hostname }} != host05 ] || { echo "disk check failed on host05" >&2; exit 7; }'
  reboot:
    reboot_timeout: 60
  post_reboot:
    - name: healthy
      command: healthcheck
PLAY

tmux -L "$SOCK" new-session -d -s demo -x 80 -y 24 \
	"cd $DIR && $BIN run playbook.yml -i fleet/inventory.yml --known-hosts fleet/known_hosts --state-dir state; echo EXIT=\$?; sleep 600"

n=0
for wait in 2 3 4 4 3; do
	sleep "$wait"
	n=$((n + 1))
	echo "──────── capture $n (80x24, after ${wait}s more) ────────"
	tmux -L "$SOCK" capture-pane -p -t demo
	tmux -L "$SOCK" capture-pane -p -t demo | grep -q '^EXIT=' && break
done
i=0
until tmux -L "$SOCK" capture-pane -p -t demo | grep -q '^EXIT='; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "tty-demo: drover did not finish" >&2; exit 1; }
	sleep 0.1
done
echo "──────── final screen (80x24) ────────"
tmux -L "$SOCK" capture-pane -p -t demo
