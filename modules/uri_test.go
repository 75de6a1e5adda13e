package modules

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestURI(t *testing.T) {
	var gotBody, gotAuth, gotHeader string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status":"up","n":2}`))
		case "/post":
			b, _ := io.ReadAll(r.Body)
			gotBody, gotHeader = string(b), r.Header.Get("X-Token")
			u, p, _ := r.BasicAuth()
			gotAuth = u + ":" + p
			w.WriteHeader(http.StatusCreated)
		case "/old":
			http.Redirect(w, r, "/health", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env, _ := testEnv(t)
	r := run(t, env, "uri", map[string]any{"url": srv.URL + "/health", "return_content": "yes"})
	mustOK(t, r, false)
	if r["status"] != 200 || r["content"] != `{"status":"up","n":2}` || r["json"].(map[string]any)["status"] != "up" || r["content_type"] != "application/json" {
		t.Fatalf("uri %v", r)
	}
	r = run(t, env, "uri", map[string]any{"url": srv.URL + "/post", "method": "post", "body_format": "json",
		"body": map[string]any{"a": 1}, "status_code": []any{200, "201"}, "headers": map[string]any{"X-Token": "t"},
		"url_username": "u", "url_password": "p", "force_basic_auth": true})
	mustOK(t, r, false)
	var js map[string]any
	if json.Unmarshal([]byte(gotBody), &js) != nil || js["a"] != float64(1) || gotHeader != "t" || gotAuth != "u:p" {
		t.Fatalf("request: body %q header %q auth %q", gotBody, gotHeader, gotAuth)
	}
	r = run(t, env, "uri", map[string]any{"url": srv.URL + "/old"})
	mustOK(t, r, false)
	if r["redirected"] != true || r["url"] != srv.URL+"/health" {
		t.Fatalf("redirect %v", r)
	}
	r = run(t, env, "uri", map[string]any{"url": srv.URL + "/old", "follow_redirects": "none", "status_code": 302})
	mustOK(t, r, false)
	mustFail(t, run(t, env, "uri", map[string]any{"url": srv.URL + "/missing"}), "Status code was 404 and not [200]: HTTP Error 404: Not Found")
	srv.Close()
	r = run(t, env, "uri", map[string]any{"url": srv.URL + "/health", "timeout": 2})
	mustFail(t, r, "Status code was -1")
}
