package main

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/drover-sh/drover/internal/sshdtest"
)

// get_url on an sshd host from an HTTP server in the test (loopback): the
// download lands in the host's own files with the asked mode; a second run
// does not download again; a checksum that does not match fails and
// leaves dest alone; basic auth and a header reach the server without the
// password ever being printed or journaled.
func TestE2EGetURL(t *testing.T) {
	const body = "hotfix 1.2\n"
	pass := "s3cret-" + t.Name()
	var hits, authHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/hotfix.sh", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, body)
	})
	mux.HandleFunc("/private/key.txt", func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != "deploy" || p != pass || r.Header.Get("X-Token") != "abc" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		authHits.Add(1)
		fmt.Fprint(w, "private\n")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(body)))

	f, h, inv := rootHost(t)
	play := `
- hosts: all
  gather_facts: false
  tasks:
    - name: fetch the hotfix
      get_url:
        url: ` + base + `/hotfix.sh
        dest: ` + sshdtest.PrivatePath + `/
        mode: "0750"
        checksum: sha256:` + sum + `
    - name: fetch a private file
      get_url:
        url: ` + base + `/private/key.txt
        dest: ` + sshdtest.PrivatePath + `/key.txt
        url_username: deploy
        url_password: ` + pass + `
        headers: {X-Token: abc}
`
	pp := filepath.Join(t.TempDir(), "play.yml")
	writeFile(t, pp, play)
	for run := 1; run <= 2; run++ {
		state := t.TempDir()
		out, code := runBecome(t, f, inv, pp, state, filepath.Join(state, "events.jsonl"))
		if code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, code, out)
		}
		assertNoSecret(t, pass, out, state)
	}
	got, err := os.ReadFile(filepath.Join(f.HostDir(h), "hotfix.sh"))
	if err != nil || string(got) != body {
		t.Fatalf("hotfix.sh on the host: %q, %v", got, err)
	}
	if st, _ := os.Stat(filepath.Join(f.HostDir(h), "hotfix.sh")); st.Mode().Perm() != 0o750 {
		t.Errorf("mode %v, want 0750", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(filepath.Join(f.HostDir(h), "key.txt")); string(b) != "private\n" {
		t.Errorf("key.txt = %q", b)
	}
	// The second run found dest with the right checksum (and key.txt
	// existing): no new download.
	if hits.Load() != 1 || authHits.Load() != 1 {
		t.Errorf("downloads: hotfix %d, private %d; want 1 each", hits.Load(), authHits.Load())
	}

	// A wrong checksum: the task fails and dest keeps its content.
	p := writeTasksPlay(t, `
    - get_url:
        url: `+base+`/hotfix.sh
        dest: `+sshdtest.PrivatePath+`/other.sh
        checksum: sha256:`+strings.Repeat("0", 64)+`
`)
	state := t.TempDir()
	out, code := runBecome(t, f, inv, p, state, filepath.Join(state, "events.jsonl"))
	if code == 0 || !strings.Contains(out, "did not match") {
		t.Errorf("wrong checksum: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(f.HostDir(h), "other.sh")); err == nil {
		t.Error("a download with a wrong checksum was kept")
	}
	entries, _ := os.ReadDir(f.HostDir(h))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".drover.get_url.") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	assertNoSecret(t, pass, out, state)
}
