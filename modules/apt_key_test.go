package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aptKeyEnv fakes apt-key (its keyring is $dir/keyring, "pub" lines in
// apt-key's list format; add reads the "KEYID" lines of a file or stdin),
// gpg (as rpm_key's test: --with-colons pub records of "KEYID" lines) and
// curl (http://keys/NAME is $dir/keys/NAME).
func aptKeyEnv(t *testing.T) (*Env, string) {
	t.Helper()
	env, dir := rpmKeyEnv(t)
	kr := filepath.Join(dir, "keyring")
	writeFile(t, kr, "/etc/apt/trusted.gpg\n--------------------\npub   rsa4096/AAAABBBBCCCCDDDD 2012-05-11 [SC]\nuid   [ unknown] Old\n\npub   rsa2048/1111222233334444 2010-01-01 [SC] [expired: 2015-01-01]\n", 0o644)
	fakeBin(t, env, "apt-key", `kr=`+kr+`; echo "$*" >> `+dir+`/apt-key.log
[ "$1" = --keyring ] && { echo "$2" >> `+dir+`/keyrings.log; shift 2; }
case "$1" in
adv) case " $* " in
  *" --list-public-keys "*) cat $kr ;;
  *" --recv "*) for a; do k=$a; done; [ "$k" = 5555666677778888 ] || { echo "gpg: key $k: not found on keyserver"; exit 2; }
      echo "pub   rsa4096/$k 2020-01-01 [SC]" >> $kr ;;
  esac ;;
add) grep '^KEYID ' "$2" | while read -r _ k; do echo "pub   rsa4096/$k 2020-01-01 [SC]"; done >> $kr ;;
del) grep -v "$2 " $kr > $kr.new; mv $kr.new $kr ;;
*) exit 2 ;;
esac
`)
	return env, dir
}

func aptKeyCalls(t *testing.T, dir, verb string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "apt-key.log"))
	return strings.Count(string(b), verb)
}

// A key file, inline data or a URL: the id comes from gpg, the key is
// added once (not in check mode) and listed after; a key present (by its
// 16-digit id, or 8-digit with a short id) is left alone; absent deletes
// it by its short id. Result fields as Ansible's.
func TestAptKeyAddRemove(t *testing.T) {
	env, dir := aptKeyEnv(t)
	kf := filepath.Join(dir, "key.asc")
	writeFile(t, kf, rpmTestKey, 0o644)
	env.Check = true
	r := run(t, env, "apt_key", map[string]any{"file": kf})
	mustOK(t, r, true)
	if aptKeyCalls(t, dir, "add") != 0 {
		t.Fatal("check mode added")
	}
	env.Check = false
	r = run(t, env, "ansible.builtin.apt_key", map[string]any{"file": kf, "keyring": "/etc/apt/trusted.gpg.d/test.gpg"})
	mustOK(t, r, true)
	if r["id"] != "0123456789ABCDEF" || r["short_id"] != "89ABCDEF" || r["fp"] != "0123456789ABCDEF" || r["key_id"] != "0123456789ABCDEF" {
		t.Errorf("result %v", r)
	}
	if b, _ := r["before"].([]any); len(b) != 1 || b[0] != "AAAABBBBCCCCDDDD" {
		t.Errorf("before %v (the expired key must not count)", r["before"])
	}
	if a, _ := r["after"].([]any); len(a) != 2 {
		t.Errorf("after %v", r["after"])
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, "keyrings.log")), "/etc/apt/trusted.gpg.d/test.gpg") {
		t.Error("keyring not passed")
	}
	mustOK(t, run(t, env, "apt_key", map[string]any{"file": kf}), false)
	mustOK(t, run(t, env, "apt_key", map[string]any{"data": rpmTestKey}), false)
	mustOK(t, run(t, env, "apt_key", map[string]any{"id": "0x89abcdef", "url": "http://keys/none"}), false)
	if n := aptKeyCalls(t, dir, "add"); n != 1 {
		t.Fatalf("added %d times", n)
	}
	mustOK(t, run(t, env, "ansible.legacy.apt_key", map[string]any{"id": "89ABCDEF", "state": "absent"}), true)
	if !strings.Contains(readFile(t, filepath.Join(dir, "apt-key.log")), "del 89ABCDEF") {
		t.Error("not deleted by short id")
	}
	mustOK(t, run(t, env, "apt_key", map[string]any{"id": "0123456789ABCDEF", "state": "absent"}), false)

	writeFile(t, filepath.Join(dir, "keys", "k.asc"), rpmTestKey, 0o644)
	mustOK(t, run(t, env, "apt_key", map[string]any{"url": "http://keys/k.asc"}), true)
	mustOK(t, run(t, env, "apt_key", map[string]any{"url": "http://keys/k.asc"}), false)
	mustOK(t, run(t, env, "apt_key", map[string]any{"id": "0123456789ABCDEF", "state": "absent"}), true)
	mustOK(t, run(t, env, "apt_key", map[string]any{"data": rpmTestKey}), true)
}

// Keyservers (retried; "not found" as Ansible says it), bad ids, a key
// that apt-key does not show after adding.
func TestAptKeyFailures(t *testing.T) {
	env, dir := aptKeyEnv(t)
	mustFail(t, run(t, env, "apt_key", map[string]any{"keyserver": "keyserver.ubuntu.com"}), "Missing key_id, required with keyserver.")
	mustFail(t, run(t, env, "apt_key", map[string]any{"id": "12345", "keyserver": "k"}), "Invalid key_id")
	mustFail(t, run(t, env, "apt_key", map[string]any{"id": "XYZXYZXY", "keyserver": "k"}), "Invalid key_id")
	r := run(t, env, "apt_key", map[string]any{"id": "0x5555666677778888", "keyserver": "keyserver.ubuntu.com"})
	mustOK(t, r, true)
	mustFail(t, run(t, env, "apt_key", map[string]any{"id": "9999666677778888", "keyserver": "keyserver.ubuntu.com"}),
		"Key 9999666677778888 not found on keyserver keyserver.ubuntu.com")
	if n := aptKeyCalls(t, dir, "--recv 9999666677778888"); n != 5 {
		t.Errorf("keyserver tried %d times, want 5", n)
	}
	// A subkey id: added, but not listed as a pub key.
	writeFile(t, filepath.Join(dir, "sub.asc"), "KEYID 0000000000000001\n", 0o644)
	mustFail(t, run(t, env, "apt_key", map[string]any{"id": "FEDCBA9876543210", "file": filepath.Join(dir, "sub.asc")}),
		"apt-key did not return an error, but failed to add the key")
	mustFail(t, run(t, env, "apt_key", map[string]any{"url": "http://keys/missing"}), "Failed to download key at http://keys/missing")
}
