#!/bin/sh
# Installs what the tests need on a fresh Debian machine: OpenSSH's server
# and client (the end-to-end hosts), sudo (become tests), ansible-core (the
# differential tests), tmux (the terminal view test), openssl (password
# hashes for the become tests' namespace-only user), curl (get_url on the
# test hosts), iproute2 (ip: the network facts compared with Ansible's). Needs root; does
# nothing when everything is there.
set -eu
need=""
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need="$need openssh-server"
command -v ssh-keygen >/dev/null 2>&1 || need="$need openssh-client"
command -v sudo >/dev/null 2>&1 || need="$need sudo"
command -v ansible-playbook >/dev/null 2>&1 || need="$need ansible-core"
command -v tmux >/dev/null 2>&1 || need="$need tmux"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "test-deps: missing:$need (run as root, or install them)" >&2
	exit 1
fi
echo "test-deps: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
# Debian starts sshd on install where it can; the tests run their own.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now ssh >/dev/null 2>&1 || true
fi
