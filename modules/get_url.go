package modules

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
)

func init() {
	Register(getURLModule{}, "ansible.builtin.get_url", "ansible.legacy.get_url")
}

// getURLModule is Ansible's get_url: the host downloads url to dest with
// curl (or wget), into a temporary file next to dest, checks checksum, and
// moves it into place only when the content differs. As in Ansible, an
// existing dest is not downloaded again unless force (with checksum: only
// when its checksum differs). Credentials and headers go to curl on its
// standard input (a config file), never on a command line.
type getURLModule struct{}

func (getURLModule) Name() string { return "get_url" }

func (getURLModule) Schema() Schema {
	a := fileArgs()
	a["url"] = Arg{Type: TypeString, Required: true}
	a["dest"] = Arg{Type: TypePath, Required: true}
	a["checksum"] = Arg{Type: TypeString}
	a["force"] = Arg{Type: TypeBool, Default: false}
	a["timeout"] = Arg{Type: TypeInt, Default: 10}
	a["headers"] = Arg{}
	a["validate_certs"] = Arg{Type: TypeBool, Default: true}
	a["url_username"] = Arg{Type: TypeString, Aliases: []string{"username"}}
	a["url_password"] = Arg{Type: TypeString, Aliases: []string{"password"}}
	a["force_basic_auth"] = Arg{Type: TypeBool, Default: false}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["http_agent"] = Arg{Type: TypeString, Default: "ansible-httpget"}
	u := unsupportedFileArgs()
	for k, why := range map[string]string{
		"client_cert": "client certificates are not supported", "client_key": "client certificates are not supported",
		"use_proxy": "the host's curl uses its own proxy environment", "tmp_dest": "drover downloads next to dest",
		"use_gssapi": "not supported", "use_netrc": "not supported", "unredirected_headers": "not supported",
		"ciphers": "not supported", "decompress": "not supported",
	} {
		u[k] = why
	}
	return Schema{Args: a, Unsupported: u}
}

// curlQuote quotes s for a curl config file ("..." with \" and \\).
func curlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// getURLHeaders reads headers: a mapping, or Ansible's old "K: V,K2: V2".
func getURLHeaders(v any) ([]string, error) {
	var out []string
	switch h := v.(type) {
	case nil:
	case map[string]any:
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, k+": "+fmt.Sprint(h[k]))
		}
	case string:
		for _, kv := range strings.Split(h, ",") {
			if k, v, ok := strings.Cut(kv, ":"); ok {
				out = append(out, strings.TrimSpace(k)+": "+strings.TrimSpace(v))
			} else if strings.TrimSpace(kv) != "" {
				return nil, fmt.Errorf("header %q is not NAME: VALUE", kv)
			}
		}
	default:
		return nil, fmt.Errorf("headers must be a mapping")
	}
	return out, nil
}

func (getURLModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	rawURL, dest := argString(args, "url"), argString(args, "dest")
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") || u.Host == "" {
		return Fail(fmt.Sprintf("url %q must be an http, https or ftp URL", rawURL))
	}
	algo, want := "", ""
	if c := argString(args, "checksum"); c != "" {
		a, hex, ok := strings.Cut(c, ":")
		a = strings.ToLower(strings.TrimSpace(a))
		if !ok || !slices.Contains(checksumAlgos, a) || strings.Contains(hex, "/") {
			return Fail(fmt.Sprintf("checksum %q must be ALGORITHM:HEX with one of %s (a checksum file URL is not supported)", c, strings.Join(checksumAlgos, ", ")))
		}
		algo, want = a, strings.ToLower(strings.TrimSpace(hex))
	}
	headers, err := getURLHeaders(args["headers"])
	if err != nil {
		return Fail(err.Error())
	}
	timeout, err := argSeconds(args, "timeout", 10)
	if err != nil || timeout <= 0 {
		return Fail("timeout must be a positive number of seconds")
	}
	st, fr := remoteStat(ctx, env, dest, statOpts{Follow: true, Checksum: algo})
	if fr != nil {
		return fr
	}
	if st.IsDir || strings.HasSuffix(dest, "/") {
		name := path.Base(u.Path)
		if name == "" || name == "/" || name == "." {
			name = "index.html"
		}
		dest = path.Join(dest, name)
		if st, fr = remoteStat(ctx, env, dest, statOpts{Follow: true, Checksum: algo}); fr != nil {
			return fr
		}
	}
	res := Result{"changed": false, "failed": false, "dest": dest, "url": rawURL}
	download := !st.Exists || argBool(args, "force", false) || (algo != "" && st.Checksum != want)
	if st.Exists && !download {
		res["msg"] = "file already exists"
		return getURLAttrs(ctx, env, args, dest, res)
	}
	if env.Check {
		res["changed"], res["msg"] = true, "would download "+rawURL
		return res
	}
	// curl reads its options from stdin: credentials and headers never
	// show on the host's process list.
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "url = %s\nmax-time = %d\nuser-agent = %s\n", curlQuote(rawURL), timeout, curlQuote(argString(args, "http_agent")))
	for _, h := range headers {
		fmt.Fprintf(&cfg, "header = %s\n", curlQuote(h))
	}
	user, pass := argString(args, "url_username"), argString(args, "url_password")
	if user != "" || pass != "" {
		fmt.Fprintf(&cfg, "user = %s\n", curlQuote(user+":"+pass))
	}
	if !argBool(args, "validate_certs", true) {
		cfg.WriteString("insecure\n")
	}
	q := ShellQuote(dest)
	check := ""
	if algo != "" {
		check = fmt.Sprintf(`s=$(%ssum -- "$t" | cut -d' ' -f1)
if [ "$s" != %s ]; then rm -f "$t"; echo "The checksum for %s did not match %s; it was $s." >&2; exit 4; fi
`, algo, ShellQuote(want), dest, want)
	}
	backup := ""
	if argBool(args, "backup", false) {
		backup = `if [ -f "$d" ]; then b="$d.$(date +%Y-%m-%d@%H:%M:%S)~"; cp -p -- "$d" "$b" && echo "backup=$b"; fi
`
	}
	script := `d=` + q + `
t=$(mktemp "$(dirname -- "$d")/.drover.get_url.XXXXXX") || exit 1
if command -v curl >/dev/null 2>&1; then
	curl -fsSL -K - -o "$t" || { rc=$?; rm -f "$t"; echo "curl: download failed (exit $rc)" >&2; exit 3; }
else
	rm -f "$t"; echo "get_url needs curl on the host" >&2; exit 3
fi
` + check + `chmod "$(printf '%o' $((0666 & ~$(umask))))" "$t"
if [ -f "$d" ] && cmp -s "$t" "$d"; then rm -f "$t"; echo same; exit 0; fi
` + backup + `mv -f -- "$t" "$d" && echo changed
`
	out, fr := Exec(ctx, env, script, []byte(cfg.String()))
	if fr != nil {
		return fr
	}
	if out.ExitCode != 0 {
		return Result{"failed": true, "changed": false, "dest": dest, "url": rawURL, "rc": out.ExitCode,
			"msg": strings.TrimSpace(string(out.Stderr))}
	}
	for _, l := range strings.Split(string(out.Stdout), "\n") {
		switch {
		case l == "changed":
			res["changed"], res["msg"] = true, "OK"
		case l == "same":
			res["msg"] = "OK (the content is unchanged)"
		case strings.HasPrefix(l, "backup="):
			res["backup_file"] = strings.TrimPrefix(l, "backup=")
		}
	}
	if algo != "" {
		res["checksum_src"] = want
	}
	return getURLAttrs(ctx, env, args, dest, res)
}

// getURLAttrs applies mode, owner and group to dest (the file module), and
// counts their change in res.
func getURLAttrs(ctx context.Context, env *Env, args map[string]any, dest string, res Result) Result {
	fa := map[string]any{"path": dest, "state": "file"}
	set := false
	for _, k := range []string{"mode", "owner", "group"} {
		if v, ok := args[k]; ok && v != nil {
			fa[k], set = v, true
		}
	}
	if !set {
		return res
	}
	m, _ := Lookup("file")
	r := m.Run(ctx, env, fa)
	if r.Failed() || r.Unreachable() {
		return r
	}
	if r.Changed() {
		res["changed"] = true
	}
	return res
}
