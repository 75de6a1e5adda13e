package ssh

import (
	"strings"
	"testing"
)

// FuzzSSHGOutput: any ssh -G output parses, and reading every keyword
// drover uses from it never panics; the keywords that have marker values
// never return one.
func FuzzSSHGOutput(f *testing.F) {
	for _, s := range []string{
		"hostname web1\nuser root\nport 22\nidentityfile ~/.ssh/id_ed25519\nidentityfile " + sshGUnsetPath + "\n",
		"stricthostkeychecking true\nconnecttimeout none\nproxyjump none\nuserknownhostsfile " + sshGUnsetPath + "\n",
		"serveraliveinterval " + sshGUnsetNumber + "\nHostName X\r\n\n \nnovalue\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		h := &sshGHost{alias: "web1", vals: parseSSHG([]byte(out)), unsetUser: "drover-unset"}
		for _, k := range []string{"HostName", "User", "Port", "IdentityFile", "IdentitiesOnly", "ProxyJump", "ProxyCommand",
			"UserKnownHostsFile", "StrictHostKeyChecking", "ConnectTimeout", "ServerAliveInterval", "ServerAliveCountMax"} {
			v := h.get(k)
			switch k { // the keywords the markers stand in for
			case "IdentityFile", "UserKnownHostsFile", "ServerAliveInterval", "ServerAliveCountMax":
				if v == sshGUnsetPath || v == sshGUnsetNumber {
					t.Fatalf("%s: marker %q leaked from %q", k, v, out)
				}
			}
			for _, a := range h.getAll(k) {
				if a == sshGUnsetPath {
					t.Fatalf("%s: marker path leaked", k)
				}
			}
			if strings.ContainsRune(v, '\n') {
				t.Fatalf("%s: value %q spans lines", k, v)
			}
		}
	})
}
