package modules

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

func init() {
	Register(yumRepositoryModule{}, "ansible.builtin.yum_repository", "ansible.legacy.yum_repository")
}

// yumRepositoryModule is Ansible's yum_repository: one [repoid] section of
// a .repo file in reposdir. The file is read in one session and parsed on
// the controller as Python's RawConfigParser reads it; the section is
// replaced (or removed) there, and the file is written back, in
// RawConfigParser's layout ("key = value", continuation lines indented
// with a tab, a blank line after each section, the new section's keys
// sorted), only when the sorted dump of the file's sections differs, as
// Ansible decides. One more session writes (or removes) it.
type yumRepositoryModule struct{}

func (yumRepositoryModule) Name() string { return "yum_repository" }

// yumRepoAllowed are the keys Ansible writes into the section ("name" is
// the description).
var yumRepoAllowed = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`async bandwidth baseurl cost deltarpm_metadata_percentage deltarpm_percentage
		enabled enablegroups exclude failovermethod gpgcakey gpgcheck gpgkey module_hotfixes http_caching include
		includepkgs ip_resolve keepalive keepcache metadata_expire metadata_expire_filter metalink mirrorlist
		mirrorlist_expire name password priority protect proxy proxy_password proxy_username repo_gpgcheck retries
		s3_enabled skip_if_unavailable sslcacert ssl_check_cert_permissions sslclientcert sslclientkey sslverify
		throttle timeout ui_repoid_vars username`) {
		yumRepoAllowed[k] = true
	}
}

// yumRepoBools are the boolean arguments (written as 0/1).
var yumRepoBools = []string{"async", "enabled", "enablegroups", "gpgcheck", "module_hotfixes", "keepalive", "protect",
	"repo_gpgcheck", "s3_enabled", "skip_if_unavailable", "ssl_check_cert_permissions", "sslverify"}

// yumRepoChoices are the string arguments with fixed values.
var yumRepoChoices = map[string][]string{
	"failovermethod":         {"roundrobin", "priority"},
	"http_caching":           {"all", "packages", "none"},
	"ip_resolve":             {"4", "6", "IPv4", "IPv6", "whatever"},
	"keepcache":              {"0", "1"},
	"metadata_expire_filter": {"never", "read-only:past", "read-only:present", "read-only:future"},
}

// yumRepoDefaultDir is reposdir's default.
var yumRepoDefaultDir = "/etc/yum.repos.d"

func (yumRepositoryModule) Schema() Schema {
	a := fileArgs()
	for _, k := range []string{"bandwidth", "cost", "deltarpm_metadata_percentage", "deltarpm_percentage", "description",
		"file", "gpgcakey", "include", "metadata_expire", "metalink", "mirrorlist", "mirrorlist_expire", "password",
		"priority", "proxy", "proxy_password", "proxy_username", "retries", "throttle", "timeout", "ui_repoid_vars", "username"} {
		a[k] = Arg{Type: TypeString}
	}
	for k, c := range yumRepoChoices {
		a[k] = Arg{Type: TypeString, Choices: c}
	}
	for _, k := range yumRepoBools {
		a[k] = Arg{Type: TypeBool}
	}
	for _, k := range []string{"baseurl", "exclude", "gpgkey", "includepkgs"} {
		a[k] = Arg{Type: TypeList}
	}
	a["name"] = Arg{Type: TypeString, Required: true}
	a["sslcacert"] = Arg{Type: TypeString, Aliases: []string{"ca_cert"}}
	a["sslclientcert"] = Arg{Type: TypeString, Aliases: []string{"client_cert"}}
	a["sslclientkey"] = Arg{Type: TypeString, Aliases: []string{"client_key"}}
	a["sslverify"] = Arg{Type: TypeBool, Aliases: []string{"validate_certs"}}
	a["reposdir"] = Arg{Type: TypePath, Default: "/etc/yum.repos.d"}
	a["state"] = Arg{Type: TypeString, Default: "present", Choices: []string{"present", "absent"}}
	u := unsupportedFileArgs()
	u["params"] = "The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling"
	return Schema{Args: a, Unsupported: u}
}

// pyStrList is Ansible's list of str: a list's items, or a string split
// at commas (not trimmed), or a scalar as a one-item list.
func pyStrListArg(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, pyStrArg(e))
		}
		return out
	case []string:
		return x
	case string:
		return strings.Split(x, ",")
	default:
		return []string{pyStrArg(x)}
	}
}

// argAlias returns args[k] or the first of its aliases that is set.
func argAlias(args map[string]any, k string, aliases ...string) (any, bool) {
	for _, n := range append([]string{k}, aliases...) {
		if v, ok := args[n]; ok && v != nil {
			return v, true
		}
	}
	return nil, false
}

func (yumRepositoryModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	repoid := argString(args, "name")
	state := argString(args, "state")
	if state == "" {
		state = "present"
	}
	if state != "present" && state != "absent" {
		return Fail(fmt.Sprintf("value of state must be one of: absent, present, got: %s", state))
	}
	if _, ok := args["params"]; ok && args["params"] != nil {
		return Fail("The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling")
	}
	// The section's values, as Ansible's add() sets them.
	vals := map[string]string{}
	set := func(k string, v any) {
		if v == nil {
			return
		}
		vals[k] = pyStrArg(v)
	}
	aliases := map[string][]string{"sslcacert": {"ca_cert"}, "sslclientcert": {"client_cert"},
		"sslclientkey": {"client_key"}, "sslverify": {"validate_certs"}}
	for k := range yumRepoAllowed {
		v, ok := argAlias(args, k, aliases[k]...)
		if k == "name" {
			v, ok = argAlias(args, "description")
		}
		if !ok {
			continue
		}
		switch k {
		case "baseurl", "gpgkey":
			set(k, strings.Join(pyStrListArg(v), "\n"))
		case "exclude", "includepkgs":
			set(k, strings.Join(pyStrListArg(v), " "))
		default:
			if c, ok := yumRepoChoices[k]; ok && !yumContains(c, pyStrArg(v)) {
				return Fail(fmt.Sprintf("value of %s must be one of: %s, got: %s", k, strings.Join(c, ", "), pyStrArg(v)))
			}
			set(k, v)
		}
	}
	for _, k := range yumRepoBools {
		v, ok := argAlias(args, k, aliases[k]...)
		if !ok {
			continue
		}
		b, isBool := pyBoolArg(v)
		if !isBool {
			return Fail(fmt.Sprintf("argument '%s' is of type %T and we were unable to convert to bool", k, v))
		}
		vals[k] = map[bool]string{true: "1", false: "0"}[b]
	}
	if state == "present" {
		_, hasBase := vals["baseurl"]
		_, hasMeta := vals["metalink"]
		_, hasMirror := vals["mirrorlist"]
		if !hasBase && !hasMeta && !hasMirror {
			return Fail("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.")
		}
		if _, ok := vals["name"]; !ok {
			return Fail("Parameter 'description' is required.")
		}
		if repoid == "DEFAULT" {
			return Fail("Invalid section name: 'DEFAULT'")
		}
	}
	reposdir := argString(args, "reposdir")
	if reposdir == "" {
		reposdir = yumRepoDefaultDir
	}
	file := repoid
	if f, ok := args["file"]; ok && f != nil {
		file = pyStrArg(f)
	}
	dest := pyJoin(reposdir, file+".repo")

	script := fmt.Sprintf("[ -d %s ] && echo reposdir_ok=1\n", ShellQuote(reposdir)) +
		statScript(dest, statOpts{Follow: true, Content: true})
	res, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("could not read %s: %s", dest, strings.TrimSpace(string(res.Stderr))))
	}
	if !strings.HasPrefix(string(res.Stdout), "reposdir_ok=1\n") {
		return Fail(fmt.Sprintf("Repo directory '%s' does not exist.", reposdir))
	}
	st := parseStat(res.Stdout)
	if st.IsDir {
		return Fail(fmt.Sprintf("Problems handling file %s.", dest))
	}
	ini := &pyINI{}
	isFile := st.Exists && st.IsReg
	if isFile {
		if !st.HasContent {
			return Fail(fmt.Sprintf("could not read %s", dest))
		}
		var err error
		if ini, err = parsePyINI(string(st.Content), dest); err != nil {
			return Fail(fmt.Sprintf("could not parse %s: %v", dest, err))
		}
	}
	before := ini.dump()
	if state == "present" {
		ini.remove(repoid)
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sec := &pyINISection{name: repoid, vals: map[string]string{}}
		for _, k := range keys {
			sec.keys = append(sec.keys, k)
			sec.vals[k] = vals[k]
		}
		ini.sections = append(ini.sections, sec)
	} else {
		ini.remove(repoid)
	}
	after := ini.dump()
	changed := before != after
	out := Result{"failed": false, "changed": changed, "repo": repoid, "state": state}
	if env.Diff {
		out["diff"] = map[string]any{"before_header": dest, "before": before, "after_header": dest, "after": after}
	}
	if changed && len(ini.sections) == 0 {
		// No section left: Ansible removes the file.
		if !env.Check {
			if _, fr := runScript(ctx, env, "rm -f -- "+ShellQuote(dest), "Cannot remove empty repo file "+dest); fr != nil {
				return fr
			}
		}
		return out
	}
	if !isFile && !changed {
		return out
	}
	if !isFile && env.Check {
		// The file would be created; Ansible sets no attributes on a file
		// that is not there.
		return out
	}
	// Write the new content (when changed) and the task's mode, owner and
	// group (which Ansible sets on the file whenever it exists).
	scratch := Result{}
	r := applyFile(ctx, env, args, dest, st, []byte(ini.write()), changed, false, scratch)
	if r.Failed() || r.Unreachable() {
		return r
	}
	out["changed"] = r.Changed()
	return out
}

func yumContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// pyBool converts a boolean argument as Ansible's check_type_bool does.
func pyBoolArg(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case string:
		switch strings.ToLower(x) {
		case "yes", "on", "1", "true", "y", "t", "1.0":
			return true, true
		case "no", "off", "0", "false", "n", "f", "0.0":
			return false, true
		}
	}
	return false, false
}

// pyJoin is Python's os.path.join of two parts.
func pyJoin(dir, name string) string {
	switch {
	case strings.HasPrefix(name, "/"):
		return name
	case dir == "" || strings.HasSuffix(dir, "/"):
		return dir + name
	default:
		return dir + "/" + name
	}
}

// pyINI is what Python's RawConfigParser holds after reading a file:
// DEFAULT's options and the sections, in file order, each with its
// options in file order (names lowercased).
type pyINI struct {
	defaults *pyINISection
	sections []*pyINISection
}

type pyINISection struct {
	name string
	keys []string
	vals map[string]string
}

func (s *pyINISection) set(k, v string) {
	if _, ok := s.vals[k]; !ok {
		s.keys = append(s.keys, k)
	}
	s.vals[k] = v
}

func (f *pyINI) section(name string) *pyINISection {
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (f *pyINI) remove(name string) {
	for i, s := range f.sections {
		if s.name == name {
			f.sections = append(f.sections[:i:i], f.sections[i+1:]...)
			return
		}
	}
}

// parsePyINI reads content as RawConfigParser.read does (Python 3:
// delimiters = and :, full-line comments # and ;, no inline comments,
// indented continuation lines, empty lines kept inside values, strict:
// duplicate sections and options are errors).
func parsePyINI(content, fname string) (*pyINI, error) {
	f := &pyINI{}
	content = strings.ReplaceAll(content, "\r\n", "\n")
	content = strings.ReplaceAll(content, "\r", "\n")
	lines := strings.SplitAfter(content, "\n")
	var cur *pyINISection
	var curName, opt string
	multi := map[*pyINISection]map[string][]string{}
	added := map[string]bool{}
	indent := 0
	const maxIndent = int(^uint(0) >> 1)
	var bad []string
	for n, line := range lines {
		if line == "" {
			continue
		}
		lineno := n + 1
		stripped := strings.TrimFunc(line, unicode.IsSpace)
		comment := strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";")
		value := stripped
		if comment {
			value = ""
		}
		if value == "" {
			if !comment && cur != nil && opt != "" {
				multi[cur][opt] = append(multi[cur][opt], "")
			}
			continue
		}
		curIndent := strings.IndexFunc(line, func(r rune) bool { return !unicode.IsSpace(r) })
		if cur != nil && opt != "" && curIndent > indent {
			multi[cur][opt] = append(multi[cur][opt], value)
			continue
		}
		indent = curIndent
		if strings.HasPrefix(value, "[") {
			if j := strings.LastIndex(value, "]"); j >= 2 {
				name := value[1:j]
				switch {
				case f.section(name) != nil:
					return nil, fmt.Errorf("While reading from %q [line %2d]: section %q already exists", fname, lineno, name)
				case name == "DEFAULT":
					if f.defaults == nil {
						f.defaults = &pyINISection{name: name, vals: map[string]string{}}
						multi[f.defaults] = map[string][]string{}
					}
					cur = f.defaults
				default:
					cur = &pyINISection{name: name, vals: map[string]string{}}
					multi[cur] = map[string][]string{}
					f.sections = append(f.sections, cur)
				}
				curName, opt = name, ""
				continue
			}
		}
		if cur == nil {
			return nil, fmt.Errorf("File contains no section headers.\nfile: %q, line: %d\n%q", fname, lineno, line)
		}
		i := strings.IndexAny(value, "=:")
		if i < 0 {
			bad = append(bad, fmt.Sprintf("[line %2d]: %q", lineno, line))
			continue
		}
		name := strings.ToLower(strings.TrimRightFunc(value[:i], unicode.IsSpace))
		if name == "" {
			bad = append(bad, fmt.Sprintf("[line %2d]: %q", lineno, line))
		}
		if added[curName+"\x00"+name] {
			return nil, fmt.Errorf("While reading from %q [line %2d]: option %q in section %q already exists", fname, lineno, name, curName)
		}
		added[curName+"\x00"+name] = true
		opt = name
		if _, ok := multi[cur][name]; !ok {
			cur.keys = append(cur.keys, name)
		}
		multi[cur][name] = []string{strings.TrimFunc(value[i+1:], unicode.IsSpace)}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("Source contains parsing errors: %q\n\t%s", fname, strings.Join(bad, "\n\t"))
	}
	for s, m := range multi {
		for k, v := range m {
			s.vals[k] = strings.TrimRightFunc(strings.Join(v, "\n"), unicode.IsSpace)
		}
	}
	return f, nil
}

// dump is Ansible's YumRepo.dump: the sections sorted, each with its
// options (DEFAULT's included) sorted, "key = value".
func (f *pyINI) dump() string {
	secs := append([]*pyINISection(nil), f.sections...)
	sort.Slice(secs, func(i, j int) bool { return secs[i].name < secs[j].name })
	var sb strings.Builder
	for _, s := range secs {
		vals := map[string]string{}
		if f.defaults != nil {
			for k, v := range f.defaults.vals {
				vals[k] = v
			}
		}
		for k, v := range s.vals {
			vals[k] = v
		}
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&sb, "[%s]\n", s.name)
		for _, k := range keys {
			fmt.Fprintf(&sb, "%s = %s\n", k, vals[k])
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// write is RawConfigParser.write: DEFAULT first when it has options, then
// the sections in order, multi-line values continued with a tab.
func (f *pyINI) write() string {
	var sb strings.Builder
	w := func(s *pyINISection) {
		fmt.Fprintf(&sb, "[%s]\n", s.name)
		for _, k := range s.keys {
			fmt.Fprintf(&sb, "%s = %s\n", k, strings.ReplaceAll(s.vals[k], "\n", "\n\t"))
		}
		sb.WriteString("\n")
	}
	if f.defaults != nil && len(f.defaults.keys) > 0 {
		w(f.defaults)
	}
	for _, s := range f.sections {
		w(s)
	}
	return sb.String()
}
