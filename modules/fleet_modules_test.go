package modules_test

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/runner/fleet"
)

// Every module against a host of the in-process fleet: it does its work on
// the host (checked on the host's own files), and a second run with the
// same arguments reports no change where Ansible's would not.
//
// It runs twice: on a host that forks /bin/sh for its commands, and on one
// that interprets them in process (fleet.Options.InterpShell, with Go
// stand-ins for the common coreutils): the checks on the host's files
// prove both give every module the same effect.
func TestModulesOnTheFleet(t *testing.T) {
	var trees []map[string]string
	for _, mode := range []struct {
		name   string
		interp bool
	}{{"fork", false}, {"interp", true}} {
		var tree map[string]string
		t.Run(mode.name, func(t *testing.T) { tree = testModulesOnTheFleet(t, mode.interp) })
		trees = append(trees, tree)
	}
	if len(trees) == 2 && trees[0] != nil && trees[1] != nil {
		for _, k := range sortedKeys(trees[0], trees[1]) {
			if trees[0][k] != trees[1][k] {
				t.Errorf("host file %s: forked shell %q, interpreter %q", k, trees[0][k], trees[1][k])
			}
		}
	}
}

// hostTree describes the files under root: type, permission bits and
// content by relative path (not times, nor the fleet's own files).
func hostTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == "reboots.log" {
			return nil
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return out
}

func sortedKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func testModulesOnTheFleet(t *testing.T, interpShell bool) map[string]string {
	f, err := fleet.New(fleet.Options{Dir: t.TempDir(), Hosts: 1, NoSSH: true, RebootDelay: 200 * time.Millisecond, InterpShell: interpShell})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fh, _ := f.Host("host01")
	root := fh.Root
	local := t.TempDir()
	for name, body := range map[string]string{"motd": "hello\n", "app.j2": "port={{ port }}\n", "setup.sh": "#!/bin/sh\necho ran \"$1\" > \"$2\"\n"} {
		if err := os.WriteFile(filepath.Join(local, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"ok":true}`)) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	d := f.Dialer()
	tg := f.Target("host01")
	conn, err := d.Dial(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	env := &modules.Env{Target: tg, Conn: conn, Redial: func(ctx context.Context) (modules.Conn, error) { return d.Dial(ctx, tg) }}
	p := func(rel string) string { return filepath.Join(root, rel) }
	steps := []struct {
		module     string
		args       map[string]any
		idempotent bool // a second run reports changed=false
		check      func() string
	}{
		{"file", map[string]any{"path": p("etc/app"), "state": "directory", "mode": "0750"}, true, func() string {
			st, err := os.Stat(p("etc/app"))
			if err != nil || !st.IsDir() || st.Mode().Perm() != 0o750 {
				return "etc/app is not a 0750 directory"
			}
			return ""
		}},
		{"copy", map[string]any{"content": "a=1\nb=2\n", "dest": p("etc/app/conf"), "mode": "0640"}, true, fileIs(p("etc/app/conf"), "a=1\nb=2\n")},
		{"copy", map[string]any{"src": "motd", "dest": p("motd"), "_playbook_dir": local}, true, fileIs(p("motd"), "hello\n")},
		{"template", map[string]any{"src": filepath.Join(local, "app.j2"), "dest": p("etc/app/port"), "_vars": map[string]any{"port": 8080}}, true, fileIs(p("etc/app/port"), "port=8080\n")},
		{"lineinfile", map[string]any{"path": p("etc/app/conf"), "regexp": "^b=", "line": "b=3"}, true, fileIs(p("etc/app/conf"), "a=1\nb=3\n")},
		{"blockinfile", map[string]any{"path": p("etc/app/conf"), "block": "c=4"}, true, func() string {
			b, _ := os.ReadFile(p("etc/app/conf"))
			if !strings.Contains(string(b), "# BEGIN ANSIBLE MANAGED BLOCK\nc=4\n# END ANSIBLE MANAGED BLOCK") {
				return "no managed block in " + string(b)
			}
			return ""
		}},
		{"stat", map[string]any{"path": p("etc/app/conf")}, true, nil},
		{"slurp", map[string]any{"src": p("motd")}, true, nil},
		{"fetch", map[string]any{"src": p("motd"), "dest": local + "/fetched/", "flat": true}, true, fileIs(filepath.Join(local, "fetched", "motd"), "hello\n")},
		{"command", map[string]any{"_raw_params": "touch " + p("made"), "creates": p("made")}, true, fileIs(p("made"), "")},
		{"shell", map[string]any{"_raw_params": "echo piped | tr a-z A-Z > " + p("piped"), "creates": p("piped")}, true, fileIs(p("piped"), "PIPED\n")},
		{"raw", map[string]any{"_raw_params": "echo raw > " + p("raw")}, false, fileIs(p("raw"), "raw\n")},
		{"script", map[string]any{"_raw_params": filepath.Join(local, "setup.sh") + " x " + p("scripted"), "creates": p("scripted")}, true, fileIs(p("scripted"), "ran x\n")},
		{"service", map[string]any{"name": "app", "state": "started", "enabled": true}, true, func() string {
			if _, err := os.Stat(filepath.Join(root, ".systemd")); err != nil {
				return "the host's systemctl recorded nothing"
			}
			return ""
		}},
		{"systemd", map[string]any{"name": "app", "state": "stopped"}, true, nil},
		// The patch step, on the fleet's package-manager stand-ins.
		{"apt", map[string]any{"name": []any{"nginx", "curl"}, "update_cache": true}, true, fileIs(p(".packages/nginx"), "1.0\n")},
		{"shell", map[string]any{"_raw_params": "mkdir -p " + p(".packages-repo") + " && echo 1.1 > " + p(".packages-repo/nginx"), "creates": p(".packages-repo/nginx")}, true, nil},
		{"apt", map[string]any{"upgrade": "dist", "update_cache": true}, true, fileIs(p(".packages/nginx"), "1.1\n")},
		{"shell", map[string]any{"_raw_params": "echo 7.9 > " + p(".packages-repo/curl"), "creates": p(".packages-repo/curl")}, true, nil},
		{"package", map[string]any{"name": "*", "state": "latest"}, true, fileIs(p(".packages/curl"), "7.9\n")},
		{"dnf", map[string]any{"name": "nginx", "state": "absent"}, true, func() string {
			if _, err := os.Stat(p(".packages/nginx")); err == nil {
				return "nginx still installed"
			}
			return ""
		}},
		{"wait_for", map[string]any{"path": p("motd"), "timeout": 5}, true, nil},
		{"wait_for_connection", map[string]any{"timeout": 5}, true, nil},
		{"uri", map[string]any{"url": "http://" + ln.Addr().String() + "/", "return_content": true}, true, nil},
		{"file", map[string]any{"path": p("raw"), "state": "absent"}, true, func() string {
			if _, err := os.Stat(p("raw")); err == nil {
				return "raw still exists"
			}
			return ""
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, s := range steps {
		m, ok := modules.Lookup(s.module)
		if !ok {
			t.Fatalf("step %d: module %s not registered", i, s.module)
		}
		res := m.Run(ctx, env, s.args)
		if res.Failed() || res.Unreachable() {
			t.Errorf("step %d %s: %v", i, s.module, res)
			continue
		}
		if s.check != nil {
			if msg := s.check(); msg != "" {
				t.Errorf("step %d %s: %s", i, s.module, msg)
			}
		}
		if s.idempotent {
			if again := m.Run(ctx, env, s.args); again.Changed() || again.Failed() {
				t.Errorf("step %d %s: second run changed=%v failed=%v: %v", i, s.module, again.Changed(), again.Failed(), again)
			}
		}
	}
	return hostTree(t, root)
}

func fileIs(path, want string) func() string {
	return func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			return err.Error()
		}
		if string(b) != want {
			return path + " holds " + string(b) + ", want " + want
		}
		return ""
	}
}
