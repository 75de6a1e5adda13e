package modules

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
)

func init() {
	Register(userModule{}, "ansible.builtin.user", "ansible.legacy.user")
}

// userModule is Ansible's user on Linux: getent reads the account (passwd,
// shadow when a password is given, group), useradd, usermod and userdel
// (shadow-utils) change it. As Ansible, a missing home directory is created
// from the skeleton unless create_home is false.
type userModule struct{}

func (userModule) Name() string { return "user" }

const userSSHKeysRefused = "drover does not generate SSH keys (generate_ssh_key and the ssh_key_* options); run ssh-keygen with command: and creates:"

func (userModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"name":            {Type: TypeString, Required: true, Aliases: []string{"user"}},
			"state":           {Type: TypeString, Default: "present", Choices: []string{"absent", "present"}},
			"uid":             {Type: TypeInt},
			"non_unique":      {Type: TypeBool, Default: false},
			"group":           {Type: TypeString},
			"groups":          {Type: TypeList},
			"append":          {Type: TypeBool, Default: false},
			"comment":         {Type: TypeString},
			"home":            {Type: TypePath},
			"shell":           {Type: TypeString},
			"password":        {Type: TypeString},
			"update_password": {Type: TypeString, Default: "always", Choices: []string{"always", "on_create"}},
			"create_home":     {Type: TypeBool, Default: true, Aliases: []string{"createhome"}},
			"move_home":       {Type: TypeBool, Default: false},
			"skeleton":        {Type: TypeString},
			"umask":           {Type: TypeString},
			"system":          {Type: TypeBool, Default: false},
			"force":           {Type: TypeBool, Default: false},
			"remove":          {Type: TypeBool, Default: false},
		},
		Unsupported: map[string]string{
			"generate_ssh_key":    userSSHKeysRefused,
			"ssh_key_bits":        userSSHKeysRefused,
			"ssh_key_type":        userSSHKeysRefused,
			"ssh_key_file":        userSSHKeysRefused,
			"ssh_key_comment":     userSSHKeysRefused,
			"ssh_key_passphrase":  userSSHKeysRefused,
			"expires":             "account expiry (useradd/usermod -e) is not implemented",
			"password_lock":       "password locking (usermod -L/-U) is not implemented; a password of '!' creates a locked account",
			"password_expire_max": "password ageing (chage -M) is not implemented",
			"password_expire_min": "password ageing (chage -m) is not implemented",
			"seuser":              "SELinux (useradd -Z) is not supported",
			"local":               "drover manages accounts with useradd/usermod/userdel; libuser's luseradd/lusermod/luserdel are not supported",
			"login_class":         "login classes are BSD only; drover's user module is Linux only",
			"hidden":              "hidden is macOS only; drover's user module is Linux only",
			"profile":             "profile is Solaris/illumos only; drover's user module is Linux only",
			"authorization":       "authorization is Solaris/illumos only; drover's user module is Linux only",
			"role":                "role is Solaris/illumos only; drover's user module is Linux only",
		},
	}
}

// userNotLogging is what the result shows for the password, as Ansible.
const userNotLogging = "NOT_LOGGING_PASSWORD"

// userSpec is the task's arguments; xSet says an optional one was given
// (Ansible's "is not None").
type userSpec struct {
	name, state string

	uid                 int
	uidSet, nonUnique   bool
	group               string
	groupSet            bool
	groupsJoined        string   // the result's groups: the argument joined with commas
	groups              []string // its names, trimmed, without duplicates
	groupsSet, append   bool
	comment, home       string
	commentSet, homeSet bool
	shell               string
	shellSet            bool
	password            string
	passwordSet         bool
	updatePassword      string
	createHome          bool
	moveHome, system    bool
	force, remove       bool
	skeleton, umask     string
	skelSet, umaskSet   bool
	warnings            []string
}

// userOpt reads an optional string argument under any of its names.
func userOpt(args map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := args[k]; ok && v != nil {
			return argString(args, k), true
		}
	}
	return "", false
}

func userSpecFrom(args map[string]any) (*userSpec, error) {
	u := &userSpec{}
	u.name, _ = userOpt(args, "name", "user")
	if u.name == "" {
		return nil, fmt.Errorf("missing required arguments: name")
	}
	var err error
	if u.state, err = acctChoice(args, "state", "present", "absent", "present"); err != nil {
		return nil, err
	}
	if u.updatePassword, err = acctChoice(args, "update_password", "always", "always", "on_create"); err != nil {
		return nil, err
	}
	if u.uid, u.uidSet, err = acctInt(args, "uid"); err != nil {
		return nil, err
	}
	u.nonUnique = argBool(args, "non_unique", false)
	u.group, u.groupSet = userOpt(args, "group")
	if v, ok := args["groups"]; ok && v != nil {
		u.groupsSet = true
		var parts []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				parts = append(parts, fmt.Sprint(e))
			}
		case []string:
			parts = x
		default:
			parts = strings.Split(fmt.Sprint(x), ",")
		}
		u.groupsJoined = strings.Join(parts, ",")
		seen := map[string]bool{}
		for _, g := range strings.Split(u.groupsJoined, ",") {
			if g = strings.TrimSpace(g); g != "" && !seen[g] {
				seen[g] = true
				u.groups = append(u.groups, g)
			}
		}
	}
	u.append = argBool(args, "append", false)
	u.comment, u.commentSet = userOpt(args, "comment")
	u.home, u.homeSet = userOpt(args, "home")
	u.shell, u.shellSet = userOpt(args, "shell")
	u.password, u.passwordSet = userOpt(args, "password")
	if strings.ContainsAny(u.password, "\n\r") {
		return nil, fmt.Errorf("password must be a crypted hash on one line")
	}
	if _, ok := args["create_home"]; ok {
		u.createHome = argBool(args, "create_home", true)
	} else {
		u.createHome = argBool(args, "createhome", true)
	}
	u.moveHome = argBool(args, "move_home", false)
	u.system = argBool(args, "system", false)
	u.force = argBool(args, "force", false)
	u.remove = argBool(args, "remove", false)
	u.skeleton, u.skelSet = userOpt(args, "skeleton")
	u.umask, u.umaskSet = userOpt(args, "umask")

	if u.password != "" && !userPasswordHashed(u.password) {
		u.warnings = append(u.warnings, "The input password appears not to have been hashed. "+
			"The 'password' argument must be encrypted for this module to work properly.")
	}
	if !u.groupsSet && u.append {
		u.warnings = append(u.warnings, "'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups."+
			"This will change to an error in Ansible 2.14.")
	}
	return u, nil
}

// userPasswordHashed is Ansible's check_password_encrypted: false means
// the password looks like clear text (a warning, not an error).
func userPasswordHashed(p string) bool {
	switch p {
	case "*", "!", "*************":
		return true
	}
	if strings.ContainsAny(p, ":*!") || !strings.Contains(p, "$") {
		return false
	}
	f := strings.Split(p, "$")
	if len(f) < 3 {
		return false
	}
	last := f[len(f)-1]
	for _, c := range last {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("./=", c)) {
			return false
		}
	}
	want := map[string]int{"1": 22, "5": 43, "6": 86}
	if n, ok := want[f[1]]; ok && len(last) != n {
		return false
	}
	return true
}

// acctPasswd is one passwd(5) entry.
type acctPasswd struct {
	name, passwd       string
	uid, gid           int
	gecos, home, shell string
}

func acctParsePasswd(line string) (acctPasswd, bool) {
	f := strings.SplitN(line, ":", 7)
	if len(f) < 7 {
		return acctPasswd{}, false
	}
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		return acctPasswd{}, false
	}
	return acctPasswd{name: f[0], passwd: f[1], uid: uid, gid: gid, gecos: f[4], home: f[5], shell: f[6]}, true
}

// userState is the account as read on the host.
type userState struct {
	pw         *acctPasswd
	shadow     string                 // the shadow password field, "" when not readable
	groups     []acctGroup            // every group (getent group), when groups is given
	lookups    map[string][]acctGroup // getent group KEY, for group and groups
	homeExists bool                   // the home directory the user will have exists
}

// findGroup resolves a group argument as Ansible's group_exists: a number
// is a gid first, then a name.
func (st *userState) findGroup(key string) (acctGroup, bool) {
	cands := append(append([]acctGroup{}, st.lookups[key]...), st.groups...)
	if n, err := strconv.Atoi(key); err == nil {
		for _, g := range cands {
			if g.gid == n {
				return g, true
			}
		}
	}
	for _, g := range cands {
		if g.name == key {
			return g, true
		}
	}
	return acctGroup{}, false
}

// membership lists the groups whose members include name, in getent
// order, once each (Ansible's user_group_membership).
func (st *userState) membership(name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range st.groups {
		for _, m := range g.members {
			if m == name && !seen[g.name] {
				seen[g.name] = true
				out = append(out, g.name)
			}
		}
	}
	return out
}

// resolveGroups names the groups of the groups argument (a gid becomes
// its group's name), failing on one that does not exist.
func (u *userSpec) resolveGroups(st *userState) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, k := range u.groups {
		g, ok := st.findGroup(k)
		if !ok {
			return nil, fmt.Errorf("Group %s does not exist", k)
		}
		if !seen[g.name] {
			seen[g.name] = true
			out = append(out, g.name)
		}
	}
	return out, nil
}

func (u *userSpec) lookupKeys() []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if u.groupSet {
		add(u.group)
	} else {
		add(u.name) // useradd -N when a group of the user's name exists
	}
	for _, g := range u.groups {
		add(g)
	}
	return keys
}

// homeVar sets $h to the home directory the user will have: home, or the
// one in passwd.
func (u *userSpec) homeVar() string {
	if u.homeSet {
		return "h=" + ShellQuote(u.home) + "\n"
	}
	return "h=$(getent passwd " + ShellQuote(u.name) + " | cut -d: -f6)\n"
}

// read reads the account in one command.
func (u *userSpec) read(ctx context.Context, env *Env) (*userState, Result) {
	q := ShellQuote(u.name)
	var b strings.Builder
	b.WriteString(acctGetentCheck)
	b.WriteString("echo @@drover:passwd\ngetent passwd " + q + "\n")
	var keys []string
	if u.state == "present" {
		if u.passwordSet {
			b.WriteString("echo @@drover:shadow\ngetent shadow " + q + " 2>/dev/null\n")
		}
		if u.groupsSet {
			b.WriteString("echo @@drover:groups\ngetent group\n")
		}
		keys = u.lookupKeys()
		for i, k := range keys {
			fmt.Fprintf(&b, "echo @@drover:lookup%d\ngetent group %s\n", i, ShellQuote(k))
		}
		b.WriteString("echo @@drover:home\n" + u.homeVar() + "if [ -n \"$h\" ] && [ -e \"$h\" ]; then echo exists; fi\n")
	}
	b.WriteString("exit 0\n")
	res, fr := Exec(ctx, env, b.String(), nil)
	if fr != nil {
		return nil, fr
	}
	if res.ExitCode != 0 {
		return nil, Fail(fmt.Sprintf("reading user %s failed (rc=%d): %s", u.name, res.ExitCode, strings.TrimSpace(string(res.Stderr))))
	}
	sec := acctSections(string(res.Stdout))
	st := &userState{lookups: map[string][]acctGroup{}}
	st.pw = u.findPasswd(sec["passwd"])
	for _, l := range sec["shadow"] {
		if f := strings.Split(l, ":"); len(f) >= 2 && f[0] == u.name {
			st.shadow = f[1]
		}
	}
	st.groups = acctParseGroups(sec["groups"])
	for i, k := range keys {
		st.lookups[k] = acctParseGroups(sec["lookup"+strconv.Itoa(i)])
	}
	st.homeExists = len(sec["home"]) > 0 && sec["home"][0] == "exists"
	return st, nil
}

func (u *userSpec) findPasswd(lines []string) *acctPasswd {
	for _, l := range lines {
		if p, ok := acctParsePasswd(l); ok && p.name == u.name {
			return &p
		}
	}
	return nil
}

func (userModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	u, err := userSpecFrom(args)
	if err != nil {
		return Fail(err.Error())
	}
	r := u.run(ctx, env)
	if len(u.warnings) > 0 && !r.Unreachable() {
		r["warnings"] = u.warnings
	}
	return r
}

func (u *userSpec) run(ctx context.Context, env *Env) Result {
	st, fr := u.read(ctx, env)
	if fr != nil {
		return fr
	}
	switch {
	case u.state == "absent":
		return u.removeUser(ctx, env, st)
	case st.pw == nil:
		return u.createUser(ctx, env, st)
	default:
		return u.modifyUser(ctx, env, st)
	}
}

func (u *userSpec) removeUser(ctx context.Context, env *Env, st *userState) Result {
	if st.pw == nil {
		return Result{"name": u.name, "state": u.state, "changed": false}
	}
	if env.Check {
		return Result{"changed": true} // Ansible exits with changed alone
	}
	argv := []string{"userdel"}
	if u.force {
		argv = append(argv, "-f")
	}
	if u.remove {
		argv = append(argv, "-r")
	}
	argv = append(argv, u.name)
	o, fr := acctAction(ctx, env, acctArgv(argv), "", nil)
	if fr != nil {
		return fr
	}
	if o.rc != 0 {
		return acctFail(u.name, "userdel", o)
	}
	out := Result{"name": u.name, "state": u.state, "force": u.force, "remove": u.remove, "changed": true}
	o.addOutput(out)
	return out
}

// passwordArgs adds -p (the value read from stdin) and returns the stdin.
func (u *userSpec) passwordArgs(argv *[]string) []byte {
	*argv = append(*argv, "-p", acctPasswordWord)
	return []byte(u.password + "\n")
}

func (u *userSpec) createUser(ctx context.Context, env *Env, st *userState) Result {
	if env.Check {
		return Result{"changed": true} // Ansible exits with changed alone
	}
	argv := []string{"useradd"}
	if u.uidSet {
		argv = append(argv, "-u", strconv.Itoa(u.uid))
		if u.nonUnique {
			argv = append(argv, "-o")
		}
	}
	if u.groupSet {
		if _, ok := st.findGroup(u.group); !ok {
			return Fail(fmt.Sprintf("Group %s does not exist", u.group))
		}
		argv = append(argv, "-g", u.group)
	} else if _, ok := st.findGroup(u.name); ok {
		// no user group: useradd would fail creating one of the same name
		argv = append(argv, "-N")
	}
	if len(u.groups) > 0 {
		names, err := u.resolveGroups(st)
		if err != nil {
			return Fail(err.Error())
		}
		argv = append(argv, "-G", strings.Join(names, ","))
	}
	if u.commentSet {
		argv = append(argv, "-c", u.comment)
	}
	prelude := ""
	if u.homeSet {
		if u.createHome && u.home != "" {
			// useradd -m does not create missing parent directories
			p := ShellQuote(path.Dir(u.home))
			prelude = "{ [ -d " + p + " ] || mkdir -p " + p + "; } && "
		}
		argv = append(argv, "-d", u.home)
	}
	if u.shellSet {
		argv = append(argv, "-s", u.shell)
	}
	var stdin []byte
	if u.passwordSet {
		stdin = u.passwordArgs(&argv)
	}
	if u.createHome {
		argv = append(argv, "-m")
		if u.skelSet {
			argv = append(argv, "-k", u.skeleton)
		}
		if u.umaskSet {
			argv = append(argv, "-K", "UMASK="+u.umask)
		}
	} else {
		argv = append(argv, "-M")
	}
	if u.system {
		argv = append(argv, "-r")
	}
	argv = append(argv, u.name)
	o, fr := acctAction(ctx, env, prelude+acctArgv(argv), u.tail(), stdin)
	if fr != nil {
		return fr
	}
	if o.rc != 0 {
		return acctFail(u.name, "useradd", o)
	}
	out := Result{"name": u.name, "state": u.state, "system": u.system, "create_home": u.createHome, "changed": true}
	if u.passwordSet {
		out["password"] = userNotLogging
	}
	o.addOutput(out)
	return u.finish(out, o.sections)
}

func (u *userSpec) modifyUser(ctx context.Context, env *Env, st *userState) Result {
	pw := st.pw
	argv := []string{"usermod"}
	if u.uidSet && pw.uid != u.uid {
		argv = append(argv, "-u", strconv.Itoa(u.uid))
		if u.nonUnique {
			argv = append(argv, "-o")
		}
	}
	if u.groupSet {
		g, ok := st.findGroup(u.group)
		if !ok {
			return Fail(fmt.Sprintf("Group %s does not exist", u.group))
		}
		if pw.gid != g.gid {
			argv = append(argv, "-g", strconv.Itoa(g.gid))
		}
	}
	if u.groupsSet {
		current := st.membership(u.name)
		if len(u.groups) == 0 {
			if len(current) > 0 && !u.append {
				argv = append(argv, "-G", "")
			}
		} else {
			names, err := u.resolveGroups(st)
			if err != nil {
				return Fail(err.Error())
			}
			isCurrent := map[string]bool{}
			for _, g := range current {
				isCurrent[g] = true
			}
			missing := false // a wanted group the user is not in
			for _, g := range names {
				missing = missing || !isCurrent[g]
			}
			extra := len(userSetMinus(current, names)) > 0 // a group the user is in but not wanted
			switch {
			case u.append && missing:
				argv = append(argv, "-a", "-G", strings.Join(names, ","))
			case !u.append && (missing || extra):
				argv = append(argv, "-G", strings.Join(names, ","))
			}
		}
	}
	if u.commentSet && pw.gecos != u.comment {
		argv = append(argv, "-c", u.comment)
	}
	if u.homeSet && pw.home != u.home {
		argv = append(argv, "-d", u.home)
		if u.moveHome {
			argv = append(argv, "-m")
		}
	}
	if u.shellSet && pw.shell != u.shell {
		argv = append(argv, "-s", u.shell)
	}
	var stdin []byte
	if u.passwordSet && u.updatePassword == "always" {
		cur := pw.passwd
		if len(cur) <= 1 {
			cur = st.shadow
		}
		if strings.TrimLeft(cur, "!") != strings.TrimLeft(u.password, "!") {
			stdin = u.passwordArgs(&argv)
		}
	}
	changed := len(argv) > 1
	homeMissing := u.createHome && !st.homeExists

	out := Result{"name": u.name, "state": u.state, "append": u.append, "move_home": u.moveHome}
	if u.passwordSet {
		out["password"] = userNotLogging
	}
	if !changed && !homeMissing || env.Check {
		out["changed"] = changed || homeMissing
		u.addInfo(out, pw)
		return out
	}
	cmd := ":"
	if changed {
		cmd = acctArgv(append(argv, u.name))
	}
	o, fr := acctAction(ctx, env, cmd, u.tail(), stdin)
	if fr != nil {
		return fr
	}
	if o.rc != 0 {
		return acctFail(u.name, "usermod", o)
	}
	out["changed"] = changed
	o.addOutput(out)
	return u.finish(out, o.sections)
}

// userSetMinus lists the elements of a not in b.
func userSetMinus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// tail reads the account back after useradd/usermod and, with
// create_home, creates a missing home directory as Ansible's
// create_homedir and chown_homedir: a copy of the skeleton (or an empty
// directory without one), mode from login.defs' UMASK, owned by the user.
func (u *userSpec) tail() string {
	q := ShellQuote(u.name)
	s := "echo @@drover:passwd\ngetent passwd " + q + "\n"
	if !u.createHome {
		return s
	}
	skel := "/etc/skel"
	if u.skelSet {
		skel = u.skeleton
	}
	s += "echo @@drover:home\n" +
		"IFS=: read -r _n _x _u _g _c h _s <<EOF\n$(getent passwd " + q + ")\nEOF\n"
	if u.homeSet {
		s += "h=" + ShellQuote(u.home) + "\n"
	}
	s += `if [ -n "$_u" ] && [ -n "$h" ] && [ ! -e "$h" ]; then
  if e=$( (
    skel=` + ShellQuote(skel) + `
    if [ -e "$skel" ]; then mkdir -p -- "$(dirname -- "$h")" && cp -RPp -- "$skel" "$h"; else mkdir -p -- "$h"; fi || exit 1
    um=$(grep -E '^UMASK[[:space:]]+[0-9]+$' /etc/login.defs 2>/dev/null | tail -n 1 | tr -dc 0-9)
    if [ -n "$um" ]; then chmod "$(printf %o "$((0777 & ~0$um))")" "$h" || exit 1; fi
    chown -R "$_u:$_g" "$h"
  ) 2>&1 ); then echo created; else echo failed; printf '%s\n' "$e"; fi
fi
`
	return s
}

// addInfo adds the account's fields to the result, as Ansible does for a
// present user.
func (u *userSpec) addInfo(out Result, pw *acctPasswd) {
	out["uid"], out["group"] = pw.uid, pw.gid
	out["comment"], out["home"], out["shell"] = pw.gecos, pw.home, pw.shell
	if u.groupsSet {
		out["groups"] = u.groupsJoined
	}
}

// finish completes a result from what tail printed.
func (u *userSpec) finish(out Result, sec map[string][]string) Result {
	if pw := u.findPasswd(sec["passwd"]); pw != nil {
		u.addInfo(out, pw)
	}
	if h := sec["home"]; len(h) > 0 {
		switch h[0] {
		case "created":
			out["changed"] = true
		case "failed":
			msg := strings.Join(h[1:], "\n")
			if msg == "" {
				msg = "creating the home directory failed"
			}
			return Fail(msg)
		}
	}
	return out
}
