package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rpmKeyEnv fakes rpm (its gpg-pubkey packages are the "KEYID ..." lines
// of $dir/rpmdb), gpg (lists the "KEYID"/"FPR" lines of a file or of stdin
// as --with-colons pub/fpr records) and curl (serves $dir/keys/NAME for
// http://keys/NAME).
func rpmKeyEnv(t *testing.T) (*Env, string) {
	t.Helper()
	env, dir := testEnv(t)
	db := filepath.Join(dir, "rpmdb")
	writeFile(t, db, "", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	fakeBin(t, env, "rpm", `db=`+db+`; echo "$*" >> `+dir+`/rpm.log
case "$1" in
-q) [ -s $db ] || { echo "package gpg-pubkey is not installed"; exit 1; }
    if [ "$3" = --qf ]; then cat $db; else sed 's/^KEYID .*\(........\)$/gpg-pubkey-\1-5f000000/' $db; fi ;;
--import) grep '^KEYID ' "$2" >> $db ;;
--erase) s=${3#gpg-pubkey-}; [ ${#s} = 8 ] || { echo "error: package $3 is not installed" >&2; exit 1; }; grep -v -i "$s\$" $db > $db.new; mv $db.new $db ;;
*) exit 2 ;;
esac
`)
	fakeBin(t, env, "gpg", `for a; do f=$a; done
[ "$f" = - ] && f=/dev/stdin
[ -r "$f" ] || { echo "gpg: can't open '$f': No such file or directory" >&2; exit 2; }
fp=0; case " $* " in *" --with-fingerprint "*) fp=1;; esac
while read -r k v; do
  case $k in
  KEYID) echo "pub:-:4096:1:$v:1600000000:::-:::scESC::::::23::0:" ;;
  FPR) [ $fp = 1 ] && echo "fpr:::::::::$v:" ;;
  esac
done < "$f"
`)
	fakeBin(t, env, "curl", `for a; do u=$a; done
while [ $# -gt 0 ]; do [ "$1" = -o ] && o=$2; shift; done
f=`+dir+`/keys/${u#http://keys/}
[ -f "$f" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$f" "$o"
`)
	return env, dir
}

const rpmTestKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nKEYID 0123456789ABCDEF\nFPR 00001111222233334444555566660123456789ABCDEF\n-----END PGP PUBLIC KEY BLOCK-----\n"

func rpmImports(t *testing.T, dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "rpm.log"))
	return strings.Count(string(b), "--import")
}

// A key file on the host is imported once (not in check mode); its id
// then makes it present; a wrong fingerprint refuses it; absent by key id
// erases gpg-pubkey-<last 8 hex digits>.
func TestRpmKeyFileAndID(t *testing.T) {
	env, dir := rpmKeyEnv(t)
	kf := filepath.Join(dir, "RPM-GPG-KEY-test")
	writeFile(t, kf, rpmTestKey, 0o644)
	mustFail(t, run(t, env, "rpm_key", map[string]any{"key": kf, "fingerprint": "0000 1111 2222 3333 4444 5555 6666 0123 4567 FFFF"}),
		"The specified fingerprint, '000011112222333344445555666601234567FFFF', does not match the key fingerprint '00001111222233334444555566660123456789ABCDEF'")
	env.Check = true
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": kf}), true)
	if rpmImports(t, dir) != 0 {
		t.Fatal("check mode imported")
	}
	env.Check = false
	args := map[string]any{"key": kf, "fingerprint": "0000 1111 2222 3333 4444 5555 6666 0123 4567 89ab cdef"}
	mustOK(t, run(t, env, "ansible.builtin.rpm_key", args), true)
	mustOK(t, run(t, env, "ansible.legacy.rpm_key", args), false)
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "0x89abcdef"}), false)
	if rpmImports(t, dir) != 1 {
		t.Fatalf("imported %d times", rpmImports(t, dir))
	}
	mustFail(t, run(t, env, "rpm_key", map[string]any{"key": "DEADBEEF"}), "When importing a key, a valid file must be given")
	env.Check = true
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "0x89abcdef", "state": "absent"}), true)
	env.Check = false
	if !strings.Contains(readFile(t, filepath.Join(dir, "rpmdb")), "0123456789ABCDEF") {
		t.Fatal("check mode erased")
	}
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "0x89abcdef", "state": "absent"}), true)
	if !strings.Contains(readFile(t, filepath.Join(dir, "rpm.log")), "--erase --allmatches gpg-pubkey-89abcdef") {
		t.Errorf("rpm calls: %s", readFile(t, filepath.Join(dir, "rpm.log")))
	}
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "0x89abcdef", "state": "absent"}), false)
	mustFail(t, run(t, env, "rpm_key", map[string]any{"key": "/nonexistent/key"}), "Not a valid key /nonexistent/key")
}

// A URL is fetched on the host; something that is no public key, or a
// failed download, fails as in Ansible.
func TestRpmKeyURL(t *testing.T) {
	env, dir := rpmKeyEnv(t)
	writeFile(t, filepath.Join(dir, "keys", "good.asc"), rpmTestKey, 0o644)
	writeFile(t, filepath.Join(dir, "keys", "bad.asc"), "<html>not found</html>\n", 0o644)
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "http://keys/good.asc"}), true)
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "http://keys/good.asc"}), false)
	if rpmImports(t, dir) != 1 {
		t.Fatal("not imported once")
	}
	mustFail(t, run(t, env, "rpm_key", map[string]any{"key": "http://keys/bad.asc"}), "Not a public key: http://keys/bad.asc")
	mustFail(t, run(t, env, "rpm_key", map[string]any{"key": "http://keys/missing.asc"}), "failed to fetch key at http://keys/missing.asc , error was: curl: (22)")
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "http://keys/good.asc", "state": "absent"}), true)
	mustOK(t, run(t, env, "rpm_key", map[string]any{"key": "http://keys/good.asc", "state": "absent"}), false)
}
