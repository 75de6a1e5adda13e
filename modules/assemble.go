package modules

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func init() {
	Register(assembleModule{}, "ansible.builtin.assemble", "ansible.legacy.assemble")
}

// assembleModule is Ansible's assemble: the fragments of a directory,
// sorted by name, concatenated into dest. As in ansible-core 2.14,
// remote_src defaults to true (the fragments are on the host: they are
// read back and assembled on the controller, as the module assembles
// them); remote_src: false assembles a controller directory as the action
// plugin does (which differs from the module in how it ends a delimiter).
// Either way the result is written by copy's install path (putFile):
// atomic, checksummed, validated, backed up.
type assembleModule struct{}

func (assembleModule) Name() string { return "assemble" }

func (assembleModule) Schema() Schema {
	a := fileArgs()
	a["src"] = Arg{Type: TypePath, Required: true}
	a["dest"] = Arg{Type: TypePath, Required: true}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["delimiter"] = Arg{Type: TypeString}
	a["remote_src"] = Arg{Type: TypeBool, Default: true}
	a["regexp"] = Arg{Type: TypeString}
	a["ignore_hidden"] = Arg{Type: TypeBool, Default: false}
	a["validate"] = Arg{Type: TypeString}
	a["follow"] = Arg{Type: TypeBool, Default: false}
	u := unsupportedFileArgs()
	u["decrypt"] = "vault-encrypted fragments are not supported (a vault-encrypted fragment fails the task)"
	return Schema{Args: a, Unsupported: u}
}

// assembleFragment is one file of the source directory.
type assembleFragment struct {
	name    string
	content []byte
}

func (assembleModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	if env.Check {
		// The action plugin does not support check mode.
		return Result{"changed": false, "skipped": true, "msg": "check mode is not supported for this task."}
	}
	src, dest := argString(args, "src"), argString(args, "dest")
	if src == "" || dest == "" {
		return Fail("src and dest are required")
	}
	if argBool(args, "remote_src", true) {
		return assembleRemote(ctx, env, args, src, dest)
	}
	return assembleLocal(ctx, env, args, src, dest)
}

// assembleLocal is the action plugin's controller side: the fragments are
// read on the controller, the result copied as the copy module does (a
// --diff shows it even when nothing changed, as the plugin attaches it).
func assembleLocal(ctx context.Context, env *Env, args map[string]any, src, dest string) Result {
	local, fi, err := findLocal(args, src, "files")
	if err != nil {
		return Fail(fmt.Sprintf("Could not find or access '%s' on the Ansible Controller.", src))
	}
	if !fi.IsDir() {
		return Fail(fmt.Sprintf("Source (%s) is not a directory", local))
	}
	var re *regexp.Regexp
	if x := argString(args, "regexp"); args["regexp"] != nil {
		if re, err = regexp.Compile(pyAnchors(x)); err != nil {
			return Fail("Unexpected failure during module execution: " + err.Error())
		}
	}
	entries, err := os.ReadDir(local)
	if err != nil {
		return Fail(fmt.Sprintf("Unexpected failure during module execution: %v", err))
	}
	var frags []assembleFragment
	for _, e := range entries {
		if re != nil && !re.MatchString(e.Name()) {
			continue
		}
		p := filepath.Join(local, e.Name())
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return Fail(fmt.Sprintf("Unexpected failure during module execution: %v", err))
		}
		if bytes.HasPrefix(b, []byte("$ANSIBLE_VAULT;")) {
			return Fail(fmt.Sprintf("%s is vault-encrypted: drover does not decrypt assemble fragments", p))
		}
		frags = append(frags, assembleFragment{e.Name(), b})
	}
	content, err := assembleFragments(frags, argString(args, "delimiter"), argBool(args, "ignore_hidden", false), true)
	if err != nil {
		return Fail("Unexpected failure during module execution: " + err.Error())
	}
	if v := argString(args, "validate"); v != "" && !strings.Contains(v, "%s") {
		return Fail("validate must contain %s: " + v)
	}
	r := putFile(ctx, env, args, dest, content, local, false)
	if r["msg"] == "dest is a directory" {
		// copy puts its source, the transferred file named "src", into a
		// directory dest.
		r = putFile(ctx, env, args, path.Join(dest, "src"), content, local, false)
	}
	if r.Failed() || r.Unreachable() {
		return r
	}
	r["md5sum"] = md5hex(content)
	if _, ok := r["diff"]; env.Diff && !ok {
		r["diff"] = contentDiff(r["dest"].(string), content, content)
	}
	return r
}

// assembleRemote is the module: the fragments are on the host, read back
// in one session and assembled as the module assembles them; no diff (the
// module returns none).
func assembleRemote(ctx context.Context, env *Env, args map[string]any, src, dest string) Result {
	script := fmt.Sprintf(`LC_ALL=C; export LC_ALL
s=%s
case $s in "~"|"~/"*) s=$HOME${s#"~"} ;; esac
printf 'src=%%s\n' "$s"
[ -e "$s" ] || { echo missing; exit 0; }
[ -d "$s" ] || { echo notdir; exit 0; }
cd -- "$s" || exit 1
echo %s
tot=0
for f in * .*; do
  case $f in .|..) continue ;; esac
  [ -f "$f" ] || continue
  n=$(wc -c < "$f") || exit 1
  set -- $n
  tot=$((tot + $1))
  [ $tot -le %d ] || { echo "the fragments are larger than %d MiB" >&2; exit 4; }
  printf '%%s %%s\n%%s' $1 ${#f} "$f"
  cat -- "$f" || exit 1
done
`, ShellQuote(src), contentMarker, remoteSrcMax, remoteSrcMax>>20)
	res, fr := runScript(ctx, env, script, "could not read "+src)
	if fr != nil {
		return fr
	}
	out := res.Stdout
	head, body, _ := bytes.Cut(out, []byte(contentMarker+"\n"))
	lines := strings.Split(string(head), "\n")
	if v, ok := strings.CutPrefix(lines[0], "src="); ok {
		src = v
	}
	if len(lines) > 1 {
		switch lines[1] {
		case "missing":
			return Fail(fmt.Sprintf("Source (%s) does not exist", src))
		case "notdir":
			return Fail(fmt.Sprintf("Source (%s) is not a directory", src))
		}
	}
	frags, err := parseFragments(body)
	if err != nil {
		return Fail(fmt.Sprintf("could not read %s: %v", src, err))
	}
	var re *regexp.Regexp
	if x := argString(args, "regexp"); args["regexp"] != nil {
		if re, err = regexp.Compile(pyAnchors(x)); err != nil {
			return Fail(fmt.Sprintf("Invalid Regexp (%v) in \"%s\"", err, x))
		}
	}
	validate := argString(args, "validate")
	if validate != "" && !strings.Contains(validate, "%s") {
		return Fail("validate must contain %s: " + validate)
	}
	sel := frags[:0]
	for _, f := range frags {
		if re == nil || re.MatchString(f.name) {
			sel = append(sel, f)
		}
	}
	content, err := assembleFragments(sel, argString(args, "delimiter"), argBool(args, "ignore_hidden", false), false)
	if err != nil {
		return Result{"failed": true, "changed": false, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error",
			"module_stderr": "ValueError: " + err.Error()}
	}
	if validate != "" {
		// The module fails with the validator's rc and stderr: the
		// validation runs inside the install script, which reports them.
		args = withArg(args, "validate", "{ "+validate+"\n} || { echo \"drover_validate_rc=$?\" >&2; false; }")
	}
	quiet := *env
	quiet.Diff = false
	r := putFile(ctx, &quiet, args, dest, content, src, false)
	if r.Failed() && r["msg"] == "failed to validate" {
		rc, errLines := "1", []string{}
		for _, l := range strings.Split(fmt.Sprint(r["stderr"]), "\n") {
			if v, ok := strings.CutPrefix(l, "drover_validate_rc="); ok {
				rc = v
			} else if l != "failed to validate" {
				errLines = append(errLines, l)
			}
		}
		return Fail(fmt.Sprintf("failed to validate: rc:%s error:%s", rc, strings.Join(errLines, "\n")))
	}
	if r.Failed() || r.Unreachable() {
		return r
	}
	r["src"] = src
	r["md5sum"] = md5hex(content)
	r["msg"] = "OK"
	return r
}

// parseFragments reads the fragments the remote script prints: for each,
// "SIZE NAMELEN\n", the name, the content. They come back sorted by name
// (Python sorts str by code point, as bytes of UTF-8 sort).
func parseFragments(b []byte) ([]assembleFragment, error) {
	var frags []assembleFragment
	for len(b) > 0 {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("truncated fragment list")
		}
		f := strings.Fields(string(line))
		if len(f) != 2 {
			return nil, fmt.Errorf("bad fragment header %q", line)
		}
		size, err1 := strconv.Atoi(f[0])
		nl, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil || nl+size > len(rest) {
			return nil, fmt.Errorf("bad or truncated fragment %q", line)
		}
		frags = append(frags, assembleFragment{string(rest[:nl]), rest[nl : nl+size]})
		b = rest[nl+size:]
	}
	sort.Slice(frags, func(i, j int) bool { return frags[i].name < frags[j].name })
	return frags, nil
}

// assembleFragments concatenates the fragments (already sorted and
// filtered by regexp) as Ansible does: hidden ones skipped with
// ignoreHidden; a newline after a fragment that does not end with one;
// between fragments the delimiter, escape-decoded (again at each use, as
// the Python code reassigns it), followed by a newline unless it ends with
// one; the action plugin (controller) always adds that newline, as its
// Python 3 test (bytes[-1] != b'\n') is always true.
func assembleFragments(frags []assembleFragment, delimiter string, ignoreHidden, controller bool) ([]byte, error) {
	var out bytes.Buffer
	delim := []byte(delimiter)
	delimitMe, addNewline := false, false
	for _, f := range frags {
		if ignoreHidden && strings.HasPrefix(f.name, ".") {
			continue
		}
		if addNewline {
			out.WriteByte('\n')
		}
		if delimitMe && len(delim) > 0 {
			d, err := pyEscapeDecode(delim)
			if err != nil {
				return nil, err
			}
			delim = d
			out.Write(delim)
			if controller || len(delim) == 0 || delim[len(delim)-1] != '\n' {
				out.WriteByte('\n')
			}
		}
		out.Write(f.content)
		delimitMe = true
		addNewline = !bytes.HasSuffix(f.content, []byte("\n"))
	}
	return out.Bytes(), nil
}

// pyEscapeDecode is Python's codecs.escape_decode: backslash escapes
// (\n, \t, \\, \', \", \a, \b, \f, \v, \r, octal \NNN, \xHH, a backslash-
// newline dropped); an unknown escape is kept as it is.
func pyEscapeDecode(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		start := i
		i++
		if i >= len(s) {
			return nil, fmt.Errorf(`Trailing \ in string`)
		}
		switch c := s[i]; c {
		case '\n':
		case '\\', '\'', '"':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'v':
			out = append(out, '\v')
		case 'a':
			out = append(out, '\a')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(s[i]-'0')
			}
			out = append(out, byte(v))
		case 'x':
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				v, _ := strconv.ParseUint(string(s[i+1:i+3]), 16, 8)
				out = append(out, byte(v))
				i += 2
			} else {
				return nil, fmt.Errorf(`invalid \x escape at position %d`, start)
			}
		default:
			out = append(out, '\\')
			i--
		}
	}
	return out, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func md5hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}
