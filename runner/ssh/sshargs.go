package ssh

import (
	"fmt"
	"strings"
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
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated double quote in %q", s)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
