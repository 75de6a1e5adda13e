package ssh

import (
	"fmt"
	"strings"

	"github.com/drover-sh/drover/modules"
)

// parseSSHArgs parses the ssh command-line options drover honours from
// ansible_ssh_common_args / ansible_ssh_extra_args: -o Key=Value (or
// "-o Key Value"), -J jump, -p port, -l user, -i identity. Other options are
// ignored.
func parseSSHArgs(s string) (sshOpts, error) {
	words, err := splitWords(s)
	if err != nil {
		return nil, err
	}
	opts := sshOpts{}
	add := func(k, v string) {
		k = strings.ToLower(k)
		opts[k] = append(opts[k], v)
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) < 2 || w[0] != '-' {
			continue
		}
		flag, val := w[1:2], w[2:]
		if !strings.Contains("oJpli", flag) {
			continue
		}
		if val == "" {
			if i+1 >= len(words) {
				return nil, fmt.Errorf("option -%s needs a value", flag)
			}
			i++
			val = words[i]
		}
		switch flag {
		case "o":
			k, v, ok := strings.Cut(val, "=")
			if !ok {
				k, v, _ = strings.Cut(strings.TrimSpace(val), " ")
			}
			add(strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`))
		case "J":
			add("ProxyJump", val)
		case "p":
			add("Port", val)
		case "l":
			add("User", val)
		case "i":
			add("IdentityFile", val)
		}
	}
	return opts, nil
}

// splitWords splits s into words like a POSIX shell would (single quotes,
// double quotes, backslashes), without any expansion.
func splitWords(s string) ([]string, error) { return modules.SplitArgs(s) }
