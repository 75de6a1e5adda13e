package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// mountGolden are outputs of ansible.posix's mount.py (commit
// 01ee2fa3a35c8801072da8e6375283524b9b6c1d): main()'s Linux argument
// handling, then _set_mount_save_old (state present) or unset_mount, run
// with python3 on an fstab holding before: changed, the fstab after, the
// resulting opts and the warning.
var mountGolden = []struct {
	name    string
	before  string
	args    map[string]any
	changed bool
	after   string
	opts    string
	warning string
}{
	{"present new", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/mnt/new", "src": "/dev/sdg1", "fstype": "ext4", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n/dev/sdg1 /mnt/new ext4 defaults 0 0\n", "defaults", ""},
	{"present same", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/data", "src": "/dev/sdb1", "fstype": "xfs", "state": "present"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"present opts change", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/data", "src": "/dev/sdb1", "fstype": "xfs", "opts": "noatime", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs noatime 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "noatime", ""},
	{"present short entry rewritten", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/short", "src": "/dev/sdc1", "fstype": "ext4", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults 0 0\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"present five fields", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/five", "src": "/dev/sdd1", "fstype": "ext4", "dump": "1", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1 0\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"present space escaped", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/with space", "src": "/dev/sde1", "fstype": "ext4", "state": "present"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"present special chars", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/a&b", "src": "//srv/share x", "fstype": "cifs", "opts": "user=a\\b", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n//srv/share\\040x /a\\046b cifs user=a\\134b 0 0\n", "user=a\\b", ""},
	{"present boot false", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/data", "src": "/dev/sdb1", "fstype": "xfs", "boot": false, "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults,noauto 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults,noauto", ""},
	{"present noauto boot true", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/data", "src": "/dev/sdb1", "fstype": "xfs", "opts": "noauto", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs noauto 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "noauto", "Ignore the 'boot' due to 'opts' contains 'noauto'."},
	{"present inline comment", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/cmt", "src": "/dev/sdf1", "fstype": "ext4", "state": "present"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"present swap other src", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "none", "src": "/swap2", "fstype": "swap", "opts": "sw", "state": "present"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n/swap2 none swap sw 0 0\n", "sw", ""},
	{"present swap same", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "none", "src": "/swapfile", "fstype": "swap", "opts": "sw", "state": "present"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "sw", ""},
	{"present passno", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/", "src": "UUID=1", "fstype": "ext4", "opts": "errors=remount-ro", "passno": "1", "state": "present"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "errors=remount-ro", ""},
	{"present no trailing newline", "/dev/x /x ext4 defaults 0 0", map[string]any{"path": "/y", "src": "/dev/y", "fstype": "ext4", "state": "present"}, true, "/dev/x /x ext4 defaults 0 0\n/dev/y /y ext4 defaults 0 0\n", "defaults", ""},
	{"present crlf", "/dev/x /x ext4 defaults 0 0\r\n/dev/y /y ext4 defaults 0 0\r\n", map[string]any{"path": "/y", "src": "/dev/y", "fstype": "xfs", "state": "present"}, true, "/dev/x /x ext4 defaults 0 0\n/dev/y /y xfs defaults 0 0\n", "defaults", ""},
	{"present duplicates", "/dev/x /x ext4 defaults 0 0\n/dev/x /x ext4 rw 0 0\n", map[string]any{"path": "/x", "src": "/dev/x", "fstype": "ext4", "state": "present"}, true, "/dev/x /x ext4 defaults 0 0\n/dev/x /x ext4 defaults 0 0\n", "defaults", ""},
	{"present empty", "", map[string]any{"path": "/x", "src": "/dev/x", "fstype": "ext4", "dump": "1", "passno": "2", "state": "present"}, true, "/dev/x /x ext4 defaults 1 2\n", "defaults", ""},
	{"absent_from_fstab", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/data", "state": "absent_from_fstab"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"absent_from_fstab missing", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/nope", "state": "absent_from_fstab"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"absent_from_fstab short kept", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/short", "state": "absent_from_fstab"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"absent_from_fstab space", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "/with space", "state": "absent_from_fstab"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"absent_from_fstab swap src", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "none", "src": "/other", "state": "absent_from_fstab"}, false, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"absent_from_fstab swap", "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/swapfile none swap sw 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", map[string]any{"path": "none", "state": "absent_from_fstab"}, true, "# /etc/fstab\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults 0 0\n/dev/sdc1 /short ext4 defaults\n/dev/sdd1 /five ext4 defaults 1\n/dev/sde1 /with\\040space ext4 defaults 0 0\n/dev/sdf1 /cmt ext4 defaults 0 0 # trailing\nbad line\n  # indented comment\n", "defaults", ""},
	{"absent_from_fstab no newline", "/dev/x /x ext4 defaults 0 0\n/dev/y /y ext4 defaults 0 0", map[string]any{"path": "/x", "state": "absent_from_fstab"}, true, "/dev/y /y ext4 defaults 0 0", "defaults", ""},
}

// mountEnv is a test host whose mount and umount are fakes that log their
// arguments to mount.log and fail (exit 32, "failed: ARGS" on stderr) when
// their arguments contain a word listed in the file fail; mountinfo is
// read from a file of the temp dir (empty: nothing mounted).
func mountEnv(t *testing.T) (*Env, string) {
	t.Helper()
	env, dir := testEnv(t)
	for _, n := range []string{"mount", "umount"} {
		fakeBin(t, env, n, `echo "`+n+` $*" >> "`+dir+`/mount.log"
if [ -f "`+dir+`/fail" ]; then while read -r w; do case " $* " in *" $w "*) echo "failed: `+n+` $*" >&2; exit 32 ;; esac; done < "`+dir+`/fail"; fi
[ "$1" = -v ] && [ -f "`+dir+`/mountv" ] && cat "`+dir+`/mountv"
[ "$1" = -l ] && [ -f "`+dir+`/mountl" ] && cat "`+dir+`/mountl"
exit 0
`)
	}
	mi := filepath.Join(dir, "mountinfo")
	writeFile(t, mi, "", 0o644)
	old := mountinfoPath
	mountinfoPath = mi
	t.Cleanup(func() { mountinfoPath = old })
	return env, dir
}

func mountLog(t *testing.T, dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "mount.log"))
	return string(b)
}

func TestMountFstabGolden(t *testing.T) {
	for _, c := range mountGolden {
		t.Run(c.name, func(t *testing.T) {
			env, dir := mountEnv(t)
			f := filepath.Join(dir, "fstab")
			writeFile(t, f, c.before, 0o644)
			args := map[string]any{"fstab": f}
			for k, v := range c.args {
				args[k] = v
			}
			r := run(t, env, "ansible.posix.mount", args)
			mustOK(t, r, c.changed)
			if got := readFile(t, f); got != c.after {
				t.Fatalf("fstab:\n%q\nwant\n%q", got, c.after)
			}
			if r["opts"] != c.opts || r["name"] != c.args["path"] || r["fstab"] != f {
				t.Fatalf("result: %v", r)
			}
			w, _ := r["warnings"].([]string)
			if c.warning != "" && (len(w) != 1 || w[0] != c.warning) || c.warning == "" && len(w) != 0 {
				t.Fatalf("warnings %v, want %q", w, c.warning)
			}
			if l := mountLog(t, dir); l != "" {
				t.Fatalf("mount commands run: %s", l)
			}
		})
	}
}

func TestMountParseMountinfo(t *testing.T) {
	in := `22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw
29 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw
42 29 0:35 / /tmp rw - tmpfs tmpfs rw
78 42 0:35 /aaa /tmp/bbb rw - tmpfs tmpfs rw
136 29 253:2 /rootfs /srv rw - ext4 /dev/sdb2 rw
140 136 253:2 /rootfs/x /srv/y rw - ext4 /dev/sdb2 rw
141 140 253:2 /rootfs/x/tmp/aaa /tmp/ccc rw - ext4 /dev/sdb2 rw
150 29 8:17 / /data rw shared:5 master:1 - xfs /dev/sdb1 rw,attr2
151 29 8:18 / /data rw - xfs /dev/sdc1 rw
`
	// get_linux_mounts of the module, run with python3 on the same lines.
	want := map[string]linuxMount{
		"/":        {"/", "/dev/sda2", "rw,relatime", "ext4"},
		"/data":    {"/data", "/", "rw", "xfs"},
		"/srv":     {"/srv", "/rootfs", "rw", "ext4"},
		"/srv/y":   {"/srv/y", "/srv/x", "rw", "ext4"},
		"/sys":     {"/sys", "sysfs", "rw,nosuid", "sysfs"},
		"/tmp":     {"/tmp", "/", "rw", "tmpfs"},
		"/tmp/bbb": {"/tmp/bbb", "/tmp/aaa", "rw", "tmpfs"},
		"/tmp/ccc": {"/tmp/ccc", "/srv/y/rootfs/x/tmp/aaa", "rw", "ext4"},
	}
	if got := mountParseMountinfo(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

// mountedAt makes the fake mountinfo show src mounted on p.
func mountedAt(t *testing.T, dir, src, p string) {
	writeFile(t, filepath.Join(dir, "mountinfo"), "29 1 8:2 / / rw - ext4 /dev/sda2 rw\n100 1 8:17 / "+p+" rw - ext4 "+src+" rw\n", 0o644)
}

func TestMountMounted(t *testing.T) {
	env, dir := mountEnv(t)
	f := filepath.Join(dir, "etc", "fstab")
	mp := filepath.Join(dir, "mnt", "data")
	args := map[string]any{"path": mp, "src": "/dev/sdb1", "fstype": "xfs", "state": "mounted", "fstab": f}
	// Not mounted, no fstab, no mount point: fstab created, entry added,
	// directories made, mounted with -T for the other fstab.
	r := run(t, env, "mount", args)
	mustOK(t, r, true)
	if got := readFile(t, f); got != "/dev/sdb1 "+mp+" xfs defaults 0 0\n" {
		t.Fatalf("fstab %q", got)
	}
	if fi, err := os.Stat(mp); err != nil || !fi.IsDir() {
		t.Fatal("mount point not created")
	}
	if l := mountLog(t, dir); l != "mount -T "+f+" "+mp+"\n" {
		t.Fatalf("commands %q", l)
	}
	want := Result{"failed": false, "changed": true, "name": mp, "src": "/dev/sdb1", "fstype": "xfs", "opts": "defaults",
		"dump": "0", "passno": "0", "fstab": f, "boot": "yes", "backup_file": ""}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("result %v\nwant %v", r, want)
	}
	// Mounted, fstab unchanged: nothing to do.
	mountedAt(t, dir, "/dev/sdb1", mp)
	os.Remove(filepath.Join(dir, "mount.log"))
	mustOK(t, run(t, env, "mount", args), false)
	if l := mountLog(t, dir); l != "" {
		t.Fatalf("commands %q", l)
	}
	// Mounted, entry changed: remount (with a backup of fstab).
	args["opts"], args["backup"] = "noatime", true
	r = run(t, env, "mount", args)
	mustOK(t, r, true)
	if l := mountLog(t, dir); l != "mount -o remount -T "+f+" "+mp+"\n" {
		t.Fatalf("commands %q", l)
	}
	if b, _ := r["backup_file"].(string); !strings.HasPrefix(b, f+".") || readFile(t, b) != "/dev/sdb1 "+mp+" xfs defaults 0 0\n" {
		t.Fatalf("backup: %v", r)
	}
	// The remount fails: umount and mount.
	args["opts"], args["backup"] = "noatime,ro", false
	os.Remove(filepath.Join(dir, "mount.log"))
	writeFile(t, filepath.Join(dir, "fail"), "remount\n", 0o644)
	mustOK(t, run(t, env, "mount", args), true)
	if l := mountLog(t, dir); l != "mount -o remount -T "+f+" "+mp+"\numount "+mp+"\nmount -T "+f+" "+mp+"\n" {
		t.Fatalf("commands %q", l)
	}
}

func TestMountMountFailsRestores(t *testing.T) {
	env, dir := mountEnv(t)
	f := filepath.Join(dir, "fstab")
	writeFile(t, f, "# keep\n/dev/x /x ext4 defaults 0 0", 0o644)
	mp := filepath.Join(dir, "a", "b")
	writeFile(t, filepath.Join(dir, "fail"), mp+"\n", 0o644)
	r := run(t, env, "ansible.posix.mount", map[string]any{"path": mp, "src": "/dev/y", "fstype": "ext4", "state": "mounted", "fstab": f})
	if !r.Failed() || r.Msg() != "Error mounting "+mp+": failed: mount -T "+f+" "+mp+"\n" {
		t.Fatalf("result %v", r)
	}
	// fstab gets its old lines back (newline-terminated, as old_lines are),
	// the directories made are removed.
	if got := readFile(t, f); got != "# keep\n/dev/x /x ext4 defaults 0 0\n" {
		t.Fatalf("fstab %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Fatal("created directories left behind")
	}
}

func TestMountUnmountedAbsent(t *testing.T) {
	env, dir := mountEnv(t)
	f := filepath.Join(dir, "fstab")
	mp := filepath.Join(dir, "data")
	os.Mkdir(mp, 0o755)
	entry := "/dev/sdb1 " + mp + " xfs defaults 0 0\n"
	writeFile(t, f, "# c\n"+entry, 0o644)
	// Not mounted: nothing.
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "unmounted", "fstab": f}), false)
	mountedAt(t, dir, "/dev/sdb1", mp)
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "unmounted", "fstab": f}), true)
	if l := mountLog(t, dir); l != "umount "+mp+"\n" {
		t.Fatalf("commands %q", l)
	}
	if readFile(t, f) != "# c\n"+entry {
		t.Fatal("unmounted changed fstab")
	}
	// absent_mount: entry removed, unmounted, directory kept.
	os.Remove(filepath.Join(dir, "mount.log"))
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "absent_mount", "fstab": f}), true)
	if readFile(t, f) != "# c\n" || mountLog(t, dir) != "umount "+mp+"\n" {
		t.Fatalf("fstab %q commands %q", readFile(t, f), mountLog(t, dir))
	}
	if _, err := os.Stat(mp); err != nil {
		t.Fatal("absent_mount removed the mount point")
	}
	// absent without an entry: no effect, even though mounted.
	os.Remove(filepath.Join(dir, "mount.log"))
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "absent", "fstab": f}), false)
	if mountLog(t, dir) != "" {
		t.Fatal("absent without entry unmounted")
	}
	// absent: entry removed, unmounted, mount point removed.
	writeFile(t, f, "# c\n"+entry, 0o644)
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "absent", "fstab": f}), true)
	if _, err := os.Stat(mp); !os.IsNotExist(err) || mountLog(t, dir) != "umount "+mp+"\n" {
		t.Fatalf("absent: mount point left or commands %q", mountLog(t, dir))
	}
	// umount fails.
	os.Mkdir(mp, 0o755)
	writeFile(t, f, entry, 0o644)
	writeFile(t, filepath.Join(dir, "fail"), "umount\n", 0o644)
	fakeBin(t, env, "umount", `echo "target is busy." >&2; exit 32`)
	r := run(t, env, "mount", map[string]any{"path": mp, "state": "absent", "fstab": f})
	if !r.Failed() || r.Msg() != "Error unmounting "+mp+": target is busy.\n" {
		t.Fatalf("result %v", r)
	}
}

func TestMountRemountedEphemeral(t *testing.T) {
	env, dir := mountEnv(t)
	f := filepath.Join(dir, "fstab")
	writeFile(t, f, "", 0o644)
	mp := filepath.Join(dir, "m")
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "remounted", "fstab": f}), true)
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "remounted", "opts": "ro", "fstab": f}), true)
	if l := mountLog(t, dir); l != "mount -o remount -T "+f+" "+mp+"\nmount -o remount,ro -T "+f+" "+mp+"\n" {
		t.Fatalf("commands %q", l)
	}
	writeFile(t, filepath.Join(dir, "fail"), "remount,ro\n", 0o644)
	mustFail(t, run(t, env, "mount", map[string]any{"path": mp, "state": "remounted", "opts": "ro", "fstab": f}),
		"Options were specified with remounted, but the remount command failed.")
	os.Remove(filepath.Join(dir, "fail"))

	// ephemeral: fstab ignored, mount -t TYPE -o OPTS SRC PATH.
	os.Remove(filepath.Join(dir, "mount.log"))
	eargs := map[string]any{"path": mp, "src": "/dev/e", "fstype": "ext4", "opts": "ro", "state": "ephemeral", "fstab": f}
	mustOK(t, run(t, env, "mount", eargs), true)
	if l := mountLog(t, dir); l != "mount -v\nmount -t ext4 -o ro /dev/e "+mp+"\n" || readFile(t, f) != "" {
		t.Fatalf("commands %q", l)
	}
	// Mounted from the same source: remounted with the same arguments.
	mountedAt(t, dir, "/dev/e", mp)
	os.Remove(filepath.Join(dir, "mount.log"))
	mustOK(t, run(t, env, "mount", eargs), true)
	if l := mountLog(t, dir); l != "mount -v\nmount -o remount -t ext4 -o ro /dev/e "+mp+"\n" {
		t.Fatalf("commands %q", l)
	}
	// A mount point (ismount: / is one) mounted from another source, as
	// mount -v tells: refused. (Only the fakes run.)
	os.Remove(filepath.Join(dir, "mount.log"))
	writeFile(t, filepath.Join(dir, "mountv"), "/dev/other on / type ext4 (rw)\n", 0o644)
	eargs["path"] = "/"
	mustFail(t, run(t, env, "mount", eargs), "Ephemeral mount point is already mounted with a different source than the specified one.")
	if l := mountLog(t, dir); l != "mount -v\n" {
		t.Fatalf("commands %q", l)
	}
	writeFile(t, filepath.Join(dir, "mountv"), "/dev/e on / type ext4 (rw)\n", 0o644)
	mustOK(t, run(t, env, "mount", eargs), true)
	if l := mountLog(t, dir); l != "mount -v\nmount -v\nmount -o remount -t ext4 -o ro /dev/e /\n" {
		t.Fatalf("commands %q", l)
	}
}

func TestMountCheckModeAndArgs(t *testing.T) {
	env, dir := mountEnv(t)
	f := filepath.Join(dir, "fstab")
	mp := filepath.Join(dir, "m")
	env.Check = true
	r := run(t, env, "mount", map[string]any{"path": mp, "src": "/dev/x", "fstype": "ext4", "state": "mounted", "fstab": f})
	mustOK(t, r, true)
	if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Fatal("check mode created fstab")
	}
	if _, err := os.Stat(mp); !os.IsNotExist(err) || mountLog(t, dir) != "" {
		t.Fatal("check mode acted")
	}
	writeFile(t, f, "/dev/x "+mp+" ext4 defaults 0 0\n", 0o644)
	mountedAt(t, dir, "/dev/x", mp)
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "absent", "fstab": f}), true)
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "unmounted", "fstab": f}), true)
	mustOK(t, run(t, env, "mount", map[string]any{"path": mp, "state": "remounted", "fstab": f}), true)
	if readFile(t, f) != "/dev/x "+mp+" ext4 defaults 0 0\n" || mountLog(t, dir) != "" {
		t.Fatal("check mode acted")
	}
	env.Check = false
	mustFail(t, run(t, env, "mount", map[string]any{"path": mp, "state": "mounted", "fstab": f}),
		"state is mounted but all of the following are missing: src, fstype")
	mustFail(t, run(t, env, "mount", map[string]any{"path": mp, "src": "/dev/x", "state": "present", "fstab": f}),
		"state is present but all of the following are missing: fstype")
	// name is the alias of path; opts_no_log hides opts.
	r = run(t, env, "mount", map[string]any{"name": mp, "src": "/dev/x", "fstype": "ext4", "opts": "secret=1", "opts_no_log": true, "state": "present", "fstab": f})
	mustOK(t, r, true)
	if r["opts"] != "********" || r["name"] != mp {
		t.Fatalf("result %v", r)
	}
	// mountinfo unreadable: the module warns and falls back to mount -l.
	mountinfoPath = filepath.Join(dir, "nonexistent")
	writeFile(t, filepath.Join(dir, "mountl"), "/dev/x on "+mp+" type ext4 (rw)\n", 0o644)
	r = run(t, env, "mount", map[string]any{"path": mp, "state": "unmounted", "fstab": f})
	mustOK(t, r, true)
	if !strings.HasSuffix(mountLog(t, dir), "umount "+mp+"\n") {
		t.Fatalf("not unmounted: %q", mountLog(t, dir))
	}
	if w, _ := r["warnings"].([]string); len(w) != 1 || w[0] != "Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted." {
		t.Fatalf("warnings %v", r)
	}
	if !strings.Contains(mountLog(t, dir), "mount -l") {
		t.Fatalf("no mount -l: %q", mountLog(t, dir))
	}
}
