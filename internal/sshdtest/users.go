package sshdtest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The sudo user (Options.SudoPassword) exists only inside the hosts: each
// host gets private copies of /etc/passwd, /etc/shadow, /etc/group and
// /etc/hosts with the user added, and a private /etc/sudoers.d (the real
// drop-ins plus one for the user), all bind-mounted by the wrapper in the
// host's mount namespace (the "binds" file of the host's state directory).
// The real machine's files are only read. sudo's timestamps go to the
// host's private directory, not to the real /run/sudo.

const (
	sudoBin        = "/usr/bin/sudo"
	sudoersFile    = "/etc/sudoers"
	sudoersDir     = "/etc/sudoers.d"
	sudoersDropIn  = "zz-drover-sshdtest"
	firstFreeID    = 4242
	privateEtcName = "etc"
)

// userSetup is what every host needs to define the sudo user.
type userSetup struct {
	uid  int    // uid and gid
	hash string // crypt(3) hash of the password
}

// setupUsers prepares the sudo user when Options.SudoPassword is set.
func (f *Fleet) setupUsers() error {
	if f.opts.SudoPassword == "" {
		return nil
	}
	var missing []string
	if _, err := os.Stat(sudoBin); err != nil {
		missing = append(missing, sudoBin+" (package sudo)")
	}
	if st, err := os.Stat(sudoersDir); err != nil || !st.IsDir() {
		missing = append(missing, sudoersDir)
	} else if b, err := os.ReadFile(sudoersFile); err != nil || !bytes.Contains(b, []byte("includedir "+sudoersDir)) {
		missing = append(missing, sudoersFile+" with @includedir "+sudoersDir)
	}
	if len(missing) > 0 {
		return &UnavailableError{Missing: missing}
	}
	hash, err := hashPassword(f.opts.SudoPassword)
	if err != nil {
		return err
	}
	uid, err := freeID()
	if err != nil {
		return err
	}
	f.users = &userSetup{uid: uid, hash: hash}
	return nil
}

// hashPassword returns a SHA-512 crypt(3) hash of pw, computed by openssl
// (or perl). The password goes through stdin, never a command line.
func hashPassword(pw string) (string, error) {
	var out []byte
	var err error
	if p, lerr := exec.LookPath("openssl"); lerr == nil {
		cmd := exec.Command(p, "passwd", "-6", "-stdin")
		cmd.Stdin = strings.NewReader(pw + "\n")
		out, err = cmd.Output()
	} else if p, lerr := exec.LookPath("perl"); lerr == nil {
		var salt [8]byte
		if _, err := rand.Read(salt[:]); err != nil {
			return "", err
		}
		cmd := exec.Command(p, "-e", `my $p = <STDIN>; chomp $p; print crypt($p, '$6$' . $ARGV[0] . '$'), "\n"`, hex.EncodeToString(salt[:]))
		cmd.Stdin = strings.NewReader(pw + "\n")
		out, err = cmd.Output()
	} else {
		return "", &UnavailableError{Missing: []string{"openssl or perl (to hash the sudo user's password)"}}
	}
	if err != nil {
		return "", fmt.Errorf("sshdtest: hash the sudo user's password: %w", err)
	}
	h := strings.TrimSpace(string(out))
	if !strings.HasPrefix(h, "$6$") {
		return "", errors.New("sshdtest: hash the sudo user's password: no SHA-512 crypt support")
	}
	return h, nil
}

// freeID is a uid that is also a gid free in the real /etc/passwd and
// /etc/group.
func freeID() (int, error) {
	used := map[int]bool{}
	for _, file := range []string{"/etc/passwd", "/etc/group"} {
		b, err := os.ReadFile(file)
		if err != nil {
			return 0, fmt.Errorf("sshdtest: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			fields := strings.Split(sc.Text(), ":")
			if len(fields) > 2 {
				if n, err := strconv.Atoi(fields[2]); err == nil {
					used[n] = true
				}
			}
			if len(fields) > 0 && fields[0] == SudoUser {
				return 0, fmt.Errorf("sshdtest: %s already names a user or group of this machine", SudoUser)
			}
		}
	}
	for id := firstFreeID; id < 60000; id++ {
		if !used[id] {
			return id, nil
		}
	}
	return 0, errors.New("sshdtest: no free uid")
}

// writeUserFiles writes host h's private /etc files and the user's home
// (in the host's private directory), and returns the binds that put the
// files in place.
func (f *Fleet) writeUserFiles(h *host) ([]bind, error) {
	u := f.users
	if u == nil {
		return nil, nil
	}
	etc := h.path(privateEtcName)
	if err := os.MkdirAll(filepath.Join(etc, "sudoers.d"), 0o755); err != nil {
		return nil, err
	}
	home := filepath.Join(h.priv, strings.TrimPrefix(SudoUserHome, PrivatePath+"/"))
	id := strconv.Itoa(u.uid)
	adds := map[string]string{
		"passwd": SudoUser + ":x:" + id + ":" + id + ":drover sshdtest user:" + SudoUserHome + ":/bin/sh\n",
		"shadow": SudoUser + ":" + u.hash + ":19000:0:99999:7:::\n",
		"group":  SudoUser + ":x:" + id + ":\n",
		"hosts":  h.addr.String() + "\t" + h.name + "\n",
	}
	var binds []bind
	for _, name := range []string{"passwd", "shadow", "group", "hosts"} {
		dst := filepath.Join(etc, name)
		if err := copyWithAppend("/etc/"+name, dst, adds[name]); err != nil {
			return nil, err
		}
		binds = append(binds, bind{dst, "/etc/" + name})
	}
	// sudoers.d: the real drop-ins, then the user's.
	entries, err := os.ReadDir(sudoersDir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := copyWithAppend(filepath.Join(sudoersDir, e.Name()), filepath.Join(etc, "sudoers.d", e.Name()), ""); err != nil {
				return nil, err
			}
		}
	}
	dropIn := "# drover-sshdtest: exists only inside the test hosts\n" +
		"Defaults timestampdir=" + PrivatePath + "/.sudo/ts\n" +
		"Defaults lecture_status_dir=" + PrivatePath + "/.sudo/lectured\n" +
		"Defaults:" + SudoUser + " lecture=never\n" +
		SudoUser + " ALL=(ALL) ALL\n"
	if err := os.WriteFile(filepath.Join(etc, "sudoers.d", sudoersDropIn), []byte(dropIn), 0o440); err != nil {
		return nil, err
	}
	binds = append(binds, bind{filepath.Join(etc, "sudoers.d"), sudoersDir})
	if err := os.MkdirAll(filepath.Join(h.priv, ".sudo"), 0o700); err != nil {
		return nil, err
	}
	// The user's home, with the fleet's key authorized.
	key, err := os.ReadFile(f.KeyPath() + ".pub")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(home), 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(filepath.Dir(home), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "authorized_keys"), key, 0o600); err != nil {
		return nil, err
	}
	for _, p := range []string{home, filepath.Join(home, ".ssh"), filepath.Join(home, ".ssh", "authorized_keys")} {
		if err := os.Chown(p, u.uid, u.uid); err != nil {
			return nil, err
		}
	}
	return binds, nil
}

// copyWithAppend copies src to dst with src's mode and owner, appending
// extra.
func copyWithAppend(src, dst, extra string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	b = append(b, extra...)
	if err := os.WriteFile(dst, b, st.Mode().Perm()); err != nil {
		return err
	}
	if err := os.Chmod(dst, st.Mode().Perm()); err != nil {
		return err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return os.Chown(dst, int(sys.Uid), int(sys.Gid))
	}
	return nil
}

// UserHome is the sudo user's home on host name as seen from outside (its
// SudoUserHome inside the host); "" without Options.SudoPassword or for an
// unknown host.
func (f *Fleet) UserHome(name string) string {
	h := f.byName[name]
	if h == nil || f.users == nil {
		return ""
	}
	return filepath.Join(h.priv, strings.TrimPrefix(SudoUserHome, PrivatePath+"/"))
}

// Authorize adds an authorized_keys line (a public key, as in a .pub file)
// for root on every host, and for the sudo user when there is one. It
// takes effect for the next login.
func (f *Fleet) Authorize(pubKeyLine string) error {
	line := strings.TrimSpace(pubKeyLine)
	if line == "" || strings.Contains(line, "\n") {
		return fmt.Errorf("sshdtest: Authorize: want one authorized_keys line, got %q", pubKeyLine)
	}
	f.authMu.Lock()
	defer f.authMu.Unlock()
	files := []string{filepath.Join(f.dir, "authorized_keys")}
	for _, h := range f.hosts {
		if home := f.UserHome(h.name); home != "" {
			files = append(files, filepath.Join(home, ".ssh", "authorized_keys"))
		}
	}
	for _, p := range files {
		if err := appendLine(p, line+"\n"); err != nil {
			return fmt.Errorf("sshdtest: Authorize: %w", err)
		}
	}
	return nil
}

func appendLine(path, line string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = fh.WriteString(line)
	return errors.Join(err, fh.Close())
}
