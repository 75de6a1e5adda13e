package template

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// rootID is the identifier under which the single source is served.
const rootID = "template"

// compiled is one parsed template or expression, cached by source.
type compiled struct {
	src    string // as given by the caller
	tpl    *exec.Template
	single *nodes.Output // set when the source is exactly one {{ expr }}
	err    error         // syntax error; the rest is nil
	shift  int           // bytes added in front of src before parsing

	globals []string // Jinja2 globals the source reads

	namesOnce sync.Once
	names     []string
}

// SyntaxError is a template or expression syntax error. Offset is the
// 0-based byte offset in the string that was checked, Line and Col its
// 1-based line and column (in bytes); both are -1 when unknown.
type SyntaxError struct {
	Msg    string
	Offset int
	Line   int
	Col    int
}

func (e *SyntaxError) Error() string {
	if e.Offset < 0 {
		return "template syntax error: " + e.Msg
	}
	return fmt.Sprintf("template syntax error at line %d column %d: %s", e.Line, e.Col, e.Msg)
}

// sourceLoader serves exactly one source; include/import/extends of any
// other name fail.
type sourceLoader struct{ src string }

func (l sourceLoader) Read(path string) (io.Reader, error) {
	if path != rootID {
		return nil, fmt.Errorf("template %q: include, import and extends are not supported", path)
	}
	return strings.NewReader(l.src), nil
}

func (l sourceLoader) Resolve(path string) (string, error) { return path, nil }

func (l sourceLoader) Inherit(string) (loaders.Loader, error) { return l, nil }

// compileTemplate parses s as a playbook template, through the cache.
func (e *Engine) compileTemplate(s string) *compiled {
	if c, ok := e.templates.get(s); ok {
		return c
	}
	c := e.parse(s, s, 0, modePlaybook)
	return e.templates.put(s, c)
}

// compileFile parses s as a template file (the template module's and
// lookup's: Jinja2's string literals everywhere), through the cache.
func (e *Engine) compileFile(s string) *compiled {
	if c, ok := e.files.get(s); ok {
		return c
	}
	c := e.parse(s, s, 0, modeJinja)
	return e.files.put(s, c)
}

// compileExpr parses expr as a bare condition ("{% if expr %}" in
// Ansible: Jinja2's string literals), through the cache.
func (e *Engine) compileExpr(expr string) *compiled {
	if c, ok := e.exprs.get(expr); ok {
		return c
	}
	c := e.parseExpr(expr, modeJinja)
	return e.exprs.put(expr, c)
}

// compileValueExpr parses expr as a bare expression that Ansible templates
// as "{{ expr }}" (debug var, inventory compose and keyed_groups): its
// string literals keep their backslashes.
func (e *Engine) compileValueExpr(expr string) *compiled {
	if c, ok := e.vexprs.get(expr); ok {
		return c
	}
	c := e.parseExpr(expr, modePlaybook)
	return e.vexprs.put(expr, c)
}

func (e *Engine) parseExpr(expr string, mode parseMode) *compiled {
	if strings.TrimSpace(expr) == "" {
		return &compiled{src: expr, err: &SyntaxError{Msg: "empty expression", Offset: 0, Line: 1, Col: 1}}
	}
	if trimmed := strings.TrimSpace(expr); strings.HasPrefix(trimmed, "{{") && strings.HasSuffix(trimmed, "}}") {
		// when: "{{ x }}" — accepted as Ansible does, which templates it
		// as any playbook string first.
		if t := e.parse(expr, expr, 0, modePlaybook); t.err == nil && t.single != nil {
			return t
		}
	}
	const open = "{{ "
	c := e.parse(expr, open+expr+" }}", len(open), mode)
	if c.err == nil && c.single == nil {
		// "a }} text {{ b": the expression closed the delimiters itself.
		c.err = &SyntaxError{Msg: "not a single expression (template delimiters inside a bare expression?)", Offset: -1, Line: -1, Col: -1}
		c.tpl = nil
	}
	return c
}

// parse parses text (src, possibly wrapped: shift bytes were added in
// front) and never panics. mode says how string literals are read.
func (e *Engine) parse(src, text string, shift int, mode parseMode) (c *compiled) {
	c = &compiled{src: src, shift: shift}
	defer func() {
		if r := recover(); r != nil {
			c.tpl, c.single = nil, nil
			c.err = &SyntaxError{Msg: fmt.Sprintf("invalid template: %v", r), Offset: -1, Line: -1, Col: -1}
		}
	}()
	if strings.IndexByte(text, '\r') >= 0 {
		// As gonja's lexer and Jinja2's do (positions are the lexer's).
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	}
	text, fx, perr := prepare(text, e.cfg, mode)
	if perr != nil {
		c.err = syntaxErrorAt(src, perr.msg, perr.pos-shift)
		return c
	}
	if tok := lexError(text, e); tok != nil {
		c.err = syntaxErrorAt(src, "unexpected input: "+tok.Val, tok.Pos-shift)
		return c
	}
	tpl, err := exec.NewTemplate(rootID, e.cfg, sourceLoader{text}, &exec.Environment{
		Context:           exec.EmptyContext(),
		Filters:           e.filters,
		Tests:             e.tests,
		ControlStructures: controlStructures,
		Methods:           e.methods,
	})
	if err != nil {
		c.err = convertSyntaxError(src, text, shift, err)
		return c
	}
	c.tpl = tpl
	root := tpl.Root()
	applyFixes(root, fx, e.resolveName)
	if len(root.Nodes) == 1 {
		if out, ok := root.Nodes[0].(*nodes.Output); ok {
			c.single = out
		}
	}
	unpackTestArgs(c)
	if err := e.checkNames(c); err != nil {
		c.tpl, c.single, c.err = nil, nil, err
		return c
	}
	seen := map[string]bool{}
	(&walker{onName: func(n string, bound bool) {
		if _, ok := e.globals[n]; ok && !bound && !seen[n] {
			seen[n] = true
			c.globals = append(c.globals, n)
		}
	}}).template(c)
	return c
}

// lexError returns the lexer's error token, if any: gonja's parser stops
// silently at one.
func lexError(text string, e *Engine) *tokens.Token {
	st := tokens.LexAll(text, e.cfg)
	for !st.End() {
		st.Next()
	}
	if st.IsError() {
		return st.Current()
	}
	return nil
}

// convertSyntaxError turns a gonja parse error into a *SyntaxError with a
// position relative to src.
func convertSyntaxError(src, text string, shift int, err error) error {
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		off := offsetOf(text, se.Line, se.Column) - shift
		msg := se.Message
		if se.Raw != "" {
			msg = fmt.Sprintf("%s (near %q)", msg, se.Raw)
		}
		return syntaxErrorAt(src, msg, off)
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "failed to parse template") {
		msg = msg[i+2:]
	}
	return &SyntaxError{Msg: msg, Offset: -1, Line: -1, Col: -1}
}

// syntaxErrorAt builds a SyntaxError at byte offset off of src (clamped).
func syntaxErrorAt(src, msg string, off int) *SyntaxError {
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	line, col := 1, 1
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &SyntaxError{Msg: msg, Offset: off, Line: line, Col: col}
}

// offsetOf converts gonja's 1-based line/column into a byte offset.
func offsetOf(text string, line, col int) int {
	off := 0
	for l := 1; l < line && off < len(text); l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	return off + col - 1
}

// unpackTestArgs works around gonja's parser, which reads the arguments of
// a test as one literal: `x is version('1.2', '>=')` arrives as a single
// tuple argument. A parenthesised tuple becomes the argument list (a list
// literal, as in `is subset([1, 2])`, stays one argument).
func unpackTestArgs(c *compiled) {
	(&walker{onTest: func(t *nodes.TestCall) {
		if len(t.Args) == 1 {
			if tup, ok := t.Args[0].(*nodes.Tuple); ok {
				t.Args = tup.Val
			}
		}
	}}).template(c)
}
