package modules

import (
	"context"
	"fmt"
	"math/rand"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func init() {
	Register(aptRepositoryModule{}, "ansible.builtin.apt_repository", "ansible.legacy.apt_repository")
}

// aptRepositoryModule is Ansible's apt_repository without python-apt: one
// session reads /etc/apt/sources.list and /etc/apt/sources.list.d/*.list
// (with their modes), the lines are parsed and edited on the controller as
// Ansible's SourcesList does, and one session writes the files whose
// content changed (atomically, keeping mode and owner), runs apt-get
// update (with Ansible's retries) and puts the files back when it fails.
type aptRepositoryModule struct{}

func (aptRepositoryModule) Name() string { return "apt_repository" }

// The files apt reads its sources from (Dir::Etc::sourcelist and
// Dir::Etc::sourceparts at their defaults); tests point them elsewhere.
var (
	aptSourcesList = "/etc/apt/sources.list"
	aptSourcesDir  = "/etc/apt/sources.list.d"
)

func (aptRepositoryModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"repo":                         {Type: TypeString, Required: true},
		"state":                        {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
		"mode":                         {Type: TypeAny},
		"update_cache":                 {Type: TypeBool, Default: true, Aliases: []string{"update-cache"}},
		"update_cache_retries":         {Type: TypeInt, Default: 5},
		"update_cache_retry_max_delay": {Type: TypeInt, Default: 12},
		"filename":                     {Type: TypeString},
		"codename":                     {Type: TypeString},
		// install_python_apt: drover needs no python-apt; validate_certs
		// only concerns the Launchpad lookup of a new PPA, which drover
		// refuses. Both are accepted, as they change nothing here.
		"install_python_apt": {Type: TypeBool, Default: true},
		"validate_certs":     {Type: TypeBool, Default: true},
	}}
}

// aptSrcLine is one line of a sources file as SourcesList._parse sees it.
type aptSrcLine struct {
	valid, enabled  bool
	source, comment string
}

func (l aptSrcLine) String() string {
	var sb strings.Builder
	if !l.enabled {
		sb.WriteString("# ")
	}
	sb.WriteString(l.source)
	if l.comment != "" {
		sb.WriteString(" # " + l.comment)
	}
	sb.WriteString("\n")
	return sb.String()
}

// aptParseLine is SourcesList._parse. bad is the text InvalidSource names.
func aptParseLine(line string) (l aptSrcLine, bad string) {
	l.enabled = true
	line = strings.TrimFunc(line, isPySpace)
	if strings.HasPrefix(line, "#") {
		l.enabled = false
		line = line[1:]
	}
	if i := strings.Index(line, "#"); i > 0 {
		l.comment = strings.TrimFunc(line[i+1:], isPySpace)
		line = line[:i]
	}
	l.source = strings.TrimFunc(line, isPySpace)
	if l.source != "" {
		chunks := strings.FieldsFunc(l.source, isPySpace)
		if chunks[0] == "deb" || chunks[0] == "deb-src" {
			l.valid = true
			l.source = strings.Join(chunks, " ")
		}
	}
	return l, line
}

// aptSplitLines splits a file as Python's text mode reads it (universal
// newlines).
func aptSplitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

var (
	aptOptionsRe = regexp.MustCompile(`\[[^\]]+\]`)
	aptSchemeRe  = regexp.MustCompile(`[\p{L}\p{N}_]+://`)
	aptNonAlnum  = regexp.MustCompile(`[^a-zA-Z0-9]`)
)

// aptSuggestFilename is SourcesList._suggest_filename: the file a new
// source goes to, from filename or from the line's URL.
func aptSuggestFilename(line, filename string, hasFilename bool) (string, error) {
	line = aptOptionsRe.ReplaceAllString(line, "")
	line = aptSchemeRe.ReplaceAllString(line, "")
	var parts []string
	for _, p := range strings.FieldsFunc(line, isPySpace) {
		if p != "deb" && p != "deb-src" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("no URI in the repository line %q", line)
	}
	if hasFilename {
		return filename + ".list", nil
	}
	first := parts[0]
	if _, after, ok := strings.Cut(first, "@"); ok {
		first = after
	}
	return strings.Join(strings.Fields(aptNonAlnum.ReplaceAllString(first, " ")), "_") + ".list", nil
}

// aptSources are the files read, in order, each with its lines.
type aptSources struct {
	order []string
	files map[string][]aptSrcLine
	modes map[string]uint32
}

func (s *aptSources) dump() map[string]string {
	d := map[string]string{}
	for _, f := range s.order {
		if len(s.files[f]) == 0 {
			continue
		}
		var sb strings.Builder
		for _, l := range s.files[f] {
			sb.WriteString(l.String())
		}
		d[f] = sb.String()
	}
	return d
}

// add is _add_valid_source: enable every line (enabled or not) with this
// source, or append it to file.
func (s *aptSources) add(source, file string) (newFile string) {
	found := false
	for _, f := range s.order {
		for i, l := range s.files[f] {
			if l.valid && l.source == source {
				s.files[f][i].enabled = true
				found = true
			}
		}
	}
	if found {
		return ""
	}
	if _, ok := s.files[file]; !ok {
		s.order = append(s.order, file)
	}
	s.files[file] = append(s.files[file], aptSrcLine{valid: true, enabled: true, source: source})
	return file
}

// remove is _remove_valid_source: drop the enabled lines with this source.
func (s *aptSources) remove(source string) {
	for _, f := range s.order {
		var kept []aptSrcLine
		for _, l := range s.files[f] {
			if !(l.valid && l.enabled && l.source == source) {
				kept = append(kept, l)
			}
		}
		s.files[f] = kept
	}
}

// aptFileMarker starts each file in the read session's output:
// "MARKER MODE SIZE PATH", then SIZE bytes of content.
const aptFileMarker = "__drover_aptsrc__"

func (aptRepositoryModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	repo := argString(args, "repo")
	state := argString(args, "state")
	if state == "" {
		state = "present"
	}
	if repo == "" {
		return Fail("Please set argument 'repo' to a non-empty value")
	}
	update := argBool(args, "update_cache", argBool(args, "update-cache", true))
	retries, maxDelay := 5, 12
	for k, p := range map[string]*int{"update_cache_retries": &retries, "update_cache_retry_max_delay": &maxDelay} {
		if v, ok := args[k]; ok && v != nil {
			n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
			if err != nil {
				return Fail(fmt.Sprintf("argument '%s' is of type %T and we were unable to convert to int", k, v))
			}
			*p = n
		}
	}
	_, hasFilename := args["filename"]
	hasFilename = hasFilename && args["filename"] != nil
	filename := argString(args, "filename")
	codename := argString(args, "codename")
	ppa := strings.HasPrefix(repo, "ppa:")

	// Read: apt-get present, the umask, the codename (PPAs only) and the
	// sources files with their modes.
	var sb strings.Builder
	sb.WriteString("command -v apt-get >/dev/null 2>&1 && echo have_apt=1\necho \"umask=$(umask)\"\n")
	if ppa && codename == "" {
		sb.WriteString(`c=$(lsb_release -cs 2>/dev/null) || c=
[ -n "$c" ] || c=$( . /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-$UBUNTU_CODENAME}")
echo "codename=$c"
`)
	}
	fmt.Fprintf(&sb, "for f in %s %s/*.list; do\n", ShellQuote(aptSourcesList), ShellQuote(aptSourcesDir))
	fmt.Fprintf(&sb, "[ -f \"$f\" ] || continue\nprintf '%s %%s %%s\\n' \"$(stat -L -c '%%a %%s' -- \"$f\")\" \"$f\"\ncat -- \"$f\" || exit 3\ndone\n", aptFileMarker)
	res, fr := runScript(ctx, env, sb.String(), "could not read the apt sources")
	if fr != nil {
		return fr
	}
	out := string(res.Stdout)
	head, rest, _ := strings.Cut(out, aptFileMarker+" ")
	kv := map[string]string{}
	for _, l := range strings.Split(head, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			kv[k] = v
		}
	}
	if kv["have_apt"] != "1" {
		return Fail("Module apt_repository is not supported on target (no apt-get: not a Debian/Ubuntu host).")
	}
	src := &aptSources{files: map[string][]aptSrcLine{}, modes: map[string]uint32{}}
	if strings.Contains(out, aptFileMarker+" ") {
		rest = aptFileMarker + " " + rest
	} else {
		rest = ""
	}
	for rest != "" {
		line, after, ok := strings.Cut(rest, "\n")
		f := strings.SplitN(line, " ", 4)
		if !ok || len(f) != 4 || f[0] != aptFileMarker {
			return Fail("could not read the apt sources: unexpected output")
		}
		mode, _ := strconv.ParseUint(f[1], 8, 32)
		size, err := strconv.Atoi(f[2])
		if err != nil || size > len(after) {
			return Fail("could not read the apt sources: " + f[3] + " changed while being read")
		}
		name := f[3]
		src.order = append(src.order, name)
		src.modes[name] = uint32(mode)
		var lines []aptSrcLine
		if size > 0 {
			for _, l := range aptSplitLines(after[:size]) {
				pl, _ := aptParseLine(l)
				lines = append(lines, pl)
			}
		}
		src.files[name] = lines
		rest = after[size:]
	}
	umask := uint32(0o022)
	if u, err := strconv.ParseUint(strings.TrimSpace(kv["umask"]), 8, 32); err == nil {
		umask = uint32(u)
	}
	if codename == "" {
		codename = kv["codename"]
	}

	before := src.dump()
	var newRepo string
	var source string
	if ppa {
		if codename == "" {
			return Fail("could not find the host's codename for " + repo + " (set codename)")
		}
		p := strings.Split(repo, ":")[1]
		owner, name, ok := strings.Cut(p, "/")
		if !ok {
			name = "ppa"
		} else {
			name, _, _ = strings.Cut(name, "/")
		}
		source = fmt.Sprintf("deb http://ppa.launchpad.net/%s/%s/ubuntu %s main", owner, name, codename)
		if state == "present" {
			present := false
			for _, f := range src.order {
				for _, l := range src.files[f] {
					present = present || (l.valid && l.enabled && l.source == source)
				}
			}
			if !present {
				return Fail(fmt.Sprintf("adding %s needs its signing key looked up on Launchpad, which drover does not do: "+
					"install the key (apt_key, or get_url to /etc/apt/keyrings) and give the line %q as repo instead", repo, source))
			}
		} else {
			src.remove(source)
		}
	} else {
		pl, bad := aptParseLine(repo)
		if !pl.valid || !pl.enabled {
			return Fail("Invalid repository string: " + bad)
		}
		source = pl.source
		if state == "present" {
			fn, err := aptSuggestFilename(source, filename, hasFilename)
			if err != nil {
				return Fail(err.Error())
			}
			if !strings.Contains(fn, "/") {
				fn = aptSourcesDir + "/" + fn
			}
			newRepo = src.add(source, fn)
		} else {
			src.remove(source)
		}
	}
	after := src.dump()

	var changedFiles []string
	for _, f := range src.order {
		if before[f] != after[f] {
			changedFiles = append(changedFiles, f)
		}
	}
	sort.Strings(changedFiles)
	result := Result{"failed": false, "changed": len(changedFiles) > 0, "repo": repo, "state": state}
	if len(changedFiles) == 0 {
		return result
	}
	if env.Diff {
		var diffs []any
		for _, f := range changedFiles {
			bh, ah := f, f
			if _, ok := before[f]; !ok {
				bh = "/dev/null"
			}
			if _, ok := after[f]; !ok {
				ah = "/dev/null"
			}
			diffs = append(diffs, map[string]any{"before": before[f], "after": after[f], "before_header": bh, "after_header": ah})
		}
		result["diff"] = diffs
	}
	if env.Check {
		return result
	}

	// Write: each changed file replaced atomically (a copy of the old one
	// kept to put back), the new source's file given mode; then apt-get
	// update, retried as Ansible does; on failure the files are restored.
	var w, restore, cleanup strings.Builder
	for i, f := range changedFiles {
		fmt.Fprintf(&w, "f%d=%s\n", i, ShellQuote(f))
		fmt.Fprintf(&w, "case $f%d in */*) d=${f%d%%/*}; d=${d:-/} ;; *) d=. ;; esac\n", i, i)
		fmt.Fprintf(&w, "o%d=\"$d/.drover-old.$$.%d\"; t%d=\"$d/.drover.$$.%d\"\n", i, i, i, i)
		// w<i> is set once file i is touched: only those are put back.
		fmt.Fprintf(&restore, "[ -z \"${w%d:-}\" ] || { if [ -e \"$o%d\" ]; then mv -f -- \"$o%d\" \"$f%d\"; else rm -f -- \"$f%d\"; fi; }\n", i, i, i, i, i)
		fmt.Fprintf(&cleanup, "rm -f -- \"$o%d\" \"$t%d\"\n", i, i)
	}
	fmt.Fprintf(&w, "restore() {\n%s:\n}\ncleanup() {\n%s:\n}\n", restore.String(), cleanup.String())
	w.WriteString("trap 'rc=$?; [ $rc -eq 0 ] || restore; cleanup; exit $rc' EXIT\n")
	for i, f := range changedFiles {
		content, keep := after[f]
		if !keep {
			// No line left: Ansible removes the file.
			fmt.Fprintf(&w, "if [ -e \"$f%d\" ]; then mv -f -- \"$f%d\" \"$o%d\" || exit 1; w%d=1; fi\n", i, i, i, i)
			continue
		}
		fmt.Fprintf(&w, "d=\"${t%d%%/*}\"; [ -d \"$d\" ] || mkdir -p -- \"$d\" || exit 1\n", i)
		fmt.Fprintf(&w, "if [ -e \"$f%d\" ]; then cp -p -- \"$f%d\" \"$o%d\" && cp -p -- \"$f%d\" \"$t%d\" || exit 1; fi\n", i, i, i, i, i)
		fmt.Fprintf(&w, "printf '%%b' %s > \"$t%d\" || exit 1\n", PrintfEscape([]byte(content)), i)
		if f == newRepo {
			if m, ok := args["mode"]; ok && m != nil && fmt.Sprint(m) != "" {
				cur, ok := src.modes[f]
				if !ok {
					cur = 0o666 &^ umask
				}
				bits, err := applyModeSpec(m, cur, false)
				if err != nil {
					return Fail(err.Error())
				}
				fmt.Fprintf(&w, "chmod %04o -- \"$t%d\" || exit 1\n", bits, i)
			}
		}
		fmt.Fprintf(&w, "w%d=1; mv -f -- \"$t%d\" \"$f%d\" || exit 1\n", i, i, i)
	}
	if update {
		// Ansible's backoff: 2**retry plus a fraction, at most max_delay
		// (whole seconds here; no wait after the last try).
		r := rand.Intn(1001)
		var delays []string
		for i := 0; i < retries; i++ {
			d := (1 << min(i, 30)) * 1000
			if d+r > maxDelay*1000 {
				d = maxDelay * 1000
			}
			delays = append(delays, strconv.Itoa((d+r)/1000))
		}
		if retries <= 0 {
			w.WriteString("echo 'unknown reason' >&2; exit 4\n")
		} else {
			fmt.Fprintf(&w, `set -- %s
while :; do
  err=$(DEBIAN_FRONTEND=noninteractive apt-get update -q 2>&1 >/dev/null) && break
  shift
  if [ $# -eq 0 ]; then printf '%%s\n' "${err:-unknown reason}" | tail -n 5 >&2; exit 4; fi
  [ "$1" -eq 0 ] || sleep "$1"
done
`, strings.Join(delays, " "))
		}
	}
	wres, fr := Exec(ctx, env, w.String(), nil)
	if fr != nil {
		return fr
	}
	switch {
	case wres.ExitCode == 4:
		return Fail("Failed to update apt cache: " + strings.TrimSpace(string(wres.Stderr)))
	case wres.ExitCode != 0:
		msg := strings.TrimSpace(string(wres.Stderr))
		if msg == "" {
			msg = fmt.Sprintf("exit status %d", wres.ExitCode)
		}
		return Fail("could not write the apt sources: " + msg)
	}
	return result
}
