package modules

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(findModule{}, "ansible.builtin.find", "ansible.legacy.find")
}

// findModule is Ansible's find: the files under paths that match every
// filter (patterns and excludes on the base name, file_type, hidden, age,
// size, contains), as a list of stat results. One session lists the trees
// with find(1) and stat(1); contains and get_checksum take one more for
// the matches. Read-only: it runs in check mode too.
type findModule struct{}

func (findModule) Name() string { return "find" }

func (findModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"paths":        {Required: true, Aliases: []string{"name", "path"}},
			"patterns":     {Aliases: []string{"pattern"}},
			"excludes":     {Aliases: []string{"exclude"}},
			"use_regex":    {Type: TypeBool, Default: false},
			"file_type":    {Type: TypeString, Default: "file", Choices: []string{"file", "directory", "link", "any"}},
			"recurse":      {Type: TypeBool, Default: false},
			"depth":        {Type: TypeInt},
			"hidden":       {Type: TypeBool, Default: false},
			"follow":       {Type: TypeBool, Default: false},
			"age":          {Type: TypeString},
			"age_stamp":    {Type: TypeString, Default: "mtime", Choices: []string{"atime", "ctime", "mtime"}},
			"size":         {Type: TypeString},
			"contains":     {Type: TypeString},
			"get_checksum": {Type: TypeBool, Default: false},
		},
		Unsupported: map[string]string{
			"read_whole_file":    "drover matches contains line by line (grep -E)",
			"checksum_algorithm": "get_checksum gives sha1",
		},
	}
}

// findScript lists each path's tree: for every path a "#path" or
// "#missing" record, then one stat record per entry, NUL-terminated.
func findScript(paths []string, follow, recurse bool, depth int) string {
	var b strings.Builder
	statFmt := `%F\t%s\t%Y\t%X\t%Z\t%a\t%u\t%g\t%U\t%G\t%h\t%i\t%d\t%n\0`
	for _, p := range paths {
		q := ShellQuote(p)
		fmt.Fprintf(&b, "if [ -d %s ]; then printf '#path\\0%%s\\0' %s; find", q, q)
		if follow {
			b.WriteString(" -L")
		}
		fmt.Fprintf(&b, " %s -mindepth 1", q)
		switch {
		case !recurse:
			b.WriteString(" -maxdepth 1")
		case depth > 0:
			fmt.Fprintf(&b, " -maxdepth %d", depth)
		}
		b.WriteString(" -exec stat")
		if follow {
			b.WriteString(" -L")
		}
		fmt.Fprintf(&b, " --printf '%s' -- {} + 2>/dev/null; else printf '#missing\\0%%s\\0' %s; fi\n", statFmt, q)
	}
	return b.String()
}

// foundFile is one stat record of findScript.
type foundFile struct {
	path, kind                string
	size, mtime, atime, ctime int64
	mode, uid, gid, user, grp string
	nlink, inode, dev         int64
}

// parseFound reads findScript's output: the entries, and the paths that
// are not directories.
func parseFound(out string) (files []foundFile, missing []string) {
	recs := strings.Split(out, "\x00")
	for i := 0; i < len(recs); i++ {
		r := recs[i]
		switch r {
		case "":
			continue
		case "#path", "#missing":
			if i+1 < len(recs) {
				if r == "#missing" {
					missing = append(missing, recs[i+1])
				}
				i++
			}
			continue
		}
		f := strings.SplitN(r, "\t", 14)
		if len(f) != 14 || f[13] == "" {
			continue
		}
		n := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
		files = append(files, foundFile{path: f[13], kind: f[0], size: n(f[1]), mtime: n(f[2]), atime: n(f[3]), ctime: n(f[4]),
			mode: f[5], uid: f[6], gid: f[7], user: f[8], grp: f[9], nlink: n(f[10]), inode: n(f[11]), dev: n(f[12])})
	}
	return files, missing
}

// findUnit parses "N[unit]" with units (in seconds or bytes); negative N
// means "at most", positive "at least" (Ansible's age and size).
func findUnit(s string, units map[byte]int64) (int64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	mult := int64(1)
	if u, ok := units[s[len(s)-1]]; ok {
		mult, s = u, s[:len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return v * mult, nil
}

var (
	ageUnits  = map[byte]int64{'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
	sizeUnits = map[byte]int64{'b': 1, 'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40}
)

// findFilter decides, on the controller, which entries match.
type findFilter struct {
	patterns, excludes []string
	regex              []*regexp.Regexp
	excludeRe          []*regexp.Regexp
	fileType           string
	hidden             bool
	age, size          *int64
	ageStamp           string
	now                int64
}

func (ff *findFilter) nameMatches(base string) bool {
	if ff.regex != nil || ff.excludeRe != nil {
		for _, r := range ff.excludeRe {
			if r.MatchString(base) {
				return false
			}
		}
		if len(ff.regex) == 0 {
			return true
		}
		for _, r := range ff.regex {
			if r.MatchString(base) {
				return true
			}
		}
		return false
	}
	for _, p := range ff.excludes {
		if ok, _ := path.Match(p, base); ok {
			return false
		}
	}
	if len(ff.patterns) == 0 {
		return true
	}
	for _, p := range ff.patterns {
		if ok, _ := path.Match(p, base); ok {
			return true
		}
	}
	return false
}

func (ff *findFilter) matches(f foundFile) bool {
	base := path.Base(f.path)
	if !ff.hidden && strings.HasPrefix(base, ".") {
		return false
	}
	switch ff.fileType {
	case "file":
		if !strings.HasPrefix(f.kind, "regular") {
			return false
		}
	case "directory":
		if f.kind != "directory" {
			return false
		}
	case "link":
		if f.kind != "symbolic link" {
			return false
		}
	}
	if !ff.nameMatches(base) {
		return false
	}
	if ff.age != nil {
		stamp := map[string]int64{"mtime": f.mtime, "atime": f.atime, "ctime": f.ctime}[ff.ageStamp]
		a, elapsed := *ff.age, ff.now-stamp
		if (a >= 0 && elapsed < a) || (a < 0 && elapsed > -a) {
			return false
		}
	}
	if ff.size != nil && f.kind != "directory" {
		s := *ff.size
		if (s >= 0 && f.size < s) || (s < 0 && f.size > -s) {
			return false
		}
	}
	return true
}

// regularPaths are the paths of the regular files among fs.
func regularPaths(fs []foundFile) []string {
	var out []string
	for _, f := range fs {
		if strings.HasPrefix(f.kind, "regular") {
			out = append(out, f.path)
		}
	}
	return out
}

func (findModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	paths := argList(args, "paths")
	if len(paths) == 0 {
		paths = argList(args, "path")
	}
	if len(paths) == 0 {
		return Fail("paths is required")
	}
	ff := &findFilter{patterns: argList(args, "patterns"), excludes: argList(args, "excludes"),
		fileType: argString(args, "file_type"), hidden: argBool(args, "hidden", false),
		ageStamp: argString(args, "age_stamp"), now: time.Now().Unix()}
	if ff.fileType == "" {
		ff.fileType = "file"
	}
	if ff.ageStamp == "" {
		ff.ageStamp = "mtime"
	}
	if argBool(args, "use_regex", false) {
		for _, list := range []struct {
			src []string
			dst *[]*regexp.Regexp
		}{{ff.patterns, &ff.regex}, {ff.excludes, &ff.excludeRe}} {
			for _, p := range list.src {
				r, err := regexp.Compile(`^(?:` + p + `)`) // Python's re.match: anchored at the start
				if err != nil {
					return Fail(fmt.Sprintf("invalid regular expression %q: %v", p, err))
				}
				*list.dst = append(*list.dst, r)
			}
		}
		if ff.regex == nil {
			ff.regex = []*regexp.Regexp{}
		}
	}
	if s := argString(args, "age"); s != "" {
		v, err := findUnit(s, ageUnits)
		if err != nil {
			return Fail(fmt.Sprintf("failed to process age %q: use N[smhdw], negative for younger", s))
		}
		ff.age = &v
	}
	if s := argString(args, "size"); s != "" {
		v, err := findUnit(s, sizeUnits)
		if err != nil {
			return Fail(fmt.Sprintf("failed to process size %q: use N[bkmgt], negative for smaller", s))
		}
		ff.size = &v
	}
	depth, err := argSeconds(args, "depth", 0)
	if err != nil || depth < 0 {
		return Fail("depth must be a non-negative integer")
	}
	res, fr := runScript(ctx, env, findScript(paths, argBool(args, "follow", false), argBool(args, "recurse", false), depth), "find")
	if fr != nil {
		return fr
	}
	found, missing := parseFound(string(res.Stdout))
	var matched []foundFile
	for _, f := range found {
		if ff.matches(f) {
			matched = append(matched, f)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].path < matched[j].path })
	if re := argString(args, "contains"); re != "" && len(matched) > 0 {
		regular := regularPaths(matched)
		hits := map[string]bool{}
		if len(regular) > 0 {
			out, fr := Exec(ctx, env, "grep -l -E -e "+ShellQuote(re)+" -- "+QuoteArgv(regular)+" 2>/dev/null; exit 0", nil)
			if fr != nil {
				return fr
			}
			for _, l := range strings.Split(string(out.Stdout), "\n") {
				hits[l] = true
			}
		}
		kept := matched[:0]
		for _, f := range matched {
			if hits[f.path] {
				kept = append(kept, f)
			}
		}
		matched = kept
	}
	sums := map[string]string{}
	if argBool(args, "get_checksum", false) && len(matched) > 0 {
		if regular := regularPaths(matched); len(regular) > 0 {
			out, fr := Exec(ctx, env, "sha1sum -- "+QuoteArgv(regular)+" 2>/dev/null; exit 0", nil)
			if fr != nil {
				return fr
			}
			for _, l := range strings.Split(string(out.Stdout), "\n") {
				if sum, p, ok := strings.Cut(l, "  "); ok {
					sums[p] = sum
				}
			}
		}
	}
	files := make([]any, 0, len(matched))
	for _, f := range matched {
		m := map[string]any{"path": f.path, "size": f.size, "mtime": f.mtime, "atime": f.atime, "ctime": f.ctime,
			"mode": "0" + strings.TrimLeft(f.mode, "0"), "uid": f.uid, "gid": f.gid, "pw_name": f.user, "gr_name": f.grp,
			"nlink": f.nlink, "inode": f.inode, "dev": f.dev,
			"isdir": f.kind == "directory", "isreg": strings.HasPrefix(f.kind, "regular"), "islnk": f.kind == "symbolic link"}
		if s, ok := sums[f.path]; ok {
			m["checksum"] = s
		}
		files = append(files, m)
	}
	r := Result{"changed": false, "failed": false, "files": files, "matched": len(files), "examined": len(found), "msg": "All paths examined"}
	if len(missing) > 0 {
		skipped := map[string]any{}
		for _, p := range missing {
			skipped[p] = p + " was skipped as it does not seem to be a valid directory or it cannot be accessed"
		}
		r["skipped_paths"] = skipped
		r["msg"] = "Not all paths examined, check warnings for details"
	}
	return r
}
