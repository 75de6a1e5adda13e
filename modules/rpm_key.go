package modules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

func init() {
	Register(rpmKeyModule{}, "ansible.builtin.rpm_key", "ansible.legacy.rpm_key")
}

// rpmKeyModule is Ansible's rpm_key: a GPG key in the rpm database. One sh
// session does what Ansible's RpmKey does on the host, with the same
// commands: the key (a URL fetched with curl on the host, a key id, or a
// file on the host), its id from gpg, whether rpm has it (rpm -q
// gpg-pubkey descriptions read by gpg), the fingerprint check, then rpm
// --import or rpm --erase (not in check mode).
type rpmKeyModule struct{}

func (rpmKeyModule) Name() string { return "rpm_key" }

func (rpmKeyModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"key":            {Type: TypeString, Required: true},
		"state":          {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
		"fingerprint":    {Type: TypeString},
		"validate_certs": {Type: TypeBool, Default: true},
	}}
}

// rpmKeyIDRe is RpmKey.is_keyid (re.match: a prefix).
var rpmKeyIDRe = regexp.MustCompile(`^(?i)(0x)?[0-9a-f]{8}`)

// normalizeKeyID is RpmKey.normalize_keyid.
func normalizeKeyID(k string) string {
	k = strings.ToUpper(strings.TrimSpace(k))
	return strings.TrimPrefix(k, "0X")
}

// rpmKeyScript's exit codes: 0 done (changed=0|1 on stdout), 3 failed
// (the message on stderr).
const rpmKeyFuncs = `fail() { printf '%s\n' "$1" >&2; exit 3; }
td=$(mktemp -d) || exit 1
trap 'rm -rf -- "$td"' EXIT
command -v rpm >/dev/null 2>&1 || fail 'Failed to find required executable "rpm"'
if command -v gpg >/dev/null 2>&1; then g=gpg; elif command -v gpg2 >/dev/null 2>&1; then g=gpg2; else fail 'Failed to find required executable "gpg2"'; fi
colons() { out=$("$g" --no-tty --batch --with-colons --fixed-list-mode "$@" 2>"$td/err") || fail "$(cat "$td/err")"; }
`

func (rpmKeyModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	key := argString(args, "key")
	state := argString(args, "state")
	if state == "" {
		state = "present"
	}
	fpr := strings.ToUpper(strings.ReplaceAll(argString(args, "fingerprint"), " ", ""))
	var sb strings.Builder
	sb.WriteString(rpmKeyFuncs)
	fmt.Fprintf(&sb, "key=%s; keyfile=; keyid=\n", ShellQuote(key))
	switch {
	case strings.Contains(key, "://"):
		k := ""
		if !argBool(args, "validate_certs", true) {
			k = " -k"
		}
		fmt.Fprintf(&sb, `command -v curl >/dev/null 2>&1 || fail "drover fetches $key with curl on the host, which has none"
curl -fsSL%s -o "$td/key" -- "$key" 2>"$td/err" || fail "failed to fetch key at $key , error was: $(cat "$td/err")"
grep -q -e '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$td/key" && grep -q -e '-----END PGP PUBLIC KEY BLOCK-----' "$td/key" || fail "Not a public key: $key"
keyfile="$td/key"
`, k)
	case rpmKeyIDRe.MatchString(key):
		fmt.Fprintf(&sb, "keyid=%s\n", ShellQuote(normalizeKeyID(key)))
	default:
		sb.WriteString("[ -f \"$key\" ] || fail \"Not a valid key $key\"\nkeyfile=$key\n")
	}
	sb.WriteString(`if [ -n "$keyfile" ]; then
  colons "$keyfile"
  keyid=$(printf '%s\n' "$out" | awk -F: '{ sub(/^[ \t]+/, "") } /^pub:/ { print $5; exit }')
  [ -n "$keyid" ] || fail "Unexpected gpg output"
  keyid=$(printf '%s' "$keyid" | tr 'a-z' 'A-Z'); keyid=${keyid#0X}
fi
imported=0
if rpm -q gpg-pubkey >/dev/null 2>&1; then
  out=$(rpm -q gpg-pubkey --qf '%{description}' | "$g" --no-tty --batch --with-colons --fixed-list-mode - 2>"$td/err") || fail "$(cat "$td/err")"
  printf '%s\n' "$out" | awk -F: -v k="$keyid" 'index($5, k) { f = 1 } END { exit !f }' && imported=1
fi
`)
	if state == "present" {
		sb.WriteString(`[ $imported = 1 ] && { echo changed=0; exit 0; }
[ -n "$keyfile" ] || fail "When importing a key, a valid file must be given"
`)
		if fpr != "" {
			fmt.Fprintf(&sb, `want=%s
colons --with-fingerprint "$keyfile"
has=$(printf '%%s\n' "$out" | awk -F: '{ sub(/^[ \t]+/, "") } /^fpr:/ { print $10; exit }')
[ -n "$has" ] || fail "Unexpected gpg output"
[ "$has" = "$want" ] || fail "The specified fingerprint, '$want', does not match the key fingerprint '$has'"
`, ShellQuote(fpr))
		}
		if !env.Check {
			sb.WriteString("rpm --import \"$keyfile\" 2>\"$td/err\" || fail \"$(cat \"$td/err\")\"\n")
		}
	} else {
		sb.WriteString("[ $imported = 1 ] || { echo changed=0; exit 0; }\n")
		if !env.Check {
			sb.WriteString(`short=$(printf '%s' "$keyid" | tail -c 8 | tr 'A-Z' 'a-z')
rpm --erase --allmatches "gpg-pubkey-$short" 2>"$td/err" || fail "$(cat "$td/err")"
`)
		}
	}
	sb.WriteString("echo changed=1\n")
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(string(res.Stderr))
		if msg == "" {
			msg = fmt.Sprintf("rpm_key failed (exit status %d)", res.ExitCode)
		}
		return Fail(msg)
	}
	out := string(res.Stdout)
	switch {
	case strings.Contains(out, "changed=1"):
		return Result{"changed": true, "failed": false}
	case strings.Contains(out, "changed=0"):
		return Result{"changed": false, "failed": false}
	}
	return Fail("rpm_key: unexpected output: " + strings.TrimSpace(out))
}
