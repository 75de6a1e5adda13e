package modules

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
)

func init() {
	Register(lineinfileModule{}, "ansible.builtin.lineinfile", "ansible.legacy.lineinfile")
}

// lineinfileModule is Ansible's lineinfile. The file is read in one
// session, edited on the controller, and written back only when it changed.
// Regular expressions are Go's RE2 syntax, which accepts Python's common
// forms ((?P<name>...), \d, \s, ...) but not look-around or backreferences
// inside the pattern.
type lineinfileModule struct{}

func (lineinfileModule) Name() string { return "lineinfile" }

// editArgs are the arguments shared by lineinfile and blockinfile.
func editArgs() map[string]Arg {
	a := fileArgs()
	a["path"] = Arg{Type: TypePath, Required: true, Aliases: []string{"dest", "destfile", "name"}}
	a["state"] = Arg{Type: TypeString, Default: "present", Choices: []string{"present", "absent"}}
	a["insertafter"] = Arg{Type: TypeString}
	a["insertbefore"] = Arg{Type: TypeString}
	a["create"] = Arg{Type: TypeBool, Default: false}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["validate"] = Arg{Type: TypeString}
	a["follow"] = Arg{Type: TypeBool, Default: false}
	return a
}

func (lineinfileModule) Schema() Schema {
	a := editArgs()
	a["regexp"] = Arg{Type: TypeString, Aliases: []string{"regex"}}
	a["search_string"] = Arg{Type: TypeString}
	a["line"] = Arg{Type: TypeString, Aliases: []string{"value"}}
	a["backrefs"] = Arg{Type: TypeBool, Default: false}
	a["firstmatch"] = Arg{Type: TypeBool, Default: false}
	return Schema{
		Args:              a,
		MutuallyExclusive: [][]string{{"insertbefore", "insertafter"}, {"regexp", "search_string"}, {"backrefs", "search_string"}},
		Unsupported:       unsupportedFileArgs(),
	}
}

// splitKeepEnds splits content into lines keeping their line endings.
func splitKeepEnds(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	l := strings.SplitAfter(string(b), "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func chomp(s string) string { return strings.TrimRight(s, "\r\n") }

// editFile reads path (one session), lets edit compute the new content and
// message, and writes it back with the task's attributes when anything
// changed. edit returns a non-nil Result to stop (a failure or a no-op
// result).
func editFile(ctx context.Context, env *Env, args map[string]any, onMissing func(p string) Result, edit func(before []byte, exists bool) ([]byte, string, Result)) Result {
	p := filePathArg(args)
	if p == "" {
		p = argString(args, "destfile")
	}
	if p == "" {
		return Fail("path is required")
	}
	st, fr := remoteStat(ctx, env, p, statOpts{Follow: true, Checksum: "sha1", Content: true})
	if fr != nil {
		return fr
	}
	if st.IsDir {
		return Result{"failed": true, "changed": false, "rc": 256, "msg": fmt.Sprintf("Path %s is a directory !", p)}
	}
	if st.Exists && !st.HasContent {
		return Fail(fmt.Sprintf("could not read %s", p))
	}
	if !st.Exists {
		if r := onMissing(p); r != nil {
			return r
		}
		if !st.DirExists {
			// Ansible creates the parent directories.
			args = withArg(args, "_mkdirs", true)
		}
	}
	after, msg, stop := edit(st.Content, st.Exists)
	if stop != nil {
		return stop
	}
	contentChanged := !bytes.Equal(after, st.Content) || !st.Exists
	res := Result{"failed": false, "msg": msg}
	if env.Diff {
		res["diff"] = map[string]any{"before": string(st.Content), "after": string(after),
			"before_header": p + " (content)", "after_header": p + " (content)"}
	}
	r := applyFile(ctx, env, args, p, st, after, contentChanged, argBool(args, "_mkdirs", false), res)
	if b, ok := r["backup_file"]; ok {
		r["backup"] = b
		delete(r, "backup_file")
	}
	if !r.Failed() && !r.Unreachable() {
		delete(r, "dest")
		delete(r, "checksum")
		delete(r, "size")
		delete(r, "state")
		if _, attrChanged, _ := attrsFromArgs(args).plan(st, `"$p"`); attrChanged && st.Exists {
			if contentChanged {
				msg += " and "
			}
			msg += "ownership, perms or SE linux context changed"
		}
		r["msg"] = msg
	}
	return r
}

func (lineinfileModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	present := argString(args, "state") != "absent"
	_, hasLine := args["line"]
	hasLine = hasLine && args["line"] != nil
	if !hasLine {
		if v, ok := args["value"]; ok && v != nil {
			args = withArg(args, "line", v)
			hasLine = true
		}
	}
	var re *regexp.Regexp
	if expr := argString(args, "regexp"); expr != "" || argString(args, "regex") != "" {
		if expr == "" {
			expr = argString(args, "regex")
		}
		var err error
		if re, err = pyRegexp("regexp", expr); err != nil {
			return Fail(err.Error())
		}
	}
	search, hasSearch := args["search_string"].(string)
	line := argString(args, "line")
	if present && !hasLine {
		return Fail("line is required with state=present")
	}
	if !present && re == nil && !hasSearch && !hasLine {
		return Fail("one of line, search_string, or regexp is required with state=absent")
	}
	backrefs := argBool(args, "backrefs", false)
	if backrefs && re == nil {
		return Fail("regexp is required with backrefs=true")
	}
	ia, ib := argString(args, "insertafter"), argString(args, "insertbefore")
	var ins *regexp.Regexp
	if ia != "" && ia != "BOF" && ia != "EOF" {
		var err error
		if ins, err = pyRegexp("insertafter", ia); err != nil {
			return Fail(err.Error())
		}
	} else if ib != "" && ib != "BOF" {
		var err error
		if ins, err = pyRegexp("insertbefore", ib); err != nil {
			return Fail(err.Error())
		}
	}
	firstmatch := argBool(args, "firstmatch", false)
	matches := func(l string) (bool, []int) {
		switch {
		case re != nil:
			m := re.FindStringSubmatchIndex(l)
			return m != nil, m
		case hasSearch:
			return strings.Contains(l, search), nil
		default:
			return line == chomp(l), nil
		}
	}
	var found int
	onMissing := func(p string) Result {
		if !present {
			return Result{"changed": false, "failed": false, "msg": "file not present"}
		}
		if !argBool(args, "create", false) {
			return Result{"failed": true, "changed": false, "rc": 257, "msg": fmt.Sprintf("Destination %s does not exist !", p)}
		}
		return nil
	}
	r := editFile(ctx, env, args, onMissing, func(before []byte, _ bool) ([]byte, string, Result) {
		lines := splitKeepEnds(before)
		if !present {
			var kept []string
			for _, l := range lines {
				if ok, _ := matches(l); ok {
					found++
					continue
				}
				kept = append(kept, l)
			}
			msg := ""
			if found > 0 {
				msg = fmt.Sprintf("%d line(s) removed", found)
			}
			return []byte(strings.Join(kept, "")), msg, nil
		}
		lines, msg := lineinfilePresent(lines, line, re, hasSearch, matches, ins, ia, ib, backrefs, firstmatch)
		return []byte(strings.Join(lines, "")), msg, nil
	})
	if !present && !r.Failed() && !r.Unreachable() {
		r["found"] = found
	}
	return r
}

// lineinfilePresent is Ansible's present(): replace the last (or first)
// line matching regexp/search_string, else find the exact line, else insert
// line at insertafter/insertbefore (default EOF).
func lineinfilePresent(lines []string, line string, re *regexp.Regexp, hasSearch bool, matches func(string) (bool, []int),
	ins *regexp.Regexp, ia, ib string, backrefs, firstmatch bool) ([]string, string) {
	if ia == "" && ib == "" {
		ia = "EOF"
	}
	idx, insIdx := -1, -1
	var match []int
	matched := false
	if re != nil || hasSearch {
		for n, l := range lines {
			if ok, m := matches(l); ok {
				idx, match, matched = n, m, true
				if firstmatch {
					break
				}
			}
		}
	}
	if !matched {
		for n, l := range lines {
			if chomp(l) == line {
				idx = n
			} else if ins != nil && ins.MatchString(l) {
				if ia != "" {
					insIdx = n + 1
				} else {
					insIdx = n
				}
				if firstmatch {
					break
				}
			}
		}
	}
	nl := line + "\n"
	switch {
	case idx != -1:
		newLine := line
		if backrefs && match != nil {
			newLine = pySubExpand(re, line, lines[idx], match)
		}
		if !strings.HasSuffix(newLine, "\n") {
			newLine += "\n"
		}
		if lines[idx] != newLine {
			lines[idx] = newLine
			return lines, "line replaced"
		}
		return lines, ""
	case backrefs:
		return lines, ""
	case ib == "BOF" || ia == "BOF":
		return insertAt(lines, 0, nl), "line added"
	case ia == "EOF" || insIdx == -1:
		if len(lines) > 0 && !strings.HasSuffix(lines[len(lines)-1], "\n") && !strings.HasSuffix(lines[len(lines)-1], "\r") {
			lines = append(lines, "\n")
		}
		return append(lines, nl), "line added"
	case ia != "":
		if insIdx == len(lines) {
			if chomp(lines[insIdx-1]) != line {
				return append(lines, nl), "line added"
			}
			return lines, ""
		}
		if chomp(lines[insIdx]) != line {
			return insertAt(lines, insIdx, nl), "line added"
		}
		return lines, ""
	default:
		return insertAt(lines, insIdx, nl), "line added"
	}
}

func insertAt(lines []string, i int, s string) []string {
	out := make([]string, 0, len(lines)+1)
	out = append(out, lines[:i]...)
	out = append(out, s)
	return append(out, lines[i:]...)
}
