package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

func init() {
	Register(authorizedKeyModule{}, "ansible.posix.authorized_key")
}

// authorizedKeyModule is ansible.posix.authorized_key, following
// ansible-collections/ansible.posix plugins/modules/authorized_key.py at
// commit 1626c3d5e613514b58db28fb67f420133353e6b7: the same arguments and
// defaults, the same key-line parser (shlex split, options split on commas
// outside quotes, the key blob as identifier), the same ordering of the
// rewritten file (existing lines by rank, new keys after them, changed keys
// moved after them, duplicate lines collapsed as its dict does), the same
// result fields (all parameters, keyfile, and the file's attributes when
// path is given) and messages. changed is exactly the module's do_write: the
// file is rewritten (0600, the user's uid:gid; with manage_dir the key
// file's directory is created 0700 and given to the user) whenever the
// module would rewrite it, even with equal content.
//
// One session reads the account (getent passwd), fetches key from a URL
// (curl on the host, as the module's fetch_url does on the host), and reads
// the key file and its state; one session writes.
type authorizedKeyModule struct{}

func (authorizedKeyModule) Name() string { return "authorized_key" }

func (authorizedKeyModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"user":           {Type: TypeString, Required: true},
		"key":            {Type: TypeString, Required: true},
		"path":           {Type: TypePath},
		"manage_dir":     {Type: TypeBool, Default: true},
		"state":          {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
		"key_options":    {Type: TypeString},
		"exclusive":      {Type: TypeBool, Default: false},
		"comment":        {Type: TypeString},
		"validate_certs": {Type: TypeBool, Default: true},
		"follow":         {Type: TypeBool, Default: false},
	}}
}

// akValidTypes is the module's VALID_SSH2_KEY_TYPES.
var akValidTypes = map[string]bool{
	"sk-ecdsa-sha2-nistp256@openssh.com":          true,
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com": true,
	"ecdsa-sha2-nistp256":                         true,
	"ecdsa-sha2-nistp256-cert-v01@openssh.com":    true,
	"ecdsa-sha2-nistp384":                         true,
	"ecdsa-sha2-nistp384-cert-v01@openssh.com":    true,
	"ecdsa-sha2-nistp521":                         true,
	"ecdsa-sha2-nistp521-cert-v01@openssh.com":    true,
	"sk-ssh-ed25519@openssh.com":                  true,
	"sk-ssh-ed25519-cert-v01@openssh.com":         true,
	"ssh-ed25519":                                 true,
	"ssh-ed25519-cert-v01@openssh.com":            true,
	"ssh-dss":                                     true,
	"ssh-rsa":                                     true,
	"ssh-xmss@openssh.com":                        true,
	"ssh-xmss-cert-v01@openssh.com":               true,
	"rsa-sha2-256":                                true,
	"rsa-sha2-512":                                true,
	"ssh-rsa-cert-v01@openssh.com":                true,
	"rsa-sha2-256-cert-v01@openssh.com":           true,
	"rsa-sha2-512-cert-v01@openssh.com":           true,
	"ssh-dss-cert-v01@openssh.com":                true,
}

// akOpt is one entry of the module's keydict of options (value nil for a
// bare flag).
type akOpt struct {
	k string
	v *string
}

// akKey is the module's key tuple (key, type, options, comment, rank);
// type "skipped" marks a line kept verbatim (key is then the line).
type akKey struct {
	key, typ   string
	opts       []akOpt // nil for skipped lines
	hasOpts    bool
	comment    string
	hasComment bool
	rank       int
}

// akOptRe is parseoptions' regex: runs of non-commas or quoted strings.
var akOptRe = regexp.MustCompile(`(?:[^,"']|"[^"]*"|'[^']*')+`)

// akParseOptions is parseoptions: re.split(...)[1:-1] gives the matches and
// the text between them; "k=v" parts are options, "," separators are
// dropped, any other part is a flag.
func akParseOptions(s string) []akOpt {
	opts := []akOpt{}
	if s == "" {
		return opts
	}
	ms := akOptRe.FindAllStringIndex(s, -1)
	var parts []string
	for i, m := range ms {
		if i > 0 {
			parts = append(parts, s[ms[i-1][1]:m[0]])
		}
		parts = append(parts, s[m[0]:m[1]])
	}
	for _, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok {
			v := v
			opts = append(opts, akOpt{k, &v})
		} else if p != "," {
			opts = append(opts, akOpt{k: p})
		}
	}
	return opts
}

// akOptsEqual is the equality of two keydicts: the dicts of key → list of
// values (the order of different keys does not matter).
func akOptsEqual(a, b []akOpt) bool {
	group := func(o []akOpt) map[string][]*string {
		m := map[string][]*string{}
		for _, x := range o {
			m[x.k] = append(m[x.k], x.v)
		}
		return m
	}
	ga, gb := group(a), group(b)
	if len(ga) != len(gb) {
		return false
	}
	for k, va := range ga {
		vb, ok := gb[k]
		if !ok || len(va) != len(vb) {
			return false
		}
		for i := range va {
			if (va[i] == nil) != (vb[i] == nil) || va[i] != nil && *va[i] != *vb[i] {
				return false
			}
		}
	}
	return true
}

// akShlexSplit is shlex.shlex(s) with quotes and commenters off and
// whitespace_split on: words separated by space, tab, CR, LF.
func akShlexSplit(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' })
}

// akParseKey is parsekey: nil when the line has no known key type (ok
// false). A key type as the last word makes the module fail with an
// IndexError; err reports it.
func akParseKey(raw string, rank int) (k *akKey, err error) {
	raw = strings.ReplaceAll(raw, `\#`, "#")
	parts := akShlexSplit(raw)
	if len(parts) > 0 && parts[0] == "#" {
		return &akKey{key: raw, typ: "skipped", rank: rank}, nil
	}
	ti := -1
	for i, p := range parts {
		if akValidTypes[p] {
			ti = i
			break
		}
	}
	if ti < 0 {
		return nil, nil
	}
	opts := ""
	if ti > 0 {
		opts = strings.Join(parts[:ti], " ")
	}
	if ti+1 >= len(parts) {
		return nil, fmt.Errorf("list index out of range")
	}
	return &akKey{key: parts[ti+1], typ: parts[ti], opts: akParseOptions(opts), hasOpts: true,
		comment: strings.Join(parts[ti+2:], " "), hasComment: true, rank: rank}, nil
}

// akKeys is the module's dict of key tuples: insertion-ordered, keyed by
// the key blob (or the line itself for lines that are not keys).
type akKeys struct {
	order []string
	m     map[string]*akKey
}

func (d *akKeys) set(k string, v *akKey) {
	if _, ok := d.m[k]; !ok {
		d.order = append(d.order, k)
	}
	d.m[k] = v
}

func (d *akKeys) del(k string) {
	delete(d.m, k)
	for i, o := range d.order {
		if o == k {
			d.order = append(d.order[:i:i], d.order[i+1:]...)
			return
		}
	}
}

// akSplitLinesKeep is str.splitlines(True).
func akSplitLinesKeep(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
			fallthrough
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			out = append(out, s[start:i+n])
			start = i + n
		}
		i += n
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// akParseKeys is parsekeys.
func akParseKeys(content string) (*akKeys, error) {
	d := &akKeys{m: map[string]*akKey{}}
	for rank, line := range akSplitLinesKeep(content) {
		k, err := akParseKey(line, rank)
		if err != nil {
			return nil, err
		}
		if k != nil {
			d.set(k.key, k)
		} else {
			d.set(line, &akKey{key: line, typ: "skipped", rank: rank})
		}
	}
	return d, nil
}

// akSerialize is serialize: the tuples sorted (stably, in dict order) by
// rank.
func akSerialize(d *akKeys) string {
	ks := make([]*akKey, 0, len(d.order))
	for _, o := range d.order {
		ks = append(ks, d.m[o])
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].rank < ks[j].rank })
	var sb strings.Builder
	for _, k := range ks {
		if k.typ == "skipped" {
			sb.WriteString(k.key)
			continue
		}
		if len(k.opts) > 0 {
			var os []string
			for _, o := range k.opts {
				if o.v == nil {
					os = append(os, o.k)
				} else {
					os = append(os, o.k+"="+*o.v)
				}
			}
			sb.WriteString(strings.Join(os, ",") + " ")
		}
		fmt.Fprintf(&sb, "%s %s %s\n", k.typ, k.key, k.comment)
	}
	return sb.String()
}

// akSame is parsed_new_key[:4] == existing[:4].
func akSame(a, b *akKey) bool {
	if a.key != b.key || a.typ != b.typ || a.hasOpts != b.hasOpts || a.hasComment != b.hasComment || a.comment != b.comment {
		return false
	}
	return !a.hasOpts || akOptsEqual(a.opts, b.opts)
}

// akPlan is enforce_state's loop over the new keys: the new dict and
// do_write. A new key that is not a key fails as the module does.
func akPlan(existing *akKeys, keyText, state string, keyOptions, comment *string, exclusive bool) (bool, Result) {
	var newKeys []string
	for _, s := range pySplitlines(keyText) {
		if s != "" && !strings.HasPrefix(s, "#") {
			newKeys = append(newKeys, s)
		}
	}
	doWrite := false
	var keep []string
	maxRank := len(existing.order)
	for rank, nk := range newKeys {
		p, err := akParseKey(nk, rank)
		if err != nil {
			return false, Fail(fmt.Sprintf("invalid key specified: %s (%v)", nk, err))
		}
		if p == nil {
			return false, Fail("invalid key specified: " + nk)
		}
		if keyOptions != nil {
			p.opts, p.hasOpts = akParseOptions(*keyOptions), true
		}
		if comment != nil {
			p.comment, p.hasComment = *comment, true
		}
		matched := false
		var nonMatching *akKey
		if ex, ok := existing.m[p.key]; ok {
			if !akSame(p, ex) && state == "present" {
				nonMatching = ex
			} else {
				matched = true
			}
		}
		switch state {
		case "present":
			keep = append(keep, p.key)
			if nonMatching != nil {
				if _, ok := existing.m[nonMatching.key]; ok {
					existing.del(nonMatching.key)
					doWrite = true
				}
			}
			if !matched {
				p.rank = maxRank + rank
				existing.set(p.key, p)
				doWrite = true
			}
		case "absent":
			if !matched {
				continue
			}
			existing.del(p.key)
			doWrite = true
		}
	}
	if state == "present" && exclusive {
		want := map[string]bool{}
		for _, k := range keep {
			want[k] = true
		}
		for _, k := range append([]string(nil), existing.order...) {
			if !want[k] {
				existing.del(k)
				doWrite = true
			}
		}
	}
	return doWrite, nil
}

const akMark = "@@drover-ak:"

func optString(args map[string]any, k string) *string {
	if v, ok := args[k]; ok && v != nil {
		s := argString(args, k)
		return &s
	}
	return nil
}

func (authorizedKeyModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	user := argString(args, "user")
	keyArg := argString(args, "key")
	pathArg := optString(args, "path")
	manageDir := argBool(args, "manage_dir", true)
	state := argString(args, "state")
	if state == "" {
		state = "present"
	}
	keyOptions := optString(args, "key_options")
	comment := optString(args, "comment")
	exclusive := argBool(args, "exclusive", false)
	validate := argBool(args, "validate_certs", true)
	follow := argBool(args, "follow", false)

	// The read session.
	var sb strings.Builder
	fmt.Fprintf(&sb, "u=%s\npw=$(getent passwd \"$u\")\necho '%spw'\nprintf '%%s\\n' \"$pw\"\n", ShellQuote(user), akMark)
	url := strings.HasPrefix(keyArg, "http")
	if url {
		k := ""
		if !validate {
			k = " -k"
		}
		// fetch_url: redirects followed, a 10 s timeout, its user agent.
		fmt.Fprintf(&sb, "tf=$(mktemp) || exit 1\ncode=$(curl -sS -L%s --connect-timeout 10 -A ansible-httpget -o \"$tf\" -w '%%{http_code}' -- %s 2>/dev/null); rc=$?\necho \"%surl $rc $code\"\nbase64 < \"$tf\"; rm -f -- \"$tf\"\n",
			k, ShellQuote(keyArg), akMark)
	}
	if pathArg != nil {
		fmt.Fprintf(&sb, "p=%s\n", ShellQuote(*pathArg))
	} else {
		// os.path.join(home, ".ssh", "authorized_keys").
		sb.WriteString("IFS=: read -r _n _x _u _g _c h _s <<EOF\n$pw\nEOF\ncase $h in ''|*/) p=\"$h.ssh/authorized_keys\" ;; *) p=\"$h/.ssh/authorized_keys\" ;; esac\n")
	}
	if follow {
		fmt.Fprintf(&sb, "r=$(readlink -f -- \"$p\" 2>/dev/null) || r=\nprintf '%sreal %%s\\n' \"$r\"\n", akMark)
	}
	fmt.Fprintf(&sb, "printf '%sstat %%s\\n' \"$p\"\n", akMark)
	// statScript without its own p= line: p is set above.
	_, stat, _ := strings.Cut(statScript("/", statOpts{Content: true}), "\n")
	sb.WriteString(stat)
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("could not read the authorized keys file: %s", strings.TrimSpace(string(res.Stderr))))
	}
	out := string(res.Stdout)
	head, statOut, _ := strings.Cut(out, akMark+"stat ")
	keyfilePath, statOut, _ := strings.Cut(statOut, "\n")
	st := parseStat([]byte(statOut))
	var pw []string
	realPath := ""
	fetchOK := false
	var b64 strings.Builder
	section := ""
	for _, l := range strings.Split(head, "\n") {
		if rest, ok := strings.CutPrefix(l, akMark); ok {
			section = rest
			switch {
			case strings.HasPrefix(rest, "url "):
				f := strings.Fields(rest)
				fetchOK = len(f) == 3 && f[1] == "0" && f[2] == "200"
				section = "url"
			case strings.HasPrefix(rest, "real "):
				realPath = strings.TrimPrefix(rest, "real ")
			}
			continue
		}
		switch section {
		case "pw":
			if f := strings.Split(l, ":"); len(f) >= 7 && f[0] == user && pw == nil {
				pw = f
			}
		case "url":
			b64.WriteString(l)
		}
	}

	// enforce_state, in the module's order of checks.
	keyText := keyArg
	if url {
		b, err := base64.StdEncoding.DecodeString(b64.String())
		if !fetchOK || err != nil || !utf8.Valid(b) {
			return Fail("Error getting key from: " + keyArg)
		}
		keyText = string(b)
	}
	if !(env.Check && pathArg != nil) && pw == nil {
		if env.Check && pathArg == nil {
			return Fail("Either user must exist or you must provide full path to key file in check mode")
		}
		return Fail(fmt.Sprintf("Failed to lookup user %s: \"getpwnam(): name not found: '%s'\"", user, user))
	}
	existingContent := ""
	if st.HasContent {
		// readfile opens in text mode: universal newlines.
		existingContent = strings.ReplaceAll(strings.ReplaceAll(string(st.Content), "\r\n", "\n"), "\r", "\n")
	}
	existing, err := akParseKeys(existingContent)
	if err != nil {
		return Fail(fmt.Sprintf("could not parse %s: %v", keyfilePath, err))
	}
	doWrite, r := akPlan(existing, keyText, state, keyOptions, comment, exclusive)
	if r != nil {
		return r
	}

	result := Result{"failed": false, "changed": false, "user": user, "key": keyArg, "manage_dir": manageDir,
		"state": state, "exclusive": exclusive, "validate_certs": validate, "follow": follow, "keyfile": keyfilePath}
	for k, v := range map[string]*string{"path": pathArg, "key_options": keyOptions, "comment": comment} {
		if v != nil {
			result[k] = *v
		} else {
			result[k] = nil
		}
	}
	if !doWrite {
		return akPathInfo(result, pathArg, st)
	}
	filename := keyfilePath
	if follow && realPath != "" {
		filename = realPath
	}
	newContent := akSerialize(existing)
	result["changed"] = true
	if env.Diff {
		result["diff"] = map[string]any{"before_header": keyfilePath, "after_header": filename,
			"before": existingContent, "after": newContent}
	}
	if env.Check {
		return akPathInfo(result, pathArg, st)
	}

	// The write session: keyfile(write=True) then writefile.
	uid, gid := pw[2], pw[3]
	own := ShellQuote(uid + ":" + gid)
	var w strings.Builder
	if manageDir {
		sshdir := pyJoin(pw[5], ".ssh")
		if pathArg != nil {
			sshdir = pyDirname(*pathArg)
		}
		fmt.Fprintf(&w, "d=%s\nif [ ! -e \"$d\" ]; then e=$(mkdir -m 0700 -- \"$d\" 2>&1) || { printf 'Failed to create directory %%s : %%s\\n' \"$d\" \"$e\" >&2; exit 4; }; fi\nchown %s -- \"$d\" || exit 1\nchmod 0700 -- \"$d\" || exit 1\n", ShellQuote(sshdir), own)
	}
	fmt.Fprintf(&w, "p=%s\ncase $p in */*) d=${p%%/*}; d=${d:-/} ;; *) d=. ;; esac\n", ShellQuote(filename))
	w.WriteString("[ -e \"$p\" ] || [ -e \"$d\" ] || mkdir -p -- \"$d\" || exit 1\n")
	fmt.Fprintf(&w, "if [ -e \"$p\" ]; then chown %s -- \"$p\" 2>/dev/null; chmod 0600 -- \"$p\" 2>/dev/null; fi\n", own)
	w.WriteString("t=\"$d/.drover.$$.${p##*/}\"\ntrap '[ ! -e \"$t\" ] || rm -f -- \"$t\"; [ -z \"$tmp\" ] || rm -f -- \"$tmp\"' EXIT\numask 0177\n")
	if len(newContent) <= inlineContent {
		fmt.Fprintf(&w, "tmp=\nprintf '%%b' %s > \"$t\" || exit 1\n", PrintfEscape([]byte(newContent)))
	} else {
		tmp := remoteTemp()
		if err := env.Conn.Upload(ctx, tmp, strings.NewReader(newContent), 0o600); err != nil {
			if IsUnreachable(err) {
				return UnreachableResult(err)
			}
			return Fail(fmt.Sprintf("could not upload to %s: %v", filename, err))
		}
		fmt.Fprintf(&w, "tmp=%s\ncat -- \"$tmp\" > \"$t\" || exit 1\n", ShellQuote(tmp))
	}
	fmt.Fprintf(&w, "chown %s -- \"$t\" 2>/dev/null\nmv -f -- \"$t\" \"$p\" || exit 1\n", own)
	if pathArg != nil {
		w.WriteString(statScript(*pathArg, statOpts{}))
	}
	wres, fr := Exec(ctx, env, w.String(), nil)
	if fr != nil {
		return fr
	}
	if wres.ExitCode != 0 {
		msg := strings.TrimSpace(string(wres.Stderr))
		if wres.ExitCode != 4 {
			msg = fmt.Sprintf("could not write %s: %s", filename, msg)
		}
		return Fail(msg)
	}
	return akPathInfo(result, pathArg, parseStat(wres.Stdout))
}

// akPathInfo is AnsibleModule.add_path_info, which exit_json applies
// because the result has a path: the file's attributes, and state
// file/link/directory/hard, or absent.
func akPathInfo(r Result, pathArg *string, st fileState) Result {
	if pathArg == nil {
		return r
	}
	if !st.Exists {
		r["state"] = "absent"
		return r
	}
	return fileResult(r, st)
}

// pyDirname is os.path.dirname.
func pyDirname(p string) string {
	i := strings.LastIndex(p, "/") + 1
	head := p[:i]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head
}
