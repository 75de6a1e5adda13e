package playbooks

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Error is one problem found in a playbook, at a position.
type Error struct {
	Pos     Pos
	Msg     string
	Snippet string // the source line at Pos.Line, "" when unknown
}

// Error returns "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Text returns the error followed, when the source line is known, by the
// line and a caret under the column.
func (e *Error) Text() string {
	if e.Snippet == "" {
		return e.Error()
	}
	col := e.Pos.Col
	if col < 1 {
		col = 1
	}
	// Keep tabs in the caret line so it lines up under tabbed sources.
	var pad strings.Builder
	for i, r := range e.Snippet {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return fmt.Sprintf("%s\n    %s\n    %s^", e.Error(), e.Snippet, pad.String())
}

// GitHub returns the error as a GitHub Actions annotation.
func (e *Error) GitHub() string { return e.annotation("error") }

// GitHubWarning returns the problem as a GitHub Actions warning annotation
// (see FreeRaces).
func (e *Error) GitHubWarning() string { return e.annotation("warning") }

func (e *Error) annotation(level string) string {
	msg := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(e.Msg)
	return fmt.Sprintf("::%s file=%s,line=%d,col=%d::%s", level, e.Pos.File, e.Pos.Line, e.Pos.Col, msg)
}

// WarningText is Text for a warning: "file:line:col: warning: message"
// and the snippet.
func (e *Error) WarningText() string {
	w := *e
	w.Msg = "warning: " + e.Msg
	return w.Text()
}

// ErrorList is every problem found by Load or Validate, sorted by position.
// Load and Validate return a *ErrorList as their error when the playbook is
// invalid.
type ErrorList struct {
	Errors []*Error
}

// Error joins the errors, one per line, without snippets.
func (l *ErrorList) Error() string {
	parts := make([]string, len(l.Errors))
	for i, e := range l.Errors {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Text returns every error with its snippet, one after the other.
func (l *ErrorList) Text() string {
	var b strings.Builder
	for _, e := range l.Errors {
		b.WriteString(e.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

// GitHub returns every error as a GitHub Actions annotation line.
func (l *ErrorList) GitHub() string {
	var b strings.Builder
	for _, e := range l.Errors {
		b.WriteString(e.GitHub())
		b.WriteByte('\n')
	}
	return b.String()
}

// Merge returns one list holding the errors of both (either may be nil),
// sorted and deduplicated, or nil when both are empty.
func Merge(a, b *ErrorList) *ErrorList {
	var all []*Error
	if a != nil {
		all = append(all, a.Errors...)
	}
	if b != nil {
		all = append(all, b.Errors...)
	}
	if len(all) == 0 {
		return nil
	}
	l := &ErrorList{Errors: all}
	l.sort()
	return l
}

func (l *ErrorList) sort() {
	sort.SliceStable(l.Errors, func(i, j int) bool {
		a, b := l.Errors[i].Pos, l.Errors[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return l.Errors[i].Msg < l.Errors[j].Msg
	})
	out := l.Errors[:0]
	for i, e := range l.Errors {
		if i > 0 && e.Pos == l.Errors[i-1].Pos && e.Msg == l.Errors[i-1].Msg {
			continue
		}
		out = append(out, e)
	}
	l.Errors = out
}

// collector accumulates errors with go-multierror and attaches source
// snippets.
type collector struct {
	errs    *multierror.Error
	sources *sourceCache
}

func newCollector(src *sourceCache) *collector {
	if src == nil {
		src = newSourceCache()
	}
	return &collector{sources: src}
}

func (c *collector) add(pos Pos, format string, args ...any) {
	c.errs = multierror.Append(c.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Snippet: c.sources.line(pos)})
}

// list returns the collected errors as a sorted *ErrorList, or nil.
func (c *collector) list() *ErrorList {
	if c.errs == nil || len(c.errs.Errors) == 0 {
		return nil
	}
	l := &ErrorList{}
	for _, err := range c.errs.Errors {
		if e, ok := err.(*Error); ok {
			l.Errors = append(l.Errors, e)
		}
	}
	l.sort()
	return l
}

// err returns the list as an error, or nil (never a typed nil).
func (c *collector) err() error {
	if l := c.list(); l != nil {
		return l
	}
	return nil
}

// sourceCache keeps the lines of the files read, for snippets.
type sourceCache struct {
	files map[string][]string
}

func newSourceCache() *sourceCache { return &sourceCache{files: map[string][]string{}} }

func (s *sourceCache) put(file string, data []byte) {
	s.files[file] = strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
}

func (s *sourceCache) line(p Pos) string {
	if p.File == "" || p.Line < 1 {
		return ""
	}
	lines, ok := s.files[p.File]
	if !ok {
		data, err := os.ReadFile(p.File)
		if err != nil {
			s.files[p.File] = nil
			return ""
		}
		s.put(p.File, data)
		lines = s.files[p.File]
	}
	if p.Line > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[p.Line-1], " \t")
}
