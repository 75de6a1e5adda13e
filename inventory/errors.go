package inventory

import (
	"errors"
	"fmt"
)

// ParseError is a malformed inventory source, or a host defined twice with
// conflicting addresses. Its text is "file:line: message" ("file: message"
// when the line is unknown).
type ParseError struct {
	File string
	Line int // 1-based; 0 when unknown
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// PatternError is a host pattern (or --limit) that cannot be resolved: a
// name that matches no group and no host, a bad regular expression, a
// subscript out of range, a missing @file.
type PatternError struct {
	Pattern string
	Msg     string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("host pattern %q: %s", e.Pattern, e.Msg)
}

// IsInvalidInput reports whether err comes from bad user input (a
// *ParseError or a *PatternError): the CLI maps it to exit code 2.
func IsInvalidInput(err error) bool {
	var pe *ParseError
	var pa *PatternError
	return errors.As(err, &pe) || errors.As(err, &pa)
}

func perr(file string, line int, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}
