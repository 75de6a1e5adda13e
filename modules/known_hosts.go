package modules

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

func init() {
	Register(knownHostsModule{}, "ansible.builtin.known_hosts", "ansible.legacy.known_hosts")
}

// knownHostsModule is Ansible 2.14's known_hosts: one host key present in
// (or absent from) a known_hosts file, looked up with the host's
// ssh-keygen -F and edited as the Python module edits it.
type knownHostsModule struct{}

func (knownHostsModule) Name() string { return "known_hosts" }

func (knownHostsModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"name":      {Type: TypeString, Required: true, Aliases: []string{"host"}},
		"key":       {Type: TypeString},
		"path":      {Type: TypePath, Default: "~/.ssh/known_hosts"},
		"hash_host": {Type: TypeBool, Default: false},
		"state":     {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
	}}
}

var (
	khCommaName = regexp.MustCompile(`\S+(\s+)?,(\s+)?`)
	khFoundLine = regexp.MustCompile(`found: line (\d+)`)
	khTildeUser = regexp.MustCompile(`^~[A-Za-z0-9._][A-Za-z0-9._-]*$`)
)

// khPathExpr is path as a shell word with Python's expanduser done by the
// host's shell: ~ and ~/… from $HOME, ~user/… by tilde expansion.
func khPathExpr(p string) string {
	if !strings.HasPrefix(p, "~") {
		return ShellQuote(p)
	}
	head, rest, slash := strings.Cut(p, "/")
	if slash {
		rest = "/" + rest
	}
	q := ""
	if rest != "" {
		q = ShellQuote(rest)
	}
	switch {
	case head == "~":
		return `"$HOME"` + q
	case khTildeUser.MatchString(head):
		return head + q
	}
	return ShellQuote(p)
}

// khStat is statScript's body for "$p" (already set by the script).
func khStat() string {
	_, body, _ := strings.Cut(statScript("", statOpts{}), "\n")
	return body
}

// khKey is normalize_known_hosts_key: marker, host, type, key fields.
type khKey struct{ options, host, typ, key string }

func khNormalize(s string) (khKey, bool) {
	k := pyFields(pyStripSpace(s))
	if len(k) == 0 {
		return khKey{}, false
	}
	if strings.HasPrefix(k[0], "@") {
		if len(k) < 4 {
			return khKey{}, false
		}
		return khKey{k[0], k[1], k[2], k[3]}, true
	}
	if len(k) < 3 {
		return khKey{}, false
	}
	return khKey{"", k[0], k[1], k[2]}, true
}

// khHash is hash_host_key: the key's host field replaced by
// |1|base64(salt)|base64(HMAC-SHA1(salt, host)), with a random 20-byte
// salt, the fields joined by single spaces.
func khHash(host, key string) string {
	salt := make([]byte, 20)
	_, _ = rand.Read(salt)
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(host))
	parts := pyFields(pyStripSpace(key))
	if len(parts) == 0 {
		return key
	}
	i := 0
	if strings.HasPrefix(parts[0], "@") && len(parts) > 1 {
		i = 1
	}
	parts[i] = "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(m.Sum(nil))
	return strings.Join(parts, " ")
}

// khSplitlinesKeep is Python's str.splitlines(True) of text that has no
// \r left (read in text mode).
func khSplitlinesKeep(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		switch r {
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			end := i + len(string(r))
			out = append(out, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func (knownHostsModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	nameV, _ := argAlias(args, "name", "host")
	name := fmt.Sprint(nameV)
	if nameV == nil {
		name = ""
	}
	host := strings.ToLower(name)
	keyArg := argString(args, "key")
	path := argString(args, "path")
	if path == "" {
		path = "~/.ssh/known_hosts"
	}
	hashHost := argBool(args, "hash_host", false)
	state := argString(args, "state")
	if state == "" {
		state = "present"
	}

	key := keyArg
	if key == "" && state != "absent" {
		return Fail("No key specified when adding a host")
	}
	if key != "" && hashHost {
		key = khHash(host, key)
	}
	if key != "" && !strings.HasSuffix(key, "\n") {
		key += "\n"
	}
	if key != "" && khCommaName.MatchString(host) {
		return Fail("Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.")
	}

	// One session reads everything: the expanded path, the sanity lookup
	// of the key, the lookup in the file, its content and its state.
	hq := ShellQuote(host)
	var sb strings.Builder
	fmt.Fprintf(&sb, "p=%s\nprintf '%%s\\0' \"$p\"\n", khPathExpr(path))
	sb.WriteString(`command -v ssh-keygen >/dev/null 2>&1 || { printf 'nokeygen\0%s\0' "$PATH"; exit 0; }
printf 'ok\0'
o=$(mktemp) || exit 1; e=$(mktemp) || exit 1
trap 'rm -f -- "$o" "$e"' EXIT
`)
	if key != "" {
		fmt.Fprintf(&sb, "printf '%%s' %s > \"$o\" || exit 1\nssh-keygen -F %s -f \"$o\" 2>/dev/null; printf '\\0'\n", ShellQuote(key), hq)
	} else {
		sb.WriteString("printf '\\0'\n")
	}
	fmt.Fprintf(&sb, `if [ -e "$p" ]; then
printf 'e\0'; ssh-keygen -F %s -f "$p" >"$o" 2>"$e"; printf '%%s\0' $?; cat -- "$o"; printf '\0'; cat -- "$e"; printf '\0'
if cat -- "$p" 2>/dev/null; then printf '\0ok\0'; else printf '\0err\0'; fi
else printf 'n\0\0\0\0\0n\0'; fi
`, hq)
	sb.WriteString(khStat())
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Fail(fmt.Sprintf("known_hosts: reading %s failed (rc=%d): %s", path, res.ExitCode, strings.TrimSpace(string(res.Stderr))))
	}
	f := bytes.SplitN(res.Stdout, []byte{0}, 10)
	if len(f) >= 3 && string(f[1]) == "nokeygen" {
		return Fail(fmt.Sprintf("Failed to find required executable \"ssh-keygen\" in paths: %s", f[2]))
	}
	if len(f) != 10 {
		return Fail("known_hosts: unexpected output reading " + path)
	}
	path = string(f[0])
	sanity, exists := string(f[2]), string(f[3]) == "e"
	rc, _ := strconv.Atoi(string(f[4]))
	fOut, fErr := string(f[5]), string(f[6])
	content, readOK := string(f[7]), string(f[8]) == "ok"
	st := parseStat(f[9])

	if key != "" && sanity == "" {
		return Fail("Host parameter does not match hashed host field in supplied key")
	}

	// search_for_host_key
	found, replace := false, false
	foundLine := 0 // 0: None
	switch {
	case !exists:
	case fOut == "" && fErr == "" && (rc == 0 || rc == 1):
	case rc != 0:
		return Fail(fmt.Sprintf("ssh-keygen failed (rc=%d, stdout='%s',stderr='%s')", rc, fOut, fErr))
	case key == "":
		found = true
	default:
		newKey, ok := khNormalize(key)
		if !ok {
			return Fail("known_hosts: cannot parse the key " + strings.TrimSpace(key))
		}
		found, replace = true, true
		cur := 0
	search:
		for _, l := range strings.Split(fOut, "\n") {
			switch {
			case l == "":
			case l[0] == '#':
				m := khFoundLine.FindStringSubmatch(l)
				if m == nil {
					return Fail(fmt.Sprintf("failed to parse output of ssh-keygen for line number: '%s'", l))
				}
				cur, _ = strconv.Atoi(m[1])
			default:
				fk, ok := khNormalize(l)
				if !ok {
					return Fail("known_hosts: cannot parse ssh-keygen output: " + l)
				}
				if strings.HasPrefix(newKey.host, "|1|") && strings.HasPrefix(fk.host, "|1|") {
					newKey.host = fk.host
				}
				if newKey == fk {
					replace, foundLine = false, cur
					break search
				} else if newKey.typ == fk.typ {
					foundLine = cur
					break search
				}
			}
		}
	}

	// compute_diff: the file read in text mode.
	before := ""
	if exists && readOK {
		before = strings.ReplaceAll(strings.ReplaceAll(content, "\r\n", "\n"), "\r", "\n")
	}
	diff := map[string]any{"before_header": path, "after_header": path, "before": before}
	if !exists {
		diff["before_header"] = "/dev/null"
	}
	lines := khSplitlinesKeep(before)
	if (replace || state == "absent") && foundLine >= 1 && foundLine <= len(lines) {
		lines = append(lines[:foundLine-1:foundLine-1], lines[foundLine:]...)
	}
	if state == "present" && (replace || foundLine == 0) {
		lines = append(lines, key)
	}
	diff["after"] = strings.Join(lines, "")

	out := Result{"name": name, "key": nil, "path": path, "hash_host": hashHost, "state": state, "diff": diff, "changed": false}
	if keyArg != "" || args["key"] != nil {
		out["key"] = keyArg
	}
	withStat := func(r Result, st fileState) Result {
		if !st.Exists {
			r["state"] = "absent"
			return r
		}
		return fileResult(r, st)
	}
	if state == "absent" && foundLine == 0 && key != "" {
		return withStat(out, st)
	}
	if env.Check {
		return Result{"changed": replace || (state == "present") != found, "diff": diff}
	}

	remove := found && key == "" && state == "absent"
	rewrite := replace || found != (state == "present")
	if !remove && !rewrite {
		return withStat(out, st)
	}
	var ws strings.Builder
	fmt.Fprintf(&ws, "p=%s\n", ShellQuote(path))
	ws.WriteString(`case $p in */*) d=${p%/*}; d=${d:-/} ;; *) d=. ;; esac
t="$d/.drover.$$.${p##*/}"
trap '[ ! -e "$t" ] || rm -f -- "$t"' EXIT
`)
	var stdin []byte
	if remove {
		fmt.Fprintf(&ws, "e=$(ssh-keygen -R %s -f \"$p\" 2>&1 >/dev/null) || { printf '%%s' \"$e\" >&2; exit 3; }\n", hq)
	}
	if rewrite {
		// The file as Python rewrites it (text mode: universal newlines);
		// after ssh-keygen -R every line ends with \n.
		if remove {
			ws.WriteString(`awk '{ sub(/\r$/, ""); gsub(/\r/, "\n"); print }' "$p" > "$t" || exit 4` + "\n")
		} else {
			var nb strings.Builder
			if exists && readOK {
				for i, l := range pyLines(content) {
					if foundLine == i+1 && (replace || state == "absent") {
						continue
					}
					nb.WriteString(l)
				}
			}
			if state == "present" {
				nb.WriteString(key)
			}
			stdin = []byte(nb.String())
			ws.WriteString("cat > \"$t\" || exit 4\n")
		}
		ws.WriteString(`if [ -e "$p" ]; then chmod --reference="$p" -- "$t" 2>/dev/null; [ -O "$p" ] && [ -G "$p" ] || chown --reference="$p" -- "$t" 2>/dev/null; fi
mv -f -- "$t" "$p" || exit 5
`)
	}
	ws.WriteString(khStat())
	if stdin == nil {
		stdin = []byte{}
	}
	wr, fr := Exec(ctx, env, ws.String(), stdin)
	if fr != nil {
		return fr
	}
	msg := strings.TrimSpace(string(wr.Stderr))
	switch wr.ExitCode {
	case 0:
	case 3:
		return Fail(msg)
	default:
		return Fail(fmt.Sprintf("Failed to write to file %s: %s", path, msg))
	}
	out["changed"] = true
	return withStat(out, parseStat(wr.Stdout))
}
