package modules

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"
)

func TestWaitForPort(t *testing.T) {
	env, _ := testEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	r := run(t, env, "wait_for", map[string]any{"port": port, "timeout": 5})
	mustOK(t, r, false)
	if r["port"] != fmt.Sprint(port) {
		t.Fatalf("result %v", r)
	}
	ln.Close()
	mustOK(t, run(t, env, "wait_for", map[string]any{"port": port, "state": "stopped", "timeout": 5}), false)
	r = run(t, env, "wait_for", map[string]any{"port": port, "timeout": 1, "connect_timeout": 1})
	mustFail(t, r, fmt.Sprintf("Timeout when waiting for 127.0.0.1:%d", port))
	mustFail(t, run(t, env, "wait_for", map[string]any{"port": 70000}), "port must be a number")
}

func TestWaitForPath(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "ready")
	mustFail(t, run(t, env, "wait_for", map[string]any{"path": f, "timeout": "1s", "msg": "never ready"}), "never ready")
	writeFile(t, f, "status: booting\n", 0o644)
	mustOK(t, run(t, env, "wait_for", map[string]any{"path": f, "timeout": 5}), false)
	mustFail(t, run(t, env, "wait_for", map[string]any{"path": f, "search_regex": "status: (up|ready)", "timeout": 1}), "Timeout when waiting for string")
	writeFile(t, f, "status: up\n", 0o644)
	mustOK(t, run(t, env, "wait_for", map[string]any{"path": f, "search_regex": "status: (up|ready)", "timeout": 5}), false)
	mustOK(t, run(t, env, "wait_for", map[string]any{"path": filepath.Join(dir, "gone"), "state": "absent", "timeout": 5}), false)
	env.Check = true
	if r := run(t, env, "wait_for", map[string]any{"path": f}); !r.Skipped() {
		t.Fatalf("check mode %v", r)
	}
}
