package modules

import "testing"

// FQDN answers as Python's socket.getfqdn(): the first dotted name of
// gethostbyaddr's name and aliases, else its name; the host name when the
// look-up failed.
func TestFQDN(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"10.0.0.1  web01.example.com web01", "web01.example.com"},
		{"10.0.0.1  web01 web01.example.com", "web01.example.com"},
		{"127.0.1.1 vm", "vm"},
		{"::1  localhost ip6-localhost", "localhost"},
		{"hostname-f db1.lan", "db1.lan"},
		{"", "node"},
	} {
		if got := FQDN(c.line, "node"); got != c.want {
			t.Errorf("%q: %q, want %q", c.line, got, c.want)
		}
	}
}
