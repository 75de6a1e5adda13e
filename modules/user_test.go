package modules

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// acctLib is sourced by the account fakes: the databases are the files
// passwd, group and shadow of $D (a test directory, never /etc).
const acctLib = `grp() { # gid of a group given by name or gid
  case $1 in
  *[!0-9]*|'') awk -F: -v k="$1" '$1 == k { print $3; exit }' "$D/group" ;;
  *) awk -F: -v k="$1" '$3 == k { print $3; exit }' "$D/group" ;;
  esac
}
grpname() {
  case $1 in
  *[!0-9]*|'') awk -F: -v k="$1" '$1 == k { print $1; exit }' "$D/group" ;;
  *) awk -F: -v k="$1" '$3 == k { print $1; exit }' "$D/group" ;;
  esac
}
hasgroup() { awk -F: -v k="$1" '$1 == k { f = 1 } END { exit !f }' "$D/group"; }
pwline() { awk -F: -v k="$1" '$1 == k' "$D/passwd"; }
save() { mv "$1.new" "$1"; }
addmem() { # group user
  awk -F: -v OFS=: -v g="$1" -v u="$2" '$1 == g && ("," $4 ",") !~ ("," u ",") { $4 = ($4 == "" ? u : $4 "," u) } { print }' "$D/group" > "$D/group.new" && save "$D/group"
}
delmem() { # user, from every group
  awk -F: -v OFS=: -v u="$1" '{ n = split($4, m, ","); s = ""; for (i = 1; i <= n; i++) if (m[i] != u) s = s (s == "" ? "" : ",") m[i]; $4 = s; print }' "$D/group" > "$D/group.new" && save "$D/group"
}
setline() { # file key line
  awk -F: -v k="$2" -v l="$3" '$1 == k { print l; next } { print }' "$1" > "$1.new" && save "$1"
}
delline() { # file key
  [ ! -f "$1" ] || { awk -F: -v k="$2" '$1 != k' "$1" > "$1.new" && save "$1"; }
}
nextid() { # file lo hi
  awk -F: -v lo="$2" -v hi="$3" 'BEGIN { m = lo } $3 >= lo && $3 < hi && $3 >= m { m = $3 + 1 } END { print m }' "$1"
}
`

// acctFakes maps each fake's name to its script (after D= and the log
// line).
var acctFakes = map[string]string{
	"getent": `db=$1; shift
f=$D/$db
[ -f "$f" ] || exit 2
if [ $# -eq 0 ]; then cat "$f"; exit 0; fi
rc=0
for k in "$@"; do
  case $db:$k in
  shadow:*|*:*[!0-9]*|*:) l=$(awk -F: -v k="$k" '$1 == k' "$f") ;;
  *) l=$(awk -F: -v k="$k" '$3 == k' "$f" | head -n 1) ;;
  esac
  if [ -n "$l" ]; then printf '%s\n' "$l"; else rc=2; fi
done
exit $rc
`,
	"useradd": `uid= g= G= c= home= sh=/bin/sh pw='!' mk=0 skel= sys=0 N=0 o=0
while [ $# -gt 1 ]; do
  case $1 in
  -u) uid=$2; shift ;; -o) o=1 ;; -g) g=$2; shift ;; -N) N=1 ;; -G) G=$2; shift ;;
  -c) c=$2; shift ;; -d) home=$2; shift ;; -s) sh=$2; shift ;; -p) pw=$2; shift ;;
  -m) mk=1 ;; -M) mk=0 ;; -k) skel=$2; shift ;; -K) shift ;; -r) sys=1 ;;
  *) echo "useradd: invalid option $1" >&2; exit 2 ;;
  esac
  shift
done
n=$1
[ -z "$(pwline "$n")" ] || { echo "useradd: user '$n' already exists" >&2; exit 9; }
if [ -n "$uid" ] && [ $o = 0 ] && awk -F: -v u="$uid" '$3 == u { f = 1 } END { exit !f }' "$D/passwd"; then
  echo "useradd: UID $uid is not unique" >&2; exit 4
fi
if [ $sys = 1 ]; then lo=100 hi=1000; else lo=1000 hi=60000; fi
[ -n "$uid" ] || uid=$(nextid "$D/passwd" $lo $hi)
for x in $(echo "$G" | tr , ' '); do
  [ -n "$(grpname "$x")" ] || { echo "useradd: group '$x' does not exist" >&2; exit 6; }
done
if [ -n "$g" ]; then
  gid=$(grp "$g"); [ -n "$gid" ] || { echo "useradd: group '$g' does not exist" >&2; exit 6; }
elif [ $N = 1 ]; then
  gid=100
else
  [ -z "$(grp "$n")" ] || { echo "useradd: group $n exists - if you want to add this user to that group, use -g." >&2; exit 9; }
  gid=$uid; echo "$n:x:$gid:" >> "$D/group"
fi
for x in $(echo "$G" | tr , ' '); do addmem "$(grpname "$x")" "$n"; done
[ -n "$home" ] || home=$D/home/$n
echo "$n:x:$uid:$gid:$c:$home:$sh" >> "$D/passwd"
[ ! -f "$D/shadow" ] || echo "$n:$pw:19000:0:99999:7:::" >> "$D/shadow"
if [ $mk = 1 ] && [ ! -e "$home" ]; then
  mkdir "$home" || { echo "useradd: cannot create directory $home" >&2; exit 12; }
  [ -z "$skel" ] || cp -R "$skel/." "$home"
fi
`,
	"usermod": `eval "n=\${$#}"
line=$(pwline "$n")
[ -n "$line" ] || { echo "usermod: user '$n' does not exist" >&2; exit 6; }
IFS=: read -r _ x uid gid c home sh <<EOF
$line
EOF
a=0 G= Gset=0 mv=0 old= pw= pwset=0
while [ $# -gt 1 ]; do
  case $1 in
  -u) uid=$2; shift ;; -o) ;;
  -g) gid=$(grp "$2"); [ -n "$gid" ] || { echo "usermod: group '$2' does not exist" >&2; exit 6; }; shift ;;
  -a) a=1 ;; -G) G=$2; Gset=1; shift ;; -c) c=$2; shift ;; -d) old=$home; home=$2; shift ;; -m) mv=1 ;;
  -s) sh=$2; shift ;; -p) pw=$2; pwset=1; shift ;;
  *) echo "usermod: invalid option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ $Gset = 1 ]; then
  for x in $(echo "$G" | tr , ' '); do
    [ -n "$(grpname "$x")" ] || { echo "usermod: group '$x' does not exist" >&2; exit 6; }
  done
  [ $a = 1 ] || delmem "$n"
  for x in $(echo "$G" | tr , ' '); do addmem "$(grpname "$x")" "$n"; done
fi
setline "$D/passwd" "$n" "$n:$x:$uid:$gid:$c:$home:$sh"
if [ $pwset = 1 ]; then
  awk -F: -v OFS=: -v k="$n" -v p="$pw" '$1 == k { $2 = p } { print }' "$D/shadow" > "$D/shadow.new" && save "$D/shadow"
fi
[ $mv = 0 ] || [ ! -d "$old" ] || mv "$old" "$home"
`,
	"userdel": `r=0
while [ $# -gt 1 ]; do case $1 in -f) ;; -r) r=1 ;; *) echo "userdel: invalid option $1" >&2; exit 2 ;; esac; shift; done
n=$1
line=$(pwline "$n")
[ -n "$line" ] || { echo "userdel: user '$n' does not exist" >&2; exit 6; }
IFS=: read -r _ x uid gid c home sh <<EOF
$line
EOF
delline "$D/passwd" "$n"; delline "$D/shadow" "$n"; delmem "$n"
awk -F: -v k="$n" -v g="$gid" '!($1 == k && $3 == g)' "$D/group" > "$D/group.new" && save "$D/group"
if [ $r = 1 ]; then case $home in "${D%/etc}"/*) rm -rf "$home" ;; esac; fi
`,
	"groupadd": `gid= o=0 sys=0
while [ $# -gt 1 ]; do case $1 in -g) gid=$2; shift ;; -o) o=1 ;; -r) sys=1 ;; *) echo "groupadd: invalid option $1" >&2; exit 2 ;; esac; shift; done
n=$1
! hasgroup "$n" || { echo "groupadd: group '$n' already exists" >&2; exit 9; }
if [ -n "$gid" ]; then
  [ $o = 1 ] || [ -z "$(grp "$gid")" ] || { echo "groupadd: GID '$gid' already exists" >&2; exit 4; }
elif [ $sys = 1 ]; then gid=$(nextid "$D/group" 100 1000)
else gid=$(nextid "$D/group" 1000 60000)
fi
echo "$n:x:$gid:" >> "$D/group"
`,
	"groupmod": `gid= o=0
while [ $# -gt 1 ]; do case $1 in -g) gid=$2; shift ;; -o) o=1 ;; *) echo "groupmod: invalid option $1" >&2; exit 2 ;; esac; shift; done
n=$1
hasgroup "$n" || { echo "groupmod: group '$n' does not exist" >&2; exit 6; }
[ $o = 1 ] || [ -z "$(grp "$gid")" ] || { echo "groupmod: GID '$gid' already exists" >&2; exit 4; }
awk -F: -v OFS=: -v k="$n" -v g="$gid" '$1 == k { $3 = g } { print }' "$D/group" > "$D/group.new" && save "$D/group"
`,
	"groupdel": `n=$1
hasgroup "$n" || { echo "groupdel: group '$n' does not exist" >&2; exit 6; }
delline "$D/group" "$n"
`,
	// chown of the created home (the real one would need root).
	"chown": ``,
	// id must not be needed; a call shows in the log.
	"id": ``,
}

// acctHost is a local host whose account tools are fakes over files under
// the test directory: the machine's real accounts are never read or
// changed. Every command the fakes receive but getent is logged, one line
// each: the name, then each argument in brackets.
type acctHost struct {
	env  *Env
	dir  string // the test directory
	etc  string // the fakes' passwd, group, shadow and log
	conn *recConn
}

// recConn records the commands a module runs.
type recConn struct {
	Conn
	cmds []string
}

func (c *recConn) Run(ctx context.Context, cmd string, stdin io.Reader) (*ExecResult, error) {
	c.cmds = append(c.cmds, cmd)
	return c.Conn.Run(ctx, cmd, stdin)
}

func newAcctHost(t *testing.T, passwd, group, shadow string) *acctHost {
	t.Helper()
	env, dir := testEnv(t)
	etc := filepath.Join(dir, "etc")
	if err := os.Mkdir(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	h := &acctHost{env: env, dir: dir, etc: etc}
	passwd = strings.ReplaceAll(passwd, "$DIR", dir)
	writeFile(t, filepath.Join(etc, "passwd"), passwd, 0o644)
	writeFile(t, filepath.Join(etc, "group"), group, 0o644)
	if shadow != "" {
		writeFile(t, filepath.Join(etc, "shadow"), shadow, 0o600)
	}
	writeFile(t, filepath.Join(etc, "lib.sh"), acctLib, 0o644)
	writeFile(t, filepath.Join(etc, "log"), "", 0o644)
	for name, body := range acctFakes {
		head := "D=" + ShellQuote(etc) + "\n"
		if name != "getent" {
			head += `{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "$D/log"` + "\n"
		}
		fakeBin(t, env, name, head+". \"$D/lib.sh\"\n"+body)
	}
	h.conn = &recConn{Conn: env.Conn}
	env.Conn = h.conn
	return h
}

// file returns one of the fakes' databases ("" when missing).
func (h *acctHost) file(name string) string {
	b, _ := os.ReadFile(filepath.Join(h.etc, name))
	return string(b)
}

// log returns the commands run since the last call, and forgets them.
func (h *acctHost) log(t *testing.T) []string {
	t.Helper()
	p := filepath.Join(h.etc, "log")
	s := readFile(t, p)
	writeFile(t, p, "", 0o644)
	return Lines([]byte(s))
}

func (h *acctHost) wantLog(t *testing.T, want ...string) {
	t.Helper()
	got := h.log(t)
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("commands run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// execs returns how many commands the module ran on the host since the
// last call.
func (h *acctHost) execs() int {
	n := len(h.conn.cmds)
	h.conn.cmds = nil
	return n
}

// wantFields checks the result's fields.
func wantFields(t *testing.T, r Result, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(r[k], v) {
			t.Errorf("%s = %#v, want %#v (result %v)", k, r[k], v, r)
		}
	}
}

const (
	acctPasswd0 = "root:x:0:0:root:/root:/bin/bash\n"
	acctGroup0  = "root:x:0:\nwheel:x:10:\nusers:x:100:\ndocker:x:999:\n"
	acctShadow0 = "root:*:19000:0:99999:7:::\n"
	hash1       = "$6$saltsalt$" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./abcdefghijklmnopqrstuv"
	hash2       = "$6$othersal$" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./ABCDEFGHIJKLMNOPQRSTUV"
)

// A new user: check mode reports changed and runs nothing; then one
// useradd with Ansible's options (parents of home made first, as useradd
// -m does not); the hash never shows in the result nor in the command text
// (it reaches the host on stdin); a second run reads once and changes
// nothing.
func TestUserCreate(t *testing.T) {
	h := newAcctHost(t, acctPasswd0, acctGroup0, acctShadow0)
	home := filepath.Join(h.dir, "srv", "app", "home")
	args := map[string]any{"name": "app", "uid": 1500, "groups": []any{"docker", "wheel"}, "comment": "App User",
		"shell": "/bin/bash", "home": home, "password": hash1}

	h.env.Check = true
	r := run(t, h.env, "user", args)
	mustOK(t, r, true)
	if !reflect.DeepEqual(r, Result{"changed": true}) {
		t.Errorf("check mode result %v, want Ansible's {changed: true}", r)
	}
	h.wantLog(t)
	if h.execs() != 1 || strings.Contains(h.file("passwd"), "app") {
		t.Fatal("check mode changed something")
	}

	h.env.Check = false
	r = run(t, h.env, "ansible.builtin.user", args)
	mustOK(t, r, true)
	h.wantLog(t, "useradd [-u] [1500] [-G] [docker,wheel] [-c] [App User] [-d] ["+home+"] [-s] [/bin/bash] [-p] ["+hash1+"] [-m] [app]")
	wantFields(t, r, map[string]any{"name": "app", "state": "present", "uid": 1500, "group": 1500, "comment": "App User",
		"home": home, "shell": "/bin/bash", "groups": "docker,wheel", "system": false, "create_home": true,
		"password": "NOT_LOGGING_PASSWORD"})
	if strings.Contains(fmt.Sprint(r), hash1[5:]) {
		t.Errorf("the hash is in the result: %v", r)
	}
	for _, c := range h.conn.cmds {
		if strings.Contains(c, hash1[5:]) {
			t.Errorf("the hash is in the command text: %s", c)
		}
	}
	if h.execs() != 2 {
		t.Error("want one read and one action")
	}
	if !strings.Contains(h.file("passwd"), "app:x:1500:1500:App User:"+home+":/bin/bash\n") ||
		!strings.Contains(h.file("group"), "wheel:x:10:app\n") || !strings.Contains(h.file("group"), "docker:x:999:app\n") ||
		!strings.Contains(h.file("shadow"), "app:"+hash1+":") {
		t.Fatalf("state:\n%s%s%s", h.file("passwd"), h.file("group"), h.file("shadow"))
	}
	if fi, err := os.Stat(home); err != nil || !fi.IsDir() {
		t.Fatalf("home not created: %v", err)
	}

	r = run(t, h.env, "user", args)
	mustOK(t, r, false)
	h.wantLog(t)
	if h.execs() != 1 {
		t.Error("an unchanged user takes more than one command")
	}
	wantFields(t, r, map[string]any{"uid": 1500, "groups": "docker,wheel", "append": false, "move_home": false, "password": "NOT_LOGGING_PASSWORD"})
}

// useradd's other options: -N when a group of the user's name exists, -g,
// -M, -r, -k, -K; the aliases user and createhome; a group that does not
// exist fails before anything runs.
func TestUserCreateOptions(t *testing.T) {
	h := newAcctHost(t, acctPasswd0, acctGroup0+"svc:x:500:\n", acctShadow0)
	mustOK(t, run(t, h.env, "user", map[string]any{"user": "svc", "createhome": false, "system": true}), true)
	h.wantLog(t, "useradd [-N] [-M] [-r] [svc]")
	if !strings.Contains(h.file("passwd"), "svc:x:100:100:") {
		t.Errorf("passwd:\n%s", h.file("passwd"))
	}

	skel := filepath.Join(h.dir, "skel")
	if err := os.Mkdir(skel, 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(h.dir, "web")
	r := run(t, h.env, "user", map[string]any{"name": "web", "group": "users", "home": home, "skeleton": skel, "umask": "0077", "groups": ""})
	mustOK(t, r, true)
	h.wantLog(t, "useradd [-g] [users] [-d] ["+home+"] [-m] [-k] ["+skel+"] [-K] [UMASK=0077] [web]")
	wantFields(t, r, map[string]any{"group": 100, "groups": ""})

	r = run(t, h.env, "user", map[string]any{"name": "x", "groups": "docker, nope"})
	mustFail(t, r, "Group nope does not exist")
	r = run(t, h.env, "user", map[string]any{"name": "x", "group": "nope"})
	mustFail(t, r, "Group nope does not exist")
	h.wantLog(t)
}

// An existing user: only what differs is passed to usermod (-g with the
// gid, -G with the wanted groups, -d -m for move_home); check mode runs
// nothing and shows the current account.
func TestUserModify(t *testing.T) {
	h := newAcctHost(t, acctPasswd0+"app:x:1500:1500:App:$DIR/app:/bin/sh\n",
		acctGroup0+"app:x:1500:\n", acctShadow0+"app:"+hash1+":19000:0:99999:7:::\n")
	old, home := filepath.Join(h.dir, "app"), filepath.Join(h.dir, "new")
	if err := os.Mkdir(old, 0o755); err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"name": "app", "uid": 1501, "group": "users", "groups": "wheel,docker", "comment": "App",
		"shell": "/bin/bash", "home": home, "move_home": true}
	h.env.Check = true
	r := run(t, h.env, "user", args)
	mustOK(t, r, true)
	wantFields(t, r, map[string]any{"uid": 1500, "group": 1500, "home": old, "shell": "/bin/sh", "append": false, "move_home": true})
	h.wantLog(t)

	h.env.Check = false
	r = run(t, h.env, "user", args)
	mustOK(t, r, true)
	h.wantLog(t, "usermod [-u] [1501] [-g] [100] [-G] [wheel,docker] [-d] ["+home+"] [-m] [-s] [/bin/bash] [app]")
	wantFields(t, r, map[string]any{"uid": 1501, "group": 100, "home": home, "shell": "/bin/bash", "comment": "App", "groups": "wheel,docker"})
	if _, err := os.Stat(home); err != nil {
		t.Errorf("home not moved: %v", err)
	}
	mustOK(t, run(t, h.env, "user", args), false)
	h.wantLog(t)

	// groups without append: the user leaves the groups not listed.
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "groups": []any{"docker"}}), true)
	h.wantLog(t, "usermod [-G] [docker] [app]")
	if !strings.Contains(h.file("group"), "wheel:x:10:\n") || !strings.Contains(h.file("group"), "docker:x:999:app\n") {
		t.Fatalf("group:\n%s", h.file("group"))
	}
	// append adds only when a listed group is missing.
	ap := map[string]any{"name": "app", "groups": []any{"wheel", "10"}, "append": true}
	mustOK(t, run(t, h.env, "user", ap), true)
	h.wantLog(t, "usermod [-a] [-G] [wheel] [app]")
	mustOK(t, run(t, h.env, "user", ap), false)
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "groups": "", "append": true}), false)
	h.wantLog(t)
	// groups "" without append: out of every group.
	r = run(t, h.env, "user", map[string]any{"name": "app", "groups": ""})
	mustOK(t, r, true)
	h.wantLog(t, "usermod [-G] [] [app]")
	if strings.Contains(h.file("group"), ":app\n") {
		t.Fatalf("group:\n%s", h.file("group"))
	}
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "groups": ""}), false)

	r = run(t, h.env, "user", map[string]any{"name": "app", "group": "nope"})
	mustFail(t, r, "Group nope does not exist")
	h.wantLog(t)
}

// The password is compared with the shadow entry (a locked "!" prefix
// ignored) and set with usermod -p only when it differs and
// update_password is always.
func TestUserPassword(t *testing.T) {
	h := newAcctHost(t, acctPasswd0+"app:x:1500:1500::$DIR:/bin/sh\n", acctGroup0, acctShadow0+"app:!"+hash1+":19000:0:99999:7:::\n")
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "password": hash1}), false)
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "password": hash2, "update_password": "on_create"}), false)
	h.wantLog(t)
	h.env.Check = true
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "password": hash2}), true)
	h.wantLog(t)
	h.env.Check = false
	r := run(t, h.env, "user", map[string]any{"name": "app", "password": hash2})
	mustOK(t, r, true)
	h.wantLog(t, "usermod [-p] ["+hash2+"] [app]")
	if r["password"] != "NOT_LOGGING_PASSWORD" || strings.Contains(fmt.Sprint(r), hash2[5:]) || r["warnings"] != nil {
		t.Errorf("result %v", r)
	}
	if !strings.Contains(h.file("shadow"), "app:"+hash2+":") {
		t.Fatalf("shadow:\n%s", h.file("shadow"))
	}
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "password": hash2}), false)
	// A clear-text password is set as given, with Ansible's warning.
	r = run(t, h.env, "user", map[string]any{"name": "app", "password": "secret"})
	mustOK(t, r, true)
	if w, _ := r["warnings"].([]string); len(w) != 1 || !strings.Contains(w[0], "appears not to have been hashed") {
		t.Errorf("warnings %v", r["warnings"])
	}
}

// A missing home directory is created (copy of the skeleton, owned by the
// user) unless create_home is false; check mode only reports it.
func TestUserMissingHome(t *testing.T) {
	h := newAcctHost(t, acctPasswd0+"app:x:1500:1500::$DIR/home/app:/bin/sh\n", acctGroup0+"app:x:1500:\n", acctShadow0)
	home := filepath.Join(h.dir, "home", "app")
	skel := filepath.Join(h.dir, "skel")
	if err := os.Mkdir(skel, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(skel, ".profile"), "# profile\n", 0o644)

	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app", "create_home": false}), false)
	h.env.Check = true
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app"}), true)
	h.env.Check = false
	h.wantLog(t)
	if _, err := os.Stat(home); err == nil {
		t.Fatal("home created with create_home false or in check mode")
	}
	r := run(t, h.env, "user", map[string]any{"name": "app", "skeleton": skel})
	mustOK(t, r, true)
	h.wantLog(t, "chown [-R] [1500:1500] ["+home+"]")
	if readFile(t, filepath.Join(home, ".profile")) != "# profile\n" {
		t.Error("skeleton not copied")
	}
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "app"}), false)
	h.wantLog(t)

	// A home that cannot be created fails the task, with why.
	writeFile(t, filepath.Join(h.dir, "file"), "", 0o644)
	r = run(t, h.env, "user", map[string]any{"name": "app", "home": filepath.Join(h.dir, "file", "app")})
	mustFail(t, r, "cannot create directory")
}

// absent: userdel with -f/-r, only when the user exists; check mode runs
// nothing.
func TestUserAbsent(t *testing.T) {
	h := newAcctHost(t, acctPasswd0+"app:x:1500:1500::$DIR/app:/bin/sh\n", acctGroup0+"app:x:1500:\ndocker:x:998:app\n", acctShadow0)
	home := filepath.Join(h.dir, "app")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"name": "app", "state": "absent", "remove": true, "force": true}
	h.env.Check = true
	r := run(t, h.env, "user", args)
	if !reflect.DeepEqual(r, Result{"changed": true}) {
		t.Errorf("check mode result %v", r)
	}
	h.env.Check = false
	h.wantLog(t)
	r = run(t, h.env, "user", args)
	mustOK(t, r, true)
	h.wantLog(t, "userdel [-f] [-r] [app]")
	wantFields(t, r, map[string]any{"name": "app", "state": "absent", "force": true, "remove": true})
	if strings.Contains(h.file("passwd"), "app") || strings.Contains(h.file("group"), "app") {
		t.Fatalf("state:\n%s%s", h.file("passwd"), h.file("group"))
	}
	if _, err := os.Stat(home); err == nil {
		t.Error("home not removed")
	}
	r = run(t, h.env, "user", map[string]any{"name": "app", "state": "absent"})
	mustOK(t, r, false)
	if !reflect.DeepEqual(r, Result{"name": "app", "state": "absent", "changed": false}) {
		t.Errorf("result %v", r)
	}
	h.wantLog(t)
}

// A failing command fails the task with its stderr and rc, as Ansible.
func TestUserCommandFails(t *testing.T) {
	h := newAcctHost(t, acctPasswd0+"app:x:1500:1500::/nonexistent:/bin/sh\n", acctGroup0+"app:x:1500:\n", acctShadow0)
	r := run(t, h.env, "user", map[string]any{"name": "web", "uid": 1500, "create_home": false})
	mustFail(t, r, "useradd: UID 1500 is not unique")
	wantFields(t, r, map[string]any{"rc": 4, "name": "web"})
	h.wantLog(t, "useradd [-u] [1500] [-M] [web]")
	mustOK(t, run(t, h.env, "user", map[string]any{"name": "web", "uid": 1500, "non_unique": true, "create_home": false}), true)
	h.wantLog(t, "useradd [-u] [1500] [-o] [-M] [web]")
}

// The arguments drover does not implement are refused by name.
func TestUserGroupSchemas(t *testing.T) {
	m, _ := Lookup("ansible.legacy.user")
	s := m.Schema()
	for _, k := range []string{"generate_ssh_key", "ssh_key_bits", "ssh_key_type", "ssh_key_file", "ssh_key_comment",
		"ssh_key_passphrase", "expires", "password_lock", "password_expire_max", "password_expire_min", "seuser",
		"local", "login_class", "hidden", "profile", "authorization", "role"} {
		if s.Unsupported[k] == "" {
			t.Errorf("user: %s not refused", k)
		}
		if _, ok := s.Args[k]; ok {
			t.Errorf("user: %s both an argument and refused", k)
		}
	}
	if a := s.Args["name"]; !a.Required || !reflect.DeepEqual(a.Aliases, []string{"user"}) {
		t.Errorf("user name %+v", a)
	}
	if a := s.Args["create_home"]; a.Default != true || !reflect.DeepEqual(a.Aliases, []string{"createhome"}) {
		t.Errorf("create_home %+v", a)
	}
	g, _ := Lookup("ansible.legacy.group")
	if g.Schema().Unsupported["local"] == "" {
		t.Error("group: local not refused")
	}
}
