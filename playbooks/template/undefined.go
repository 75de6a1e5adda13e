package template

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// UndefinedError reports a variable, attribute or item that does not
// exist, with Ansible's wording.
type UndefinedError struct {
	// Name is the undefined variable, attribute or key.
	Name string
	// Object is the expression whose attribute or item is missing; "" for
	// a top-level variable.
	Object string
}

func (e *UndefinedError) Error() string {
	if e.Object == "" {
		return fmt.Sprintf("'%s' is undefined", e.Name)
	}
	return fmt.Sprintf("'%s' has no attribute '%s'", e.Object, e.Name)
}

// gonja (with StrictUndefined) reports missing data with these messages;
// they are the only way to tell "undefined" from other evaluation errors.
var (
	reUndefName = regexp.MustCompile(`Unable to evaluate name "([^"]*)"`)
	reUndefAttr = regexp.MustCompile(`Unable to evaluate (.*?): attribute '([^']*)' not found`)
	reUndefItem = regexp.MustCompile(`unable to evaluate (.*?)\[.*?\]: item '?(.*?)'? not found`)
	reUndefIdx  = regexp.MustCompile(`Unable to evaluate (.*?)\.\d+: item (\d+) not found`)
	reNone      = regexp.MustCompile(`Can't use (?:getattr|Getitem) on None`)
)

// undefinedIn extracts the UndefinedError from a gonja error message, or
// returns nil when the error is something else.
func undefinedIn(msg string) *UndefinedError {
	if m := reUndefName.FindStringSubmatch(msg); m != nil {
		return &UndefinedError{Name: m[1]}
	}
	if m := reUndefAttr.FindStringSubmatch(msg); m != nil {
		return &UndefinedError{Name: m[2], Object: strings.TrimSuffix(lastExpr(m[1]), "."+m[2])}
	}
	if m := reUndefItem.FindStringSubmatch(msg); m != nil {
		return &UndefinedError{Name: strings.Trim(m[2], "'"), Object: lastExpr(m[1])}
	}
	if m := reUndefIdx.FindStringSubmatch(msg); m != nil {
		return &UndefinedError{Name: m[2], Object: lastExpr(m[1])}
	}
	if reNone.MatchString(msg) {
		return &UndefinedError{Name: "attribute", Object: "None"}
	}
	return nil
}

// lastExpr trims gonja's wrapping prefixes ("...: x.y") off an expression.
func lastExpr(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// isUndefined reports whether a gonja value is an undefined-variable error.
func isUndefined(v *exec.Value) bool {
	return v.IsError() && undefinedIn(v.Error()) != nil
}

// EvalError is an error raised while evaluating a template or expression
// (other than an undefined variable).
type EvalError struct {
	Src string
	Msg string
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("error while evaluating %q: %s", e.Src, e.Msg)
}

// convertError turns an error from gonja into *UndefinedError or
// *EvalError.
func convertError(src string, err error) error {
	if err == nil {
		return nil
	}
	var u *UndefinedError
	if errors.As(err, &u) {
		return u
	}
	msg := err.Error()
	if u := undefinedIn(msg); u != nil {
		return u
	}
	return &EvalError{Src: src, Msg: cleanMessage(msg)}
}

// cleanMessage keeps the innermost cause of a gonja error chain, which is
// the informative part ("filter 'x' not found", "invalid call to ...").
func cleanMessage(msg string) string {
	for _, marker := range []string{"invalid call to ", "filter '", "test '", "unable to execute test"} {
		if i := strings.LastIndex(msg, marker); i >= 0 {
			return msg[i:]
		}
	}
	return msg
}
