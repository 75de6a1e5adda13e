package runner

import (
	"strings"

	"github.com/drover-sh/drover/modules"
)

// becomePrompt is what sudo prints when it asks for the password; it goes
// to stderr and is removed from results.
const becomePrompt = "[drover-become-prompt]"

// becomeFunc returns the Env.Become wrapper for a task, or nil when become
// is off. The password never appears on a command line: it is written to the
// command's stdin, where `sudo -S` reads it.
func becomeFunc(on bool, method, user, password string) func(string) (string, []byte) {
	if !on {
		return nil
	}
	if user == "" {
		user = "root"
	}
	return func(cmd string) (string, []byte) {
		if method == "su" {
			// su reads the password from the terminal only; without one it
			// works for root or with pam_wheel trust.
			return "su " + modules.ShellQuote(user) + " -s /bin/sh -c " + modules.ShellQuote(cmd), nil
		}
		if password == "" {
			return "sudo -H -n -u " + modules.ShellQuote(user) + " -- /bin/sh -c " + modules.ShellQuote(cmd), nil
		}
		return "sudo -H -S -p " + modules.ShellQuote(becomePrompt) + " -u " + modules.ShellQuote(user) +
			" -- /bin/sh -c " + modules.ShellQuote(cmd), []byte(password + "\n")
	}
}

// stripPrompt removes sudo's password prompt from stderr fields.
func stripPrompt(r modules.Result) {
	if s, ok := r["stderr"].(string); ok && strings.Contains(s, becomePrompt) {
		s = strings.ReplaceAll(s, becomePrompt, "")
		r["stderr"] = s
		r["stderr_lines"] = modules.Lines([]byte(s))
	}
}
