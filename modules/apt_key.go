package modules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

func init() {
	Register(aptKeyModule{}, "ansible.builtin.apt_key", "ansible.legacy.apt_key")
}

// aptKeyModule is Ansible's apt_key, with apt-key and gpg on the host as
// Ansible runs them. One session finds the key's id when it is not given
// (gpg --with-colons of the file, the data or the downloaded URL) and
// lists apt-key's keys; a second one, only when something must change
// (not in check mode), adds or deletes the key and lists them again.
type aptKeyModule struct{}

func (aptKeyModule) Name() string { return "apt_key" }

func (aptKeyModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"id":             {Type: TypeString},
			"url":            {Type: TypeString},
			"data":           {Type: TypeString},
			"file":           {Type: TypePath},
			"keyring":        {Type: TypePath},
			"validate_certs": {Type: TypeBool, Default: true},
			"keyserver":      {Type: TypeString},
			"state":          {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
		},
		MutuallyExclusive: [][]string{{"data", "file", "keyserver", "url"}},
	}
}

var aptKeyHexRe = regexp.MustCompile(`^\s*[+-]?(0[xX])?[0-9a-fA-F](_?[0-9a-fA-F])*\s*$`)

// aptParseKeyID is apt_key's parse_key_id: the short (8), comparable (16)
// and full forms of a key id.
func aptParseKeyID(id string) (short, fp, full string, err error) {
	if !aptKeyHexRe.MatchString(id) {
		return "", "", "", fmt.Errorf("invalid literal for int() with base 16: %q", id)
	}
	full = strings.TrimPrefix(strings.ToUpper(id), "0X")
	n := len(full)
	if n != 8 && n != 16 && n <= 16 {
		return "", "", "", fmt.Errorf("key_id must be 8, 16, or 16+ hexadecimal characters in length")
	}
	short, fp = full[max(0, n-8):], full
	if n > 16 {
		fp = full[n-16:]
	}
	return short, fp, full, nil
}

// aptKeysFromOutput is parse_output_for_keys: the ids of the pub and sub
// lines that are not expired, in apt-key's ("rsa4096/ID") or gpg's colon
// format.
func aptKeysFromOutput(out string, short bool) []any {
	found := []any{}
	for _, line := range strings.Split(out, "\n") {
		if !(strings.HasPrefix(line, "pub") || strings.HasPrefix(line, "sub")) || strings.Contains(line, "expired") {
			continue
		}
		var code string
		tok := strings.Fields(line)
		if len(tok) >= 2 {
			if p := strings.Split(tok[1], "/"); len(p) == 2 {
				code = p[1]
			}
		}
		if code == "" {
			c := strings.Split(line, ":")
			if len(c) < 5 {
				continue
			}
			code = c[4]
		}
		if short && len(code) > 8 {
			code = code[len(code)-8:]
		}
		found = append(found, code)
	}
	return found
}

func aptKeyHas(l []any, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

const aptKeyFuncs = `fail() { printf '%s\n' "$1" >&2; exit 3; }
command -v apt-key >/dev/null 2>&1 || fail 'Failed to find required executable "apt-key"'
command -v gpg >/dev/null 2>&1 || fail 'Failed to find required executable "gpg"'
td=$(mktemp -d) || exit 1
trap 'rm -rf -- "$td"' EXIT
`

const aptKeyListMarker = "__drover_apt_keys__"

func (aptKeyModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	id := argString(args, "id")
	url, data, file := argString(args, "url"), args["data"], argString(args, "file")
	hasData := data != nil && pyStrArg(data) != ""
	keyring, keyserver := argString(args, "keyring"), argString(args, "keyserver")
	state := argString(args, "state")
	if state == "" {
		state = "present"
	}
	aptKey := "apt-key"
	if keyring != "" {
		aptKey += " --keyring " + ShellQuote(keyring)
	}
	curl := "curl -fsSL"
	if !argBool(args, "validate_certs", true) {
		curl += " -k"
	}
	list := fmt.Sprintf("echo %s\nLANG=C LC_ALL=C %s adv --list-public-keys --keyid-format=long 2>\"$td/err\" || fail \"Unable to list public keys: $(cat \"$td/err\")\"\n", aptKeyListMarker, aptKey)
	download := fmt.Sprintf("%s -o \"$td/key\" -- %s 2>\"$td/err\" || fail \"Failed to download key at %s: $(cat \"$td/err\")\"\n", curl, ShellQuote(url), strings.ReplaceAll(url, `"`, `\"`))

	var sb strings.Builder
	sb.WriteString(aptKeyFuncs)
	var stdin []byte
	if id == "" {
		if keyserver != "" {
			return Fail("Missing key_id, required with keyserver.")
		}
		src, what := "", ""
		switch {
		case file != "":
			src, what = ShellQuote(file), file
		case url != "":
			sb.WriteString(download)
			src, what = `"$td/key"`, "inline data"
		case hasData:
			stdin = []byte(pyStrArg(data))
			sb.WriteString("cat > \"$td/key\"\n")
			src, what = `"$td/key"`, "inline data"
		}
		if src != "" {
			fmt.Fprintf(&sb, "out=$(LANG=C LC_ALL=C gpg --with-colons %s 2>\"$td/err\") || fail %s\nprintf '%%s\\n' \"$out\"\n",
				src, ShellQuote("Unable to extract key from '"+what+"'"))
		}
	}
	sb.WriteString(list)
	res, fr := Exec(ctx, env, sb.String(), stdin)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		return Result{"failed": true, "changed": false, "msg": strings.TrimSpace(string(res.Stderr)), "rc": res.ExitCode}
	}
	derived, listed, _ := strings.Cut(string(res.Stdout), aptKeyListMarker+"\n")
	if id == "" {
		if k := aptKeysFromOutput(derived, false); len(k) > 0 {
			id = k[0].(string)
		}
	}
	r := Result{"changed": false, "failed": false, "id": id}
	short, fp, full, err := aptParseKeyID(id)
	if err != nil {
		r["failed"], r["msg"] = true, "Invalid key_id"
		return r
	}
	r["short_id"], r["fp"], r["key_id"] = short, fp, full
	shortFormat := len(full) == 8
	keys := aptKeysFromOutput(listed, shortFormat)
	r["before"] = keys
	has := func(keys []any) bool {
		if shortFormat {
			return aptKeyHas(keys, short)
		}
		return aptKeyHas(keys, fp)
	}
	var act strings.Builder
	act.WriteString(aptKeyFuncs)
	stdin = nil
	noErr := "apt-key did not return an error, but %s (check that the id is correct and *not* a subkey)"
	var check func([]any) (bool, string)
	switch state {
	case "present":
		if has(keys) {
			return r
		}
		r["changed"] = true
		if env.Check {
			return r
		}
		switch {
		case file != "":
			fmt.Fprintf(&act, "%s add %s >/dev/null 2>\"$td/err\" || fail \"Unable to add a key from file %s: $(cat \"$td/err\")\"\n",
				aptKey, ShellQuote(file), strings.ReplaceAll(file, `"`, `\"`))
		case keyserver != "":
			fmt.Fprintf(&act, `p=; for v in "${HTTPS_PROXY:-}" "${https_proxy:-}" "${HTTP_PROXY:-}" "${http_proxy:-}"; do [ -n "$v" ] && { p=$v; break; }; done
i=0; while :; do
  out=$(LANG=C LC_ALL=C %s adv --no-tty --keyserver %s ${p:+--keyserver-options "http-proxy=$p"} --recv %s 2>"$td/err"); rc=$?
  [ $rc = 0 ] && break
  i=$((i + 1)); [ $i -lt 5 ] && continue
  case $rc:$out in 2:*"not found on keyserver"*) fail %s ;; esac
  fail %s
done
`, aptKey, ShellQuote(keyserver), ShellQuote(full), ShellQuote(fmt.Sprintf("Key %s not found on keyserver %s", full, keyserver)),
				`"`+strings.ReplaceAll(fmt.Sprintf("Error fetching key %s from keyserver: %s", full, keyserver), `"`, `\"`)+`: $(cat "$td/err")"`)
		case hasData:
			stdin = []byte(pyStrArg(data))
			fmt.Fprintf(&act, "%s add - >/dev/null 2>\"$td/err\" || fail \"Unable to add a key from binary data: $(cat \"$td/err\")\"\n", aptKey)
		case url != "":
			act.WriteString(download)
			fmt.Fprintf(&act, "%s add - < \"$td/key\" >/dev/null 2>\"$td/err\" || fail \"Unable to add a key from binary data: $(cat \"$td/err\")\"\n", aptKey)
		default:
			r["failed"], r["changed"], r["msg"] = true, false, "No key to add ... how did i get here?!?!"
			return r
		}
		check = func(k []any) (bool, string) { return has(k), fmt.Sprintf(noErr, "failed to add the key") }
	default:
		if !aptKeyHas(keys, fp) {
			return r
		}
		r["changed"] = true
		if env.Check {
			return r
		}
		fmt.Fprintf(&act, "%s del %s >/dev/null 2>\"$td/err\" || fail \"Unable to remove a key with id %s: $(cat \"$td/err\")\"\n", aptKey, ShellQuote(short), short)
		check = func(k []any) (bool, string) {
			return !aptKeyHas(k, fp), fmt.Sprintf(noErr, "the key was not removed")
		}
	}
	act.WriteString(list)
	res, fr = Exec(ctx, env, act.String(), stdin)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		r["failed"], r["changed"], r["msg"], r["rc"] = true, false, strings.TrimSpace(string(res.Stderr)), res.ExitCode
		return r
	}
	_, listed, _ = strings.Cut(string(res.Stdout), aptKeyListMarker+"\n")
	after := aptKeysFromOutput(listed, shortFormat)
	r["after"] = after
	if ok, msg := check(after); !ok {
		r["failed"], r["msg"] = true, msg
	}
	return r
}
