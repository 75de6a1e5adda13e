package runner

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// defaultFactPath is the setup module's default fact_path.
const defaultFactPath = "/etc/ansible/facts.d"

// localFacts is Ansible's ansible_local (system/local.py): for each
// FACT_PATH/*.fact in order, under the file's name without .fact, the
// output of an executable (owner's execute bit) or the content of any
// other file, read as JSON, else as INI (Python's configparser: sections
// of strings); errors as Ansible's strings (nil, no ansible_local, where
// Ansible's collector fails: an INI interpolation error). From the local-* sections of
// factsScriptHost, in order.
func localFacts(order []section) map[string]any {
	local := map[string]any{}
	for i := 0; i < len(order); i++ {
		s := order[i]
		if !strings.HasPrefix(s.name, "local-") || s.name == "local-rc" || len(s.lines) == 0 {
			continue
		}
		fn := s.lines[0]
		base := strings.ReplaceAll(path.Base(fn), ".fact", "")
		var out string
		switch s.name {
		case "local-stat":
			local[base] = fmt.Sprintf("Could not stat fact (%s): %s", fn, statError(strings.Join(s.lines[1:], "\n"), fn))
			continue
		case "local-file":
			out = strings.TrimSpace(strings.Join(s.lines[1:], "\n"))
		case "local-run":
			out = strings.Join(s.lines[1:], "\n")
			if i+1 < len(order) && order[i+1].name == "local-rc" {
				rc := order[i+1].lines
				i++
				if len(rc) > 0 && strings.TrimSpace(rc[0]) != "0" {
					msg := strings.Join(rc[1:], "\n")
					if msg != "" {
						msg += "\n"
					}
					local[base] = fmt.Sprintf("Failure executing fact script (%s), rc: %s, err: %s", fn, strings.TrimSpace(rc[0]), msg)
					continue
				}
			}
		}
		if !utf8.ValidString(out) {
			local[base] = fmt.Sprintf(`error loading fact - output of running "%s" was not utf-8`, fn)
			continue
		}
		var fact any
		if err := json.Unmarshal([]byte(out), &fact); err == nil {
			local[base] = fact
			continue
		}
		ini, err := parseINI(out)
		switch {
		case err == errINIParse:
			local[base] = "error loading facts as JSON or ini - please check content: " + fn
		case err != nil:
			// raised in Ansible's except clause: the local collector
			// fails, and setup gives no ansible_local at all
			return nil
		default:
			local[base] = ini
		}
	}
	return local
}

// statError is Python's OSError text for stat's message about fn.
func statError(msg, fn string) string {
	for _, e := range []struct {
		text  string
		errno int
	}{{"No such file or directory", 2}, {"Permission denied", 13}, {"Too many levels of symbolic links", 40}, {"Not a directory", 20}} {
		if strings.Contains(msg, e.text) {
			return fmt.Sprintf("[Errno %d] %s: '%s'", e.errno, e.text, fn)
		}
	}
	return msg
}

var errINIParse = fmt.Errorf("ini parse error")

// parseINI reads text as Python's configparser.ConfigParser() (default
// options: = and : delimiters, # and ; full-line comments, lower-cased
// option names, indented continuation lines, strict, no valueless
// options, a DEFAULT section inherited by every section, %(name)s
// interpolation) into {section: {option: value}}. errINIParse for what
// configparser.Error covers at read time; an interpolation error is
// returned as its message.
func parseINI(text string) (map[string]any, error) {
	type sect struct {
		keys []string
		vals map[string][]string
	}
	sections := map[string]*sect{}
	var names []string
	defaults := &sect{vals: map[string][]string{}}
	var cur *sect
	curName, opt := "", ""
	indent := 0
	added := map[string]bool{}
	lines := strings.Split(text, "\n")
	if strings.HasSuffix(text, "\n") {
		lines = lines[:len(lines)-1]
	}
	failed := false
	for _, line := range lines {
		comment := strings.HasPrefix(strings.TrimSpace(line), "#") || strings.HasPrefix(strings.TrimSpace(line), ";")
		value := strings.TrimSpace(line)
		if comment {
			value = ""
		}
		if value == "" {
			// empty_lines_in_values: an empty line (not a comment) is
			// part of a multi-line value
			if !comment && cur != nil && opt != "" && cur.vals[opt] != nil {
				cur.vals[opt] = append(cur.vals[opt], "")
			}
			continue
		}
		lvl := len(line) - len(strings.TrimLeft(line, " \t\r\f\v"))
		if cur != nil && opt != "" && lvl > indent {
			cur.vals[opt] = append(cur.vals[opt], value)
			continue
		}
		indent = lvl
		if strings.HasPrefix(value, "[") {
			if j := strings.LastIndex(value, "]"); j >= 2 {
				name := value[1:j]
				switch {
				case sections[name] != nil:
					if added[name] {
						return nil, errINIParse
					}
					cur = sections[name]
				case name == "DEFAULT":
					cur = defaults
				default:
					cur = &sect{vals: map[string][]string{}}
					sections[name] = cur
					names = append(names, name)
				}
				added[name] = true
				curName, opt = name, ""
				continue
			}
		}
		if cur == nil {
			return nil, errINIParse
		}
		m := iniOption.FindStringSubmatch(value)
		if m == nil || m[1] == "" {
			failed = true // a non-fatal error: reported at the end
			opt = ""
			continue
		}
		opt = strings.ToLower(strings.TrimRight(m[1], " \t"))
		if added[curName+"\x00"+opt] {
			return nil, errINIParse
		}
		added[curName+"\x00"+opt] = true
		if _, ok := cur.vals[opt]; !ok {
			cur.keys = append(cur.keys, opt)
		}
		cur.vals[opt] = []string{strings.TrimSpace(m[3])}
	}
	if failed {
		return nil, errINIParse
	}
	join := func(v []string) string { return strings.TrimRight(strings.Join(v, "\n"), " \t\r\n\f\v") }
	out := map[string]any{}
	for _, name := range names {
		s := sections[name]
		vars := map[string]string{}
		for k, v := range defaults.vals {
			vars[k] = join(v)
		}
		for k, v := range s.vals {
			vars[k] = join(v)
		}
		m := map[string]any{}
		for k := range vars {
			v, err := iniInterpolate(name, k, vars[k], vars, 1)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		out[name] = m
	}
	return out, nil
}

var (
	iniOption = regexp.MustCompile(`^(.*?)\s*(=|:)\s*(.*)$`)
	iniRef    = regexp.MustCompile(`^%\(([^)]+)\)s`)
)

// iniInterpolate is configparser's BasicInterpolation of option's value.
func iniInterpolate(section, option, value string, vars map[string]string, depth int) (string, error) {
	if depth > 10 {
		return "", fmt.Errorf("Recursion limit exceeded in value substitution: option '%s' in section '%s' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%s'", option, section, value)
	}
	var b strings.Builder
	rest := value
	for rest != "" {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		rest = rest[i:]
		if len(rest) > 1 && rest[1] == '%' {
			b.WriteByte('%')
			rest = rest[2:]
			continue
		}
		if len(rest) > 1 && rest[1] == '(' {
			m := iniRef.FindStringSubmatch(rest)
			if m == nil {
				return "", fmt.Errorf("bad interpolation variable reference '%s'", rest)
			}
			key := strings.ToLower(m[1])
			v, ok := vars[key]
			if !ok {
				return "", fmt.Errorf("Bad value substitution: option '%s' in section '%s' contains an interpolation key '%s' which is not a valid option name. Raw value: '%s'", option, section, key, value)
			}
			if strings.Contains(v, "%") {
				var err error
				if v, err = iniInterpolate(section, option, v, vars, depth+1); err != nil {
					return "", err
				}
			}
			b.WriteString(v)
			rest = rest[len(m[0]):]
			continue
		}
		return "", fmt.Errorf("'%%' must be followed by '%%' or '(', found: '%s'", rest)
	}
	return b.String(), nil
}
