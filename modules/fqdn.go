package modules

import "strings"

// FQDNScript prints what Python's socket.getfqdn() reads for the host
// name in $n, as near as sh gets: gethostbyaddr's "ADDR NAME ALIAS..."
// line for getaddrinfo's first address of the name (getent ahosts, then
// getent hosts ADDR), or "hostname-f NAME" on a host without getent.
// FQDN reads its first line. The facts (ansible_fqdn) and the hostname
// module use both, as Ansible uses getfqdn for both.
const FQDNScript = `if command -v getent >/dev/null 2>&1; then a=$(getent ahosts "$n" 2>/dev/null) && { set -- $a; getent hosts "$1" 2>/dev/null; }
else printf 'hostname-f '; hostname -f 2>/dev/null || echo; fi
`

// FQDN is getfqdn's answer from FQDNScript's first output line: the
// first of the name and aliases with a dot, else the name; node (the host
// name) when the look-up found nothing.
func FQDN(line, node string) string {
	f := strings.Fields(line)
	switch {
	case len(f) >= 2 && f[0] == "hostname-f":
		return f[1]
	case len(f) >= 2:
		for _, n := range f[1:] {
			if strings.Contains(n, ".") {
				return n
			}
		}
		return f[1]
	}
	return node
}
