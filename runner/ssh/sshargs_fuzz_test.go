package ssh

import "testing"

// FuzzParseSSHArgs: ansible_ssh_common_args from an inventory never makes
// the parser panic.
func FuzzParseSSHArgs(f *testing.F) {
	for _, s := range []string{"-o ProxyJump=bastion", "-o 'ProxyJump=a@b:22,c' -o StrictHostKeyChecking=no", "-J x", `-o "Port 22"`, "-o", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseSSHArgs(s)
	})
}
