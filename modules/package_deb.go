package modules

import (
	"context"
	"fmt"
	"strings"
)

// aptDeb is apt's deb argument: install .deb files that are on the host
// (comma-separated), or one downloaded by the host from a URL, as
// Ansible's install_deb does: a file whose package is installed at the
// same version is skipped; the others are installed with their missing
// dependencies. Ansible resolves the dependencies with python-apt and
// runs dpkg -i; drover gives the files to apt-get install, which does
// both in one transaction. One session inspects, one installs (after
// refreshing the cache when asked).
func aptDeb(ctx context.Context, env *Env, deb string, update bool, args map[string]any) Result {
	if s := argString(args, "state"); s != "" && s != "present" && s != "installed" {
		return Fail("deb only supports state=present")
	}
	var files []string
	url := strings.Contains(deb, "://")
	if url {
		files = []string{deb}
	} else {
		for _, f := range strings.Split(deb, ",") {
			if f = strings.TrimSpace(f); f != "" {
				files = append(files, f)
			}
		}
	}
	var sb strings.Builder
	if url {
		// The download is kept for the install session and removed by it
		// (or here, on failure).
		fmt.Fprintf(&sb, `u=%s
d=$(mktemp -d "${TMPDIR:-/tmp}/drover-deb.XXXXXX") || exit 1
trap '[ $? -eq 0 ] || rm -rf -- "$d"' EXIT
f="$d/${u##*/}"; case $f in *.deb) ;; *) f="$f.deb";; esac
if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$f" -- "$u"; elif command -v wget >/dev/null 2>&1; then wget -q -O "$f" -- "$u"; else echo 'deb: downloading needs curl or wget on the host' >&2; false; fi || { rm -rf -- "$d"; echo "Failure downloading $u" >&2; exit 1; }
echo "tmp $d"
set -- "$f"
`, ShellQuote(deb))
	} else {
		fmt.Fprintf(&sb, "set -- %s\n", QuoteArgv(files))
	}
	sb.WriteString(`i=0
for f; do
  [ -r "$f" ] || { echo "Unable to install package: $f does not exist or is not readable" >&2; exit 1; }
  m=$(dpkg-deb --showformat='${Package} ${Version}' -W -- "$f") || { echo "Unable to install package: $f is not a Debian package" >&2; exit 1; }
  echo "deb $i $m"
  v=$(dpkg-query -W -f='${Status} ${Version}' "${m%% *}" 2>/dev/null)
  case "$v" in *' ok installed '*) echo "inst $i ${v##* }";; esac
  i=$((i+1))
done
`)
	res, fr := runScript(ctx, env, sb.String(), "apt deb")
	if fr != nil {
		return fr
	}
	tmp := ""
	var todo, names []string
	debVer := map[string]string{}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 2 && f[0] == "tmp":
			tmp = f[1]
		case len(f) == 4 && f[0] == "deb":
			debVer[f[1]] = f[3]
			names = append(names, f[2])
		case len(f) == 3 && f[0] == "inst" && sameDebVersion(debVer[f[1]], f[2]):
			debVer[f[1]] = "" // installed at this version: nothing to do
		}
	}
	for i, f := range files {
		if v := debVer[fmt.Sprint(i)]; v != "" {
			if url {
				f = "" // the downloaded file, found again below
			}
			todo = append(todo, f)
		}
	}
	cleanup := ""
	if tmp != "" {
		cleanup = "rm -rf -- " + ShellQuote(tmp) + "\n"
	}
	if len(todo) == 0 || env.Check {
		if cleanup != "" {
			Exec(ctx, env, cleanup, nil)
		}
		out := Result{"changed": len(todo) > 0, "failed": false}
		if len(todo) == 0 {
			out["msg"] = "Nothing to do: " + strings.Join(names, ", ") + " already installed at the version of the deb"
		}
		return out
	}
	var argv []string
	for _, f := range todo {
		if f == "" { // the download
			argv = append(argv, `"$f"`)
			continue
		}
		if !strings.Contains(f, "/") {
			f = "./" + f // apt-get takes a file only as a path
		}
		argv = append(argv, ShellQuote(f))
	}
	opt := ""
	if v, ok := args["install_recommends"]; ok && v != nil {
		opt = map[bool]string{true: " --install-recommends", false: " --no-install-recommends"}[argBool(args, "install_recommends", true)]
	}
	if argBool(args, "allow_downgrade", false) {
		opt += " --allow-downgrades"
	}
	sh := aptGet + " install" + opt + " " + strings.Join(argv, " ")
	if tmp != "" {
		sh = fmt.Sprintf("f=$(ls -d %s/*.deb); trap %s EXIT; %s", ShellQuote(tmp), ShellQuote(strings.TrimSpace(cleanup)), sh)
	}
	return pkgSession(ctx, env, "apt", []pkgCmd{{sh: sh, what: "apt-get install " + strings.Join(names, " ")}}, update, args)
}

// sameDebVersion compares two Debian versions as equal when they differ
// only by an explicit epoch 0 (dpkg-query never prints one).
func sameDebVersion(a, b string) bool {
	return strings.TrimPrefix(a, "0:") == strings.TrimPrefix(b, "0:")
}
