package modules

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
)

func init() {
	Register(fileModule{}, "ansible.builtin.file", "ansible.legacy.file")
}

// fileModule is Ansible's file: state file/directory/link/hard/absent/touch
// and attributes, with recurse for directories.
type fileModule struct{}

func (fileModule) Name() string { return "file" }

func (fileModule) Schema() Schema {
	a := fileArgs()
	a["path"] = Arg{Type: TypePath, Required: true, Aliases: []string{"dest", "name"}}
	a["state"] = Arg{Type: TypeString, Choices: []string{"file", "directory", "link", "hard", "absent", "touch"}}
	a["src"] = Arg{Type: TypePath}
	a["recurse"] = Arg{Type: TypeBool, Default: false}
	a["force"] = Arg{Type: TypeBool, Default: false}
	a["follow"] = Arg{Type: TypeBool, Default: true}
	u := unsupportedFileArgs()
	u["access_time"] = "setting access times is not supported"
	u["modification_time"] = "setting modification times is not supported"
	u["access_time_format"] = "setting access times is not supported"
	u["modification_time_format"] = "setting modification times is not supported"
	return Schema{Args: a, Unsupported: u}
}

// kvLines parses key=value lines.
func kvLines(b []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

func filePathArg(args map[string]any) string {
	for _, k := range []string{"path", "dest", "name"} {
		if p := argString(args, k); p != "" {
			return p
		}
	}
	return ""
}

func (fileModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	p := filePathArg(args)
	if p == "" {
		return Fail("path is required")
	}
	state := argString(args, "state")
	src := argString(args, "src")
	follow := argBool(args, "follow", true)
	force := argBool(args, "force", false)
	if (state == "link" || state == "hard") && src == "" {
		return Fail(fmt.Sprintf("src is required for creating %s links", map[string]string{"link": "symbolic", "hard": "hard"}[state]))
	}
	// One session: the path, and the link source when there is one.
	script := statScript(p, statOpts{Follow: follow && state != "link" && state != "hard" && state != "absent"})
	if src != "" {
		sp := src
		if !path.IsAbs(sp) && state == "link" {
			sp = path.Join(path.Dir(p), src)
		}
		script += fmt.Sprintf("s=%s; if [ -e \"$s\" ]; then echo src_exists=1; echo src_inode=$(stat -L -c %%d:%%i -- \"$s\"); fi\necho path_inode=$(stat -c %%d:%%i -- \"$p\" 2>/dev/null)\n", ShellQuote(sp))
	}
	out, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return fr
	}
	st := parseStat(out.Stdout)
	extra := kvLines(out.Stdout)
	prev := "absent"
	if st.Exists {
		prev = fileResult(Result{}, st)["state"].(string)
	}
	if state == "" {
		state = prev
		switch {
		case prev == "hard":
			state = "file"
		case prev == "absent" && argBool(args, "recurse", false):
			state = "directory"
		case prev == "absent":
			state = "file"
		}
	}
	res := Result{"failed": false, "path": p, "state": state}
	if env.Diff {
		res["diff"] = map[string]any{"before": map[string]any{"path": p, "state": prev}, "after": map[string]any{"path": p, "state": state}}
	}
	attrs := attrsFromArgs(args)
	var cmds []string // the change, in sh, on "$p"
	changed := false
	created := false // a directory created with its attributes
	switch state {
	case "absent":
		if !st.Exists {
			res["changed"] = false
			return res
		}
		cmds = append(cmds, `rm -rf -- "$p"`)
		changed = true
	case "file":
		if !st.Exists {
			return Fail(fmt.Sprintf("file (%s) is absent, cannot continue", p))
		}
		if st.IsDir || (st.IsLnk && !follow) {
			return Fail(fmt.Sprintf("file (%s) is %s, cannot continue", p, prev))
		}
	case "touch":
		if st.Exists && st.IsDir {
			cmds = append(cmds, `touch -c -- "$p"`)
		} else {
			cmds = append(cmds, `touch -- "$p"`)
		}
		changed = true
	case "directory":
		if st.Exists && !st.IsDir {
			return Fail(fmt.Sprintf("%s already exists as a %s", p, prev))
		}
		if !st.Exists {
			// Like Ansible, every directory created on the way gets the
			// attributes too, not only the last one: remember them in
			// "$@", shallowest first, then create them all with one
			// mkdir (and one chown) — parent by parameter expansion, no
			// dirname process per level.
			m, set, err := attrs.modeChange(fileState{IsDir: true})
			if err != nil {
				return Fail(err.Error())
			}
			mk := `[ $# -eq 0 ] || mkdir -- "$@"`
			if set {
				mk = fmt.Sprintf(`[ $# -eq 0 ] || mkdir -m %04o -- "$@"`, m)
			}
			cmds = append(cmds, fmt.Sprintf(`set --; d=%s; while [ ! -e "$d" ] && [ ! -L "$d" ]; do set -- "$d" "$@"; case $d in */*) d=${d%%/*}; d=${d:-/} ;; *) d=. ;; esac; done`, ShellQuote(path.Clean(p))), mk)
			for _, c := range attrs.ownerCmds(fileState{}, `"$@"`) {
				cmds = append(cmds, "[ $# -eq 0 ] || "+c)
			}
			created = true
			changed = true
		}
	case "link":
		if st.IsLnk && st.LnkSource == src {
			break
		}
		if extra["src_exists"] == "" && !force {
			return Fail(fmt.Sprintf("src file does not exist, use \"force=yes\" if you really want to create the link: %s", src))
		}
		switch {
		case st.IsDir && !st.IsLnk:
			cmds = append(cmds, `rmdir -- "$p"`)
		case st.Exists && !st.IsLnk && !force:
			return Fail(fmt.Sprintf("refusing to convert from %s to symlink for %s", prev, p))
		}
		cmds = append(cmds, fmt.Sprintf(`ln -sfn -- %s "$p"`, ShellQuote(src)))
		changed = true
	case "hard":
		if extra["src_exists"] == "" {
			return Fail(fmt.Sprintf("src does not exist: %s", src))
		}
		if st.Exists && extra["path_inode"] == extra["src_inode"] {
			break
		}
		if st.Exists && !force && st.IsDir {
			return Fail(fmt.Sprintf("refusing to convert from %s to hard link for %s", prev, p))
		}
		cmds = append(cmds, fmt.Sprintf(`ln -f -- %s "$p"`, ShellQuote(src)))
		changed = true
	default:
		return Fail(fmt.Sprintf("value of state must be one of: absent, directory, file, hard, link, touch, got: %s", state))
	}
	if state != "absent" {
		base := st
		if state == "link" {
			base = fileState{Exists: st.IsLnk && !changed, Owner: st.Owner, Group: st.Group, UID: st.UID, GID: st.GID, IsLnk: true}
			attrs.Mode = nil // a link has no mode of its own
		} else if changed && !st.Exists {
			base = fileState{IsDir: state == "directory"}
		}
		ac, achg, err := attrs.plan(base, `"$p"`)
		if err != nil {
			return Fail(err.Error())
		}
		if created {
			ac = nil
		}
		if state == "link" {
			for i := range ac {
				ac[i] = strings.Replace(ac[i], "chown ", "chown -h ", 1)
				ac[i] = strings.Replace(ac[i], "chgrp ", "chgrp -h ", 1)
			}
		}
		if argBool(args, "recurse", false) && state == "directory" {
			rc, rchg, r := recursePlan(ctx, env, p, attrs)
			if r != nil {
				return r
			}
			ac, achg = append(ac, rc...), achg || rchg
		}
		cmds = append(cmds, ac...)
		changed = changed || achg
	}
	res["changed"] = changed
	if env.Check || !changed {
		if st.Exists && state != "absent" {
			fileResult(res, st)
			res["state"] = state
		}
		return res
	}
	sc := fmt.Sprintf("p=%s\n", ShellQuote(p)) + strings.Join(cmds, " || exit 1\n") + " || exit 1\n"
	if state != "absent" {
		sc += statScript(p, statOpts{Follow: state != "link" && state != "hard" && follow})
	}
	eres, r := runScript(ctx, env, sc, fmt.Sprintf("could not set %s to state %s", p, state))
	if r != nil {
		r["path"] = p
		return r
	}
	if state != "absent" {
		fileResult(res, parseStat(eres.Stdout))
		res["state"] = state
	}
	if state == "link" || state == "hard" {
		res["src"] = src
		res["dest"] = p
	}
	return res
}

// recursePlan decides whether anything under directory p differs from the
// wanted owner/group/mode (one session, find(1)) and returns the recursive
// commands. A symbolic mode is assumed to change something.
func recursePlan(ctx context.Context, env *Env, p string, a fileAttrs) ([]string, bool, Result) {
	var tests, cmds []string
	if a.Mode != nil {
		_, isInt := a.Mode.(int)
		sym := !isInt && strings.Trim(fmt.Sprint(a.Mode), "01234567") != ""
		m, err := applyModeSpec(a.Mode, 0, true)
		if err != nil {
			return nil, false, Fail(err.Error())
		}
		if sym {
			cmds = append(cmds, fmt.Sprintf(`chmod -R %s -- "$p"`, ShellQuote(fmt.Sprint(a.Mode))))
			tests = append(tests, "-o -true")
		} else {
			cmds = append(cmds, fmt.Sprintf(`chmod -R %04o -- "$p"`, m))
			tests = append(tests, fmt.Sprintf("-o ! -perm %04o", m))
		}
	}
	if a.Owner != "" {
		cmds = append(cmds, fmt.Sprintf(`chown -R %s -- "$p"`, ShellQuote(a.Owner)))
		tests = append(tests, "-o ! -user "+ShellQuote(a.Owner))
	}
	if a.Group != "" {
		cmds = append(cmds, fmt.Sprintf(`chgrp -R %s -- "$p"`, ShellQuote(a.Group)))
		tests = append(tests, "-o ! -group "+ShellQuote(a.Group))
	}
	if len(cmds) == 0 {
		return nil, false, nil
	}
	sc := fmt.Sprintf("p=%s\n[ -d \"$p\" ] || { echo n=1; exit 0; }\necho n=$(find \"$p\" -mindepth 1 \\( -false %s \\) -print 2>/dev/null | head -n 1 | wc -l)\n", ShellQuote(p), strings.Join(tests, " "))
	out, r := runScript(ctx, env, sc, "could not inspect "+p)
	if r != nil {
		return nil, false, r
	}
	n, _ := strconv.Atoi(strings.TrimSpace(kvLines(out.Stdout)["n"]))
	return cmds, n > 0, nil
}
