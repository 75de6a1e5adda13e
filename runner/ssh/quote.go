package ssh

import "github.com/drover-sh/drover/modules"

// ShellQuote quotes s as one word for a POSIX shell; it is
// modules.ShellQuote, the project's one implementation.
func ShellQuote(s string) string { return modules.ShellQuote(s) }
