package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(statModule{}, "ansible.builtin.stat", "ansible.legacy.stat")
}

// statModule is Ansible's stat, from stat(1) and sha*sum(1) in one session.
type statModule struct{}

func (statModule) Name() string { return "stat" }

func (statModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"path":         {Type: TypePath, Required: true, Aliases: []string{"dest", "name"}},
			"follow":       {Type: TypeBool, Default: false},
			"get_checksum": {Type: TypeBool, Default: true},
			// get_md5 is Ansible's up to 2.14 (stat.md5 of a regular file).
			"get_md5":            {Type: TypeBool, Default: false},
			"checksum_algorithm": {Type: TypeString, Default: "sha1", Aliases: []string{"checksum", "checksum_algo"}, Choices: checksumAlgos},
			"get_mime":           {Type: TypeBool, Default: true, Aliases: []string{"mime", "mime_type", "mime-type"}},
			"get_attributes":     {Type: TypeBool, Default: true, Aliases: []string{"attr", "attributes"}},
		},
	}
}

var checksumAlgos = []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}

func (statModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	p := filePathArg(args)
	if p == "" {
		return Fail("path is required")
	}
	algo := argString(args, "checksum_algorithm")
	for _, k := range []string{"checksum", "checksum_algo"} {
		if v := argString(args, k); v != "" {
			algo = v
		}
	}
	if algo == "" {
		algo = "sha1"
	}
	ok := false
	for _, a := range checksumAlgos {
		ok = ok || a == algo
	}
	if !ok {
		return Fail(fmt.Sprintf("value of checksum_algorithm must be one of: %s, got: %s", strings.Join(checksumAlgos, ", "), algo))
	}
	o := statOpts{Follow: argBool(args, "follow", false)}
	if argBool(args, "get_checksum", true) {
		o.Checksum = algo
	}
	script := statScript(p, o) + `if [ -L "$p" ]; then printf 'realpath=%s\n' "$(readlink -f -- "$p")"; fi
[ -r "$p" ] && echo readable=1; [ -w "$p" ] && echo writeable=1; [ -x "$p" ] && echo executable=1
`
	if argBool(args, "get_md5", false) {
		script += `if [ -f "$p" ] && [ -r "$p" ]; then set -- $(md5sum < "$p"); echo "md5=$1"; fi
`
	}
	res, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return fr
	}
	st := parseStat(res.Stdout)
	kv := kvLines(res.Stdout)
	if !st.Exists {
		return Result{"changed": false, "failed": false, "stat": map[string]any{"exists": false}}
	}
	m := st.Mode
	s := map[string]any{
		"exists": true, "path": p, "mode": fmtMode(m),
		"isdir": st.IsDir, "isreg": st.IsReg,
		"islnk":  st.Type == "symbolic link",
		"ischr":  st.Type == "character special file",
		"isblk":  st.Type == "block special file",
		"isfifo": st.Type == "fifo",
		"issock": st.Type == "socket",
		"uid":    st.UID, "gid": st.GID, "pw_name": st.Owner, "gr_name": st.Group,
		"size": st.Size, "inode": st.Inode, "dev": st.Dev, "nlink": st.Nlink,
		"atime": float64(st.Atime), "mtime": float64(st.Mtime), "ctime": float64(st.Ctime),
		"rusr": m&0400 != 0, "wusr": m&0200 != 0, "xusr": m&0100 != 0,
		"rgrp": m&040 != 0, "wgrp": m&020 != 0, "xgrp": m&010 != 0,
		"roth": m&04 != 0, "woth": m&02 != 0, "xoth": m&01 != 0,
		"isuid": m&04000 != 0, "isgid": m&02000 != 0,
		"readable": kv["readable"] != "", "writeable": kv["writeable"] != "", "executable": kv["executable"] != "",
	}
	if st.IsLnk {
		s["lnk_target"] = st.LnkSource
		s["lnk_source"] = kv["realpath"]
	}
	if st.IsReg && st.Checksum != "" {
		s["checksum"] = st.Checksum
	}
	if st.IsReg && kv["md5"] != "" {
		s["md5"] = kv["md5"]
	}
	return Result{"changed": false, "failed": false, "stat": s}
}
