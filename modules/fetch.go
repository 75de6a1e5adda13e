package modules

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

func init() {
	Register(fetchModule{}, "ansible.builtin.fetch", "ansible.legacy.fetch")
}

// fetchModule is Ansible's fetch: a remote file to the controller, in one
// session (checksum and content together).
type fetchModule struct{}

func (fetchModule) Name() string { return "fetch" }

func (fetchModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"src":               {Type: TypePath, Required: true},
		"dest":              {Type: TypePath, Required: true},
		"flat":              {Type: TypeBool, Default: false},
		"fail_on_missing":   {Type: TypeBool, Default: true},
		"validate_checksum": {Type: TypeBool, Default: true},
	}}
}

// fetchDest is where fetch stores src from host on the controller.
func fetchDest(args map[string]any, host, src string) string {
	dest := argString(args, "dest")
	if argBool(args, "flat", false) {
		if strings.HasSuffix(dest, "/") {
			dest = filepath.Join(dest, path.Base(src))
		}
	} else {
		dest = filepath.Join(dest, host, filepath.FromSlash(path.Clean("/"+src)))
	}
	if !filepath.IsAbs(dest) {
		if pb := argString(args, "_playbook_dir"); pb != "" {
			dest = filepath.Join(pb, dest)
		}
	}
	return dest
}

func (fetchModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	src := argString(args, "src")
	dest := fetchDest(args, env.Target.Name, src)
	st, fr := remoteStat(ctx, env, src, statOpts{Follow: true, Checksum: "sha1", Content: true})
	if fr != nil {
		return fr
	}
	res := Result{"changed": false, "failed": false, "file": src, "dest": dest}
	if !st.Exists || st.IsDir || !st.HasContent {
		msg := "the remote file does not exist, not transferring, ignored"
		if st.IsDir {
			msg = "remote file is a directory, fetch cannot work on directories"
		} else if st.Exists {
			msg = "file is not readable"
		}
		if argBool(args, "fail_on_missing", true) || st.IsDir {
			if !st.Exists {
				msg = "the remote file does not exist, not transferring"
			}
			return Fail(msg)
		}
		res["msg"] = msg
		return res
	}
	sum := sha1hex(st.Content)
	res["checksum"] = sum
	res["remote_checksum"] = st.Checksum
	if argBool(args, "validate_checksum", true) && st.Checksum != "" && st.Checksum != sum {
		return Fail(fmt.Sprintf("checksum mismatch: remote %s, received %s", st.Checksum, sum))
	}
	if old, err := os.ReadFile(dest); err == nil && sha1hex(old) == sum {
		return res
	}
	res["changed"] = true
	if env.Check {
		return res
	}
	if err := writeLocalAtomic(dest, st.Content); err != nil {
		return Fail(fmt.Sprintf("could not write %s: %v", dest, err))
	}
	return res
}

// writeLocalAtomic writes a controller-side file through a temporary file
// in the same directory and a rename, creating parent directories.
func writeLocalAtomic(dest string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(dest), ".fetch-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), dest)
}
