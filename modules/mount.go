package modules

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func init() {
	Register(mountModule{}, "ansible.posix.mount")
}

// mountModule is ansible.posix.mount on Linux, following
// ansible-collections/ansible.posix plugins/modules/mount.py at commit
// 01ee2fa3a35c8801072da8e6375283524b9b6c1d and its module_utils/mount.py
// (ismount, a copy of Python's os.path.ismount): the same arguments,
// defaults and required_if, the same fstab editing line by line
// (_set_mount_save_old, unset_mount: escaping of space, & and \ as \040,
// \046, \134; 4 to 6 fields, dump and passno defaulting to 0 so that a
// shorter entry is rewritten; matching by mount point, or by src for
// swap; comments, blank and foreign lines kept), the same test of whether
// the path is mounted (ismount: lstat of the path and of its real parent;
// or an entry of /proc/self/mountinfo as get_linux_mounts reads it, with
// the mount -l fallback when it cannot be read), the same mount, umount
// and remount command lines (-T fstab for another fstab, mount -o remount
// with the umount+mount fallback) and the same restoring of fstab and
// created directories when mounting fails. Result: changed and the
// module's args (name, src, fstype, opts, dump, passno, fstab, boot,
// backup_file).
//
// One session reads (fstab, the path's mount state, mountinfo; for
// ephemeral also mount -v), one acts.
type mountModule struct{}

func (mountModule) Name() string { return "mount" }

func (mountModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"path":        {Type: TypePath, Required: true, Aliases: []string{"name"}},
		"src":         {Type: TypePath},
		"fstype":      {Type: TypeString},
		"opts":        {Type: TypeString},
		"opts_no_log": {Type: TypeBool, Default: false},
		"dump":        {Type: TypeString, Default: "0"},
		"passno":      {Type: TypeString, Default: "0"},
		"state": {Type: TypeString, Required: true, Choices: []string{"absent", "absent_from_fstab", "absent_mount",
			"mounted", "present", "unmounted", "remounted", "ephemeral"}},
		"fstab":  {Type: TypeString},
		"boot":   {Type: TypeBool, Default: true},
		"backup": {Type: TypeBool, Default: false},
	}}
}

// mountinfoPath is the file get_linux_mounts reads (tests replace it).
var mountinfoPath = "/proc/self/mountinfo"

const mountMark = "@@drover-mount:"

func (mountModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	state := argString(args, "state")
	name := argString(args, "path")
	if name == "" {
		name = argString(args, "name")
	}
	if name == "" {
		return Fail("missing required arguments: path")
	}
	given := func(k string) (string, bool) {
		v, ok := args[k]
		if !ok || v == nil {
			return "", false
		}
		return argString(args, k), true
	}
	if state == "mounted" || state == "present" || state == "ephemeral" {
		var missing []string
		for _, k := range []string{"src", "fstype"} {
			if _, ok := given(k); !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return Fail(fmt.Sprintf("state is %s but all of the following are missing: %s", state, strings.Join(missing, ", ")))
		}
	}
	a := &mountArgs{name: name, opts: "defaults", dump: "0", passno: "0", fstab: "/etc/fstab", boot: "yes"}
	for _, k := range []string{"src", "fstype", "passno", "opts", "dump", "fstab"} {
		v, ok := given(k)
		if !ok {
			continue
		}
		switch k {
		case "src":
			a.src, a.hasSrc = v, true
		case "fstype":
			a.fstype, a.hasFstype = v, true
		case "passno":
			a.passno = v
		case "opts":
			a.opts = v
		case "dump":
			a.dump = v
		case "fstab":
			a.fstab = v
		}
	}
	var warnings []string
	boot := argBool(args, "boot", true)
	opts := strings.Split(a.opts, ",")
	if boot && slices.Contains(opts, "noauto") {
		warnings = append(warnings, "Ignore the 'boot' due to 'opts' contains 'noauto'.")
	} else if !boot {
		a.boot = "no"
		a.opts = strings.Join(append(opts, "noauto"), ",")
	}
	backup := argBool(args, "backup", false)

	st, fr := mountRead(ctx, env, a, state == "ephemeral")
	if fr != nil {
		return fr
	}
	if st.linux == nil {
		warnings = append(warnings, "Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted.")
	}
	backupFile := ""
	finish := func(r Result) Result {
		if len(warnings) > 0 {
			r["warnings"] = warnings
		}
		if v, ok := given("opts"); ok && v != "" && argBool(args, "opts_no_log", false) {
			for k, x := range r {
				if s, ok := x.(string); ok {
					r[k] = strings.ReplaceAll(s, v, "********")
				}
			}
		}
		return r
	}
	result := func(changed bool) Result {
		r := Result{"failed": false, "changed": changed, "name": a.name, "opts": a.opts, "dump": a.dump,
			"passno": a.passno, "fstab": a.fstab, "boot": a.boot, "backup_file": backupFile}
		if a.hasSrc {
			r["src"] = a.src
		}
		if a.hasFstype {
			r["fstype"] = a.fstype
		}
		return finish(r)
	}
	fail := func(msg string) Result { return finish(Fail(msg)) }

	// The act session, built as the module would go.
	s := &mountScript{a: a, state: state, backup: backup}
	if state != "ephemeral" && !st.fstabExists && !env.Check {
		s.createFstab()
	}
	mounted := func(src, fstype *string) bool { return st.isMount || st.isBindMounted(a.name, src, fstype) }
	changed := false
	switch state {
	case "absent_from_fstab", "absent", "absent_mount":
		var lines []string
		lines, changed = mountUnset(a, st.fstab)
		if changed && !env.Check {
			s.writeFstab(lines, false)
			if state != "absent_from_fstab" {
				if mounted(nil, nil) {
					s.umount("unmount")
				}
				if state == "absent" {
					s.rmdirMountpoint()
				}
			}
		}
	case "unmounted":
		if mounted(nil, nil) {
			if !env.Check {
				s.umount("unmount")
			}
			changed = true
		}
	case "mounted", "ephemeral":
		if !st.pathExists && !env.Check {
			s.mkdirs()
		}
		var old []string
		if state != "ephemeral" {
			var lines []string
			lines, old, changed = mountSet(a, st.fstab)
			if changed && !env.Check {
				s.writeFstab(lines, true)
			}
		}
		s.restore, s.hasRestore = old, state != "ephemeral"
		if mounted(&a.src, &a.fstype) {
			if changed && !env.Check {
				s.remount("mount")
				changed = true
			}
			if state == "ephemeral" {
				same, msg := st.sameMountSrc(a.src, a.name)
				if msg != "" {
					return fail(msg)
				}
				if !same {
					return fail("Ephemeral mount point is already mounted with a different source than the specified one. " +
						"Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with " +
						"a \"state: unmounted\" followed by a \"state: ephemeral\", or use a different destination path.")
				}
				changed = true
				if !env.Check {
					s.remount("mount")
				}
			}
		} else {
			changed = true
			if !env.Check {
				s.mount("mount")
			}
		}
	case "present":
		var lines []string
		lines, _, changed = mountSet(a, st.fstab)
		if changed && !env.Check {
			s.writeFstab(lines, true)
		}
	case "remounted":
		if !env.Check {
			s.remount("remount")
		}
		changed = true
	default:
		return fail("Unexpected position reached")
	}
	if s.empty() {
		return result(changed)
	}
	res, fr := Exec(ctx, env, s.String(), nil)
	if fr != nil {
		return fr
	}
	out := string(res.Stdout)
	if res.ExitCode != 0 {
		return fail(fmt.Sprintf("could not update %s: %s", a.fstab, strings.TrimSpace(string(res.Stderr))))
	}
	head, failOut, failed := strings.Cut(out, mountMark+"fail ")
	for _, l := range strings.Split(head, "\n") {
		if b, ok := strings.CutPrefix(l, mountMark+"backup "); ok {
			backupFile = b
		}
	}
	if failed {
		kind, msg, _ := strings.Cut(failOut, "\n")
		switch kind {
		case "mount":
			return fail(fmt.Sprintf("Error mounting %s: %s", a.name, msg))
		case "unmount":
			return fail(fmt.Sprintf("Error unmounting %s: %s", a.name, msg))
		case "remount":
			return fail(fmt.Sprintf("Error remounting %s: %s", a.name, msg))
		case "remountopts":
			return fail("Options were specified with remounted, but the remount command failed. Failing in order to " +
				"prevent an unexpected mount result. Try replacing this command with a \"state: unmounted\" followed by " +
				"a \"state: mounted\" using the full desired mount options instead.")
		case "rmdir":
			return fail(fmt.Sprintf("Error rmdir %s: %s", a.name, strings.TrimSpace(msg)))
		case "mkdir":
			return fail(fmt.Sprintf("Error making dir %s: %s", a.name, strings.TrimSpace(msg)))
		case "fstab":
			if strings.Contains(msg, "ermission denied") {
				return fail(fmt.Sprintf("Failed to open %s due to permission issue", a.fstab))
			}
			return fail(fmt.Sprintf("Failed to open %s due to %s", a.fstab, strings.TrimSpace(msg)))
		}
		return fail(strings.TrimSpace(failOut))
	}
	return result(changed)
}
