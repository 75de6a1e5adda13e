package lookup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// Options are what a lookup needs besides its terms.
type Options struct {
	// Dir is where relative file names are looked up (with its files/
	// and, for roles/x/tasks, the role's files/): the task file's
	// directory, or the playbook's.
	Dir string
	// Kwargs are the keyword arguments of lookup()/query() (default=,
	// rstrip=, skip=, errors=, ...); nil for with_*.
	Kwargs map[string]any
}

type lookupFunc func(terms []any, o Options) ([]any, error)

// lookups are drover's lookup plugins by name (Ansible's built-in ones of
// the same names; ansible.builtin.NAME is the same lookup).
var lookups = map[string]lookupFunc{
	"items": func(t []any, _ Options) ([]any, error) { return flatten(t, 1), nil },
	"list":  func(t []any, _ Options) ([]any, error) { return t, nil },
	"indexed_items": func(t []any, _ Options) ([]any, error) {
		out := []any{}
		for i, x := range flatten(t, 1) {
			out = append(out, []any{i, x})
		}
		return out, nil
	},
	"dict": func(t []any, _ Options) ([]any, error) {
		var out []any
		for _, d := range t {
			items, err := dictItems(d)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
		return out, nil
	},
	"together":    func(t []any, _ Options) ([]any, error) { return together(t) },
	"nested":      func(t []any, _ Options) ([]any, error) { return nested(t) },
	"subelements": func(t []any, _ Options) ([]any, error) { return subelements(t) },
	"sequence": func(t []any, _ Options) ([]any, error) {
		var out []any
		for _, spec := range t {
			items, err := sequence(spec)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
		return out, nil
	},
	"fileglob":    func(t []any, o Options) ([]any, error) { return fileglob(t, o.Dir) },
	"env":         env,
	"file":        file,
	"pipe":        pipe,
	"lines":       lines,
	"first_found": firstFound,
}

// Names are the lookups drover has, sorted.
func Names() []string {
	out := make([]string, 0, len(lookups))
	for n := range lookups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// canonical strips the ansible.builtin. / ansible.legacy. prefix.
func canonical(name string) string {
	for _, p := range []string{"ansible.builtin.", "ansible.legacy."} {
		if n, ok := strings.CutPrefix(name, p); ok {
			return n
		}
	}
	return name
}

// Supported reports whether drover has the lookup.
func Supported(name string) bool {
	_, ok := lookups[canonical(name)]
	return ok
}

// RunsCommands reports whether the lookup runs controller commands (pipe,
// lines).
func RunsCommands(name string) bool {
	switch canonical(name) {
	case "pipe", "lines":
		return true
	}
	return false
}

// Terms turns the value of a with_* keyword into the lookup's terms, as
// Ansible does: a list is the terms, null or "" none, anything else one
// term.
func Terms(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case string:
		if x == "" {
			return nil
		}
	}
	return []any{v}
}

// Run runs lookup name over terms. With errors='ignore' (or 'warn') in
// Kwargs a failing lookup yields nothing instead of an error.
func Run(name string, terms []any, o Options) ([]any, error) {
	f, ok := lookups[canonical(name)]
	if !ok {
		return nil, fmt.Errorf("drover has no lookup named '%s' (it has %s)", name, strings.Join(Names(), ", "))
	}
	out, err := f(terms, o)
	if err != nil {
		switch fmt.Sprint(o.Kwargs["errors"]) {
		case "ignore", "warn":
			return nil, nil
		}
		return nil, fmt.Errorf("lookup '%s': %w", name, err)
	}
	return out, nil
}

// strs are the terms as strings (each lookup below takes names, paths or
// commands).
func strs(name string, terms []any) ([]string, error) {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		s, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("%s: term %v is not a string", name, t)
		}
		out = append(out, s)
	}
	return out, nil
}

// env is the env lookup: the controller's environment variables ("" or
// default= when unset).
func env(terms []any, o Options) ([]any, error) {
	names, err := strs("env", terms)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(names))
	for _, n := range names {
		v, ok := os.LookupEnv(n)
		if !ok {
			if d, has := o.Kwargs["default"]; has {
				out = append(out, d)
				continue
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// file is the file lookup: the contents of controller files, found like
// fileglob's patterns, trailing whitespace stripped (rstrip=true), leading
// kept (lstrip=false).
func file(terms []any, o Options) ([]any, error) {
	paths, err := strs("file", terms)
	if err != nil {
		return nil, err
	}
	rstrip, lstrip := true, false
	if v, ok := o.Kwargs["rstrip"]; ok {
		rstrip = truthy(v)
	}
	if v, ok := o.Kwargs["lstrip"]; ok {
		lstrip = truthy(v)
	}
	out := make([]any, 0, len(paths))
	for _, p := range paths {
		var data []byte
		var found bool
		for _, c := range searchPath(expandHome(p), o.Dir) {
			b, err := os.ReadFile(c)
			if err == nil {
				data, found = b, true
				break
			}
			if !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
		if !found {
			return nil, fmt.Errorf("could not find or access '%s' (looked in %s)", p, strings.Join(searchPath(expandHome(p), o.Dir), ", "))
		}
		s := string(data)
		if rstrip {
			s = strings.TrimRight(s, " \t\r\n")
		}
		if lstrip {
			s = strings.TrimLeft(s, " \t\r\n")
		}
		out = append(out, s)
	}
	return out, nil
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return h + p[1:]
		}
	}
	return p
}

// pipeTimeout bounds a pipe/lines command.
const pipeTimeout = 5 * time.Minute

// runLocal runs a command with /bin/sh on the controller, in dir.
func runLocal(name, cmdline, dir string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pipeTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmdline)
	c.Dir = dir
	var stderr strings.Builder
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			msg = ": " + msg
		}
		return "", fmt.Errorf("%s: %q: %w%s", name, cmdline, err, msg)
	}
	return string(out), nil
}

// pipe is the pipe lookup: the output of controller commands, trailing
// whitespace stripped.
func pipe(terms []any, o Options) ([]any, error) {
	cmds, err := strs("pipe", terms)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(cmds))
	for _, c := range cmds {
		s, err := runLocal("pipe", c, o.Dir)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimRight(s, " \t\r\n"))
	}
	return out, nil
}

// lines is the lines lookup: the output lines of controller commands.
func lines(terms []any, o Options) ([]any, error) {
	cmds, err := strs("lines", terms)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, c := range cmds {
		s, err := runLocal("lines", c, o.Dir)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
			if s != "" {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// firstFound is the first_found lookup: the first of the files that
// exists (terms: names, lists of names, or {files: [...], paths: [...],
// skip: bool} dicts), looked up like fileglob's patterns. None found is an
// error unless skip is true.
func firstFound(terms []any, o Options) ([]any, error) {
	var candidates []string
	skip := truthy(o.Kwargs["skip"])
	var add func(t any) error
	add = func(t any) error {
		switch x := t.(type) {
		case string:
			candidates = append(candidates, splitNames(x)...)
		case []any:
			for _, y := range x {
				if err := add(y); err != nil {
					return err
				}
			}
		case map[string]any:
			if v, ok := x["skip"]; ok {
				skip = truthy(v)
			}
			var files, paths []string
			for _, f := range Terms(x["files"]) {
				s, ok := f.(string)
				if !ok {
					return fmt.Errorf("first_found: file %v is not a string", f)
				}
				files = append(files, splitNames(s)...)
			}
			for _, p := range Terms(x["paths"]) {
				s, ok := p.(string)
				if !ok {
					return fmt.Errorf("first_found: path %v is not a string", p)
				}
				paths = append(paths, splitNames(s)...)
			}
			if len(paths) == 0 {
				candidates = append(candidates, files...)
				return nil
			}
			for _, f := range files {
				for _, p := range paths {
					candidates = append(candidates, p+"/"+f)
				}
			}
		default:
			return fmt.Errorf("first_found: term %v is not a file name, list or dict", t)
		}
		return nil
	}
	for _, t := range terms {
		if err := add(t); err != nil {
			return nil, err
		}
	}
	for _, c := range candidates {
		for _, p := range searchPath(expandHome(c), o.Dir) {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return []any{p}, nil
			}
		}
	}
	if skip {
		return nil, nil
	}
	return nil, fmt.Errorf("no file was found among %s (add skip: true to allow none)", strings.Join(candidates, ", "))
}

// splitNames splits first_found's "a.yml,b.yml" (also ; and :) lists.
func splitNames(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ':' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
