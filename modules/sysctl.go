package modules

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

func init() {
	Register(sysctlModule{}, "ansible.posix.sysctl")
}

// sysctlModule is ansible.posix.sysctl: a kernel parameter in a sysctl
// file, optionally set in the running kernel and reloaded.
//
// It follows plugins/modules/sysctl.py of ansible-collections/ansible.posix
// as of commit f392e407f9c47095968a3fd5a053265eac23b83e, on Linux:
//
//   - the same arguments and defaults (name/key, value/val, state, reload
//     true, sysctl_set false, ignoreerrors false, sysctl_file
//     /etc/sysctl.conf), the same checks and messages (required_if value
//     for present, "name cannot be blank", "value cannot be blank");
//   - the same normalisation: the name is stripped, the value is "1"/"0"
//     for Ansible's boolean words (yes/on/true/1/y/t, no/off/false/0/n/f,
//     any case), else stripped; the running value (`sysctl -e -n NAME`,
//     none when it fails) is compared word by word;
//   - the same file handling: lines are stripped, `key = value` lines are
//     rewritten `key=value`, the first line of the key gets the new value
//     (later duplicates of any key are dropped), a missing key is appended,
//     state=absent drops it, and the file is rewritten only when its value
//     differs (or the key is missing for present, or present for absent);
//   - the same changed rule: file written, or (reload) running value
//     differs, or (sysctl_set) running value differs or is unknown; and
//     the same actions in the same order: `sysctl [-e] -w NAME=VALUE` when
//     sysctl_set and the running value differs, the file, then
//     `sysctl [-e] -p FILE` when changed and reload (the module does not
//     use `sysctl --system`), each failing on a non-zero exit or on
//     stderr's `sysctl: setting key "...": Invalid argument|Read-only file
//     system` ("setting NAME failed: OUT+ERR", "Failed to reload sysctl:
//     OUT+ERR"); the result is only `changed`, as the module's.
//
// One session reads the running value and the file, one more (only when
// something is to be done) sets, writes the file atomically (the old
// file's mode and owner kept, as atomic_move does) and reloads. In check
// mode only the first runs. The module takes no file attributes (no mode,
// owner, group).
type sysctlModule struct{}

func (sysctlModule) Name() string { return "sysctl" }

func (sysctlModule) Schema() Schema {
	const noAttrs = "ansible.posix.sysctl takes no file attributes; set them with ansible.builtin.file"
	u := map[string]string{"mode": noAttrs, "owner": noAttrs, "group": noAttrs}
	for k, v := range unsupportedFileArgs() {
		u[k] = v
	}
	return Schema{
		Args: map[string]Arg{
			"name":         {Type: TypeString, Required: true, Aliases: []string{"key"}},
			"value":        {Type: TypeString, Aliases: []string{"val"}},
			"state":        {Type: TypeString, Default: "present", Choices: []string{"present", "absent"}},
			"reload":       {Type: TypeBool, Default: true},
			"sysctl_set":   {Type: TypeBool, Default: false},
			"ignoreerrors": {Type: TypeBool, Default: false},
			"sysctl_file":  {Type: TypePath, Default: "/etc/sysctl.conf"},
		},
		Unsupported: u,
	}
}

// sysctlMark separates the parts of the sysctl scripts' output.
const sysctlMark = "__DROVER_SYSCTL_5c1e__"

// sysctlPath is the module's get_bin_path search: PATH, then the sbin
// directories.
const sysctlPath = `PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin
command -v sysctl >/dev/null 2>&1 || { echo "Failed to find required executable \"sysctl\" in paths: $PATH" >&2; exit 127; }
`

// sysctlStep runs one sysctl command line (LANG=C, as the module) and
// prints its stdout, then its stderr and its exit status between markers;
// it exits with code when the module would fail on it.
func sysctlStep(label, cmd string, code int) string {
	return fmt.Sprintf(`printf '%%s\n' '%[1]s %[2]s'
{ e=$(LANG=C LC_ALL=C LC_MESSAGES=C %[3]s 2>&1 >&3 3>&-; echo ".$?"); } 3>&1
rc=${e##*.}; e=${e%%.*}
printf '\n%%s\n%%s\n%%s\n' '%[1]s err' "$e" "%[1]s rc=$rc"
if [ "$rc" != 0 ] || printf '%%s' "$e" | grep -Eq '^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$'; then exit %[4]d; fi
`, sysctlMark, label, cmd, code)
}

// sysctlStepOutput cuts a step's stdout and stderr out of the script's
// output.
func sysctlStepOutput(out, label string) (stdout, stderr string) {
	head := sysctlMark + " " + label + "\n"
	i := strings.Index(out, head)
	if i < 0 {
		return "", ""
	}
	rest := out[i+len(head):]
	j := strings.Index(rest, "\n"+sysctlMark+" err\n")
	if j < 0 {
		return rest, ""
	}
	stdout, rest = rest[:j], rest[j+len("\n"+sysctlMark+" err\n"):]
	if k := strings.Index(rest, "\n"+sysctlMark+" rc="); k >= 0 {
		rest = rest[:k]
	}
	return stdout, rest
}

// sysctlValue is the module's _parse_value of the value as Ansible's str.
func sysctlValue(v any) string {
	if v == nil {
		return ""
	}
	s := pyStrArg(v)
	if f, ok := v.(float64); ok {
		s = strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
	}
	switch strings.ToLower(s) {
	case "y", "yes", "on", "1", "true", "t":
		return "1"
	case "n", "no", "off", "0", "false", "f":
		return "0"
	}
	return pyStripSpace(s)
}

// sysctlValuesEqual is the module's _values_is_equal (proc is nil when
// the running value is unknown).
func sysctlValuesEqual(proc *string, want string) bool {
	if proc == nil {
		return false
	}
	a, b := strings.FieldsFunc(*proc, isPySpace), strings.FieldsFunc(want, isPySpace)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sysctlEdit is the module's read_sysctl_file and fix_lines: the value of
// name in the file (nil when absent) and the file's new content.
func sysctlEdit(content []byte, name, value string, present bool) (fileValue *string, out string) {
	s := strings.ReplaceAll(string(content), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var lines []string
	for _, l := range splitKeepEnds([]byte(s)) {
		lines = append(lines, pyStripSpace(l))
	}
	isEntry := func(l string) bool {
		return l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, ";") && strings.Contains(l, "=")
	}
	for _, l := range lines {
		if !isEntry(l) {
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		if pyStripSpace(k) == name {
			v = pyStripSpace(v)
			fileValue = &v
		}
	}
	var sb strings.Builder
	checked := map[string]bool{}
	for _, l := range lines {
		if !isEntry(l) {
			sb.WriteString(l + "\n")
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		k, v = pyStripSpace(k), pyStripSpace(v)
		if checked[k] {
			continue
		}
		checked[k] = true
		if k != name {
			sb.WriteString(pyStripSpace(k+"="+v) + "\n")
		} else if present {
			sb.WriteString(pyStripSpace(k+"="+value) + "\n")
		}
	}
	if !checked[name] && present {
		sb.WriteString(pyStripSpace(name+"="+value) + "\n")
	}
	return fileValue, sb.String()
}

func (sysctlModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	rawName, _ := argAlias(args, "name", "key")
	rawValue, hasValue := argAlias(args, "value", "val")
	present := strArg(args, "state", "present") != "absent"
	if rawName == nil {
		return Fail("missing required arguments: name")
	}
	if present && !hasValue {
		return Fail("state is present but all of the following are missing: value")
	}
	if pyStrArg(rawName) == "" {
		return Fail("name cannot be blank")
	}
	if present && pyStrArg(rawValue) == "" {
		return Fail("value cannot be blank")
	}
	name := pyStripSpace(pyStrArg(rawName))
	value := sysctlValue(rawValue)
	reload := argBool(args, "reload", true)
	sysctlSet := argBool(args, "sysctl_set", false)
	ignore := argBool(args, "ignoreerrors", false)
	file := strArg(args, "sysctl_file", "/etc/sysctl.conf")

	// One session: the running value, then the file.
	script := sysctlPath + fmt.Sprintf(`v=$(LANG=C LC_ALL=C LC_MESSAGES=C sysctl -e -n %s 2>/dev/null; echo ".$?")
printf '%%s\n%%s\n%%s\n' "%[2]s rc=${v##*.}" "${v%%.*}" '%[2]s file'
`, ShellQuote(name), sysctlMark) + statScript(file, statOpts{Follow: true, Content: true})
	res, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(string(res.Stderr))
		if res.ExitCode == 3 {
			msg = fmt.Sprintf("Failed to open %s: %s", file, msg)
		}
		return Fail(msg)
	}
	out := string(res.Stdout)
	head := sysctlMark + " rc="
	i := strings.Index(out, head)
	j := strings.Index(out, "\n"+sysctlMark+" file\n")
	if i < 0 || j < i {
		return Fail("could not read the value of " + name)
	}
	rc, procOut, _ := strings.Cut(out[i+len(head):j], "\n")
	var proc *string
	if rc == "0" {
		proc = &procOut
	}
	st := parseStat([]byte(out[j+len("\n"+sysctlMark+" file\n"):]))
	var content []byte
	if st.IsReg && st.HasContent {
		content = st.Content
	}
	fileValue, newContent := sysctlEdit(content, name, value, present)

	changed, writeFile, setProc := false, false, false
	switch {
	case fileValue == nil && present:
		changed, writeFile = true, true
	case fileValue == nil && !present:
	case *fileValue != "" && !present:
		changed, writeFile = true, true
	case *fileValue != value:
		changed, writeFile = true, true
	case reload:
		if !sysctlValuesEqual(proc, value) {
			changed = true
		}
	}
	if sysctlSet && present {
		if proc == nil {
			changed = true
		} else if !sysctlValuesEqual(proc, value) {
			changed, setProc = true, true
		}
	}
	result := Result{"changed": changed, "failed": false}
	doReload := changed && reload
	if env.Check || !setProc && !writeFile && !doReload {
		return result
	}

	e := ""
	if ignore {
		e = "-e "
	}
	var parts []string
	parts = append(parts, sysctlPath)
	if setProc {
		parts = append(parts, sysctlStep("set", "sysctl "+e+"-w "+ShellQuote(name+"="+value), 10))
	}
	if writeFile {
		nf, err := newFileAttrs(fileAttrs{}, st)
		if err != nil {
			return Fail(err.Error())
		}
		var write, tmp string
		if len(newContent) <= inlineContent {
			write = "printf '%b' " + PrintfEscape([]byte(newContent)) + ` > "$t" || exit 1`
		} else {
			tmp = remoteTemp()
			if err := env.Conn.Upload(ctx, tmp, strings.NewReader(newContent), 0o600); err != nil {
				if IsUnreachable(err) {
					return UnreachableResult(err)
				}
				return Fail(fmt.Sprintf("could not upload to %s: %v", file, err))
			}
			write = `cat -- "$tmp" > "$t" || exit 1`
		}
		parts = append(parts, installScript(tmp, file, write, nf, "", false))
	}
	if doReload {
		parts = append(parts, sysctlStep("reload", "sysctl "+e+"-p "+ShellQuote(file), 11))
	}
	wres, fr := Exec(ctx, env, strings.Join(parts, "\n"), nil)
	if fr != nil {
		return fr
	}
	wout := string(wres.Stdout)
	switch wres.ExitCode {
	case 0:
		return result
	case 10:
		o, er := sysctlStepOutput(wout, "set")
		return Fail(fmt.Sprintf("setting %s failed: %s", name, o+er))
	case 11:
		o, er := sysctlStepOutput(wout, "reload")
		return Fail("Failed to reload sysctl: " + o + er)
	case 127:
		return Fail(strings.TrimSpace(string(wres.Stderr)))
	default:
		return Fail(fmt.Sprintf("could not write %s: %s", file, strings.TrimSpace(string(wres.Stderr))))
	}
}
