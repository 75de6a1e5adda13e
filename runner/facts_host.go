package runner

import (
	"maps"
	"strconv"
	"strings"
)

// hostMark ends the tagged part of the facts output (factsScriptMore's);
// after it come sections: a line %%NAME%% and the section's lines, raw
// (the output of ip, stat, ls, files read with shell builtins), until the
// next %%NAME%% line.
const hostMark = "%%drover-host%%"

// factsScriptHost gathers, in the same command, the inputs of Ansible's
// mount facts (hardware/linux.py get_mount_facts), network facts
// (network/linux.py), local facts (system/local.py), and the selinux,
// dns, user and fips facts, raw, with as few processes as it can:
//
//   - mounts: /etc/mtab (else /proc/mounts) read by the shell; ONE
//     `stat -f` for every mount point Ansible keeps (under `timeout 10`
//     when there is one: a hung NFS mount must not hang the facts, as
//     Ansible's per-mount timeout); `ls -l /dev/disk/by-uuid` and the dm
//     names (/sys/block/dm-*/dm/name) for the uuids Ansible's lsblk gives;
//     the mount points whose fs root is not / in /proc/self/mountinfo
//     (findmnt's SOURCE[ROOT], Ansible's bind mounts) when findmnt is
//     installed.
//   - network: ONE `ip -batch` for `ip addr show` and the two `ip route
//     get` Ansible runs (its per-interface `ip addr show primary|secondary
//     dev X` are read off the one listing: secondary/temporary flags); one
//     pass over /sys/class/net with shell builtins; `ls -l` of the
//     interfaces' device and driver module links (pciid, module) when
//     there are any.
//   - local facts: the *.fact files of the fact path (stat for the
//     owner's execute bit, only when there are some); executables run,
//     their stdout, rc and stderr.
//   - selinux: /sys/fs/selinux and /etc/selinux/config; dns:
//     /etc/resolv.conf; user: /proc/self/status and `getent passwd` (the
//     shell reads /etc/passwd without getent); fips:
//     /proc/sys/crypto/fips_enabled.
//
// The fact path is replaced by the setup module's fact_path (factsCommand).
const factsScriptHost = `
c() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$1"; }
echo '` + hostMark + `'
echo '%%mtab%%'
m=/proc/mounts; [ -e /etc/mtab ] && m=/etc/mtab
set --
while read -r dv mp fs op r || [ -n "$dv" ]; do
  printf '%s %s %s %s %s\n' "$dv" "$mp" "$fs" "$op" "$r"
  [ -n "$op" ] && [ "$fs" != none ] || continue
  case $dv in /*|\\*|*:/*) ;; *) continue;; esac
  case $mp in *\\[0-7][0-7][0-7]*) mp=$(printf '%s' "$mp" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g'); mp=$(printf '%b.' "$mp"); mp=${mp%.};; esac
  set -- "$@" "$mp"
done < $m 2>/dev/null
if [ $# -gt 0 ]; then
  echo '%%statfs%%'
  to=; command -v timeout >/dev/null 2>&1 && to='timeout 10'
  $to stat -f -c '%S %s %b %a %c %d %n' -- "$@" 2>/dev/null
  echo '%%statfsrc%%'; echo $?
fi
if [ -d /dev/disk/by-uuid ]; then echo '%%uuid%%'; ls -l /dev/disk/by-uuid 2>/dev/null; fi
echo '%%dm%%'
for f in /sys/block/dm-*/dm/name; do [ -r "$f" ] && read -r n < "$f" && { f=${f#/sys/block/}; printf '%s %s\n' "${f%%/*}" "$n"; }; done
if command -v findmnt >/dev/null 2>&1; then
  echo '%%bind%%'
  while read -r _ _ _ r p _; do [ "$r" = / ] || printf '%s\n' "$p"; done < /proc/self/mountinfo 2>/dev/null
fi
if command -v ip >/dev/null 2>&1; then
  echo '%%ip%%'
  ip -force -batch - 2>/dev/null <<'EOF'
addr show
route get 8.8.8.8
route get 2404:6800:400a:800::1012
EOF
fi
echo '%%sysnet%%'
set --
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  echo "@ ${d##*/}"
  for f in address mtu operstate type speed flags; do [ -e "$d/$f" ] && { v=; read -r v 2>/dev/null < "$d/$f"; printf '%s=%s\n' "$f" "$v"; }; done
  if [ -d "$d/bridge" ]; then
    echo bridge=
    for f in bridge/bridge_id bridge/stp_state; do [ -e "$d/$f" ] && { v=; read -r v 2>/dev/null < "$d/$f"; printf '%s=%s\n' "$f" "$v"; }; done
    for b in "$d"/brif/*; do [ -e "$b" ] && printf 'brif=%s\n' "${b##*/}"; done
  fi
  if [ -e "$d/bonding" ]; then
    echo bonding=
    for f in slaves mode miimon lacp_rate primary all_slaves_active; do [ -e "$d/bonding/$f" ] && { v=; read -r v 2>/dev/null < "$d/bonding/$f"; printf 'bonding/%s=%s\n' "$f" "$v"; }; done
  fi
  [ -e "$d/bonding_slave" ] && { v=; read -r v 2>/dev/null < "$d/bonding_slave/perm_hwaddr"; printf 'bonding_slave=%s\n' "$v"; }
  [ -e "$d/device" ] && set -- "$@" "$d/device"
  [ -e "$d/device/driver/module" ] && set -- "$@" "$d/device/driver/module"
done
if [ $# -gt 0 ]; then echo '%%links%%'; ls -l -- "$@" 2>/dev/null; fi
fp=/etc/ansible/facts.d
if [ -e "$fp" ]; then
  for f in "$fp"/*.fact; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    if ! a=$(stat -L -c %A -- "$f" 2>&1); then printf '%%%%local-stat%%%%\n%s\n%s\n' "$f" "$a"; continue; fi
    case $a in
    ???[xs]*)
      printf '%%%%local-run%%%%\n%s\n' "$f"
      { e=$("$f" 2>&1 >&3 3>&-); r=$?; } 3>&1
      printf '\n%%%%local-rc%%%%\n%s\n%s\n' "$r" "$e";;
    *) printf '%%%%local-file%%%%\n%s\n' "$f"; c "$f";;
    esac
  done
fi
echo '%%selinux%%'
if [ -e /sys/fs/selinux/enforce ] && [ -e /etc/selinux/config ]; then
  v=; read -r v < /sys/fs/selinux/enforce; echo "enforce=$v"
  v=; read -r v < /sys/fs/selinux/policyvers; echo "policyvers=$v"
  c /etc/selinux/config
fi
echo '%%resolv%%'
[ -r /etc/resolv.conf ] && c /etc/resolv.conf
echo '%%fips%%'
[ -r /proc/sys/crypto/fips_enabled ] && { v=; read -r v < /proc/sys/crypto/fips_enabled; echo "$v"; }
echo '%%user%%'
u=${LOGNAME:-${USER:-${LNAME:-${USERNAME:-}}}}
while read -r k a b _; do case $k in Uid:|Gid:) echo "$k $a $b";; esac; done < /proc/self/status
echo "name $u"
echo '%%passwd%%'
if command -v getent >/dev/null 2>&1; then getent passwd $u $(while read -r k a _; do [ "$k" = Uid: ] && echo "$a"; done < /proc/self/status) 2>/dev/null
else while IFS= read -r l; do printf '%s\n' "$l"; done < /etc/passwd; fi
true`

// section is one %%NAME%% section of the output after hostMark.
type section struct {
	name  string
	lines []string
}

// hostSections splits the output after hostMark into its sections, in
// order, and by name (a name's lines in all its sections).
func hostSections(lines []string) (map[string][]string, []section) {
	byName := map[string][]string{}
	var order []section
	for _, l := range lines {
		if len(l) > 4 && strings.HasPrefix(l, "%%") && strings.HasSuffix(l, "%%") && !strings.ContainsAny(l[2:len(l)-2], "% ") {
			order = append(order, section{name: l[2 : len(l)-2]})
			if _, ok := byName[order[len(order)-1].name]; !ok {
				byName[order[len(order)-1].name] = []string{}
			}
			continue
		}
		if len(order) == 0 {
			continue
		}
		s := &order[len(order)-1]
		s.lines = append(s.lines, l)
		byName[s.name] = append(byName[s.name], l)
	}
	return byName, order
}

// atoi is strconv.Atoi without the error (0).
func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// hostFacts are the facts of the sections after hostMark: mounts and, on
// Linux with ip, the network facts.
func hostFacts(lines []string, system string) map[string]any {
	sec, order := hostSections(lines)
	out := map[string]any{}
	if len(lines) > 0 {
		if l := localFacts(order); l != nil {
			out["local"] = l
		}
		out["selinux"] = selinuxFacts(sec["selinux"])
		out["selinux_python_present"] = true
		out["dns"] = dnsFacts(sec["resolv"])
		out["fips"] = fipsFacts(sec["fips"])
		maps.Copy(out, userFacts(sec["user"], sec["passwd"]))
	}
	if _, ok := sec["mtab"]; ok {
		out["mounts"] = mountFacts(sec)
	}
	if system == "Linux" {
		for k, v := range networkFacts(sec) {
			out[k] = v
		}
	}
	return out
}
