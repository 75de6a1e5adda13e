package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aptRepoEnv points apt_repository's sources into a temp dir and installs
// a fake apt-get that logs each update (and fails while $dir/fail exists).
func aptRepoEnv(t *testing.T) (*Env, string) {
	t.Helper()
	env, dir := testEnv(t)
	oldList, oldDir := aptSourcesList, aptSourcesDir
	t.Cleanup(func() { aptSourcesList, aptSourcesDir = oldList, oldDir })
	aptSourcesList = filepath.Join(dir, "apt", "sources.list")
	aptSourcesDir = filepath.Join(dir, "apt", "sources.list.d")
	if err := os.MkdirAll(aptSourcesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeBin(t, env, "apt-get", `echo "$*" >> `+dir+`/apt-get.log
if [ -e `+dir+`/fail ]; then echo "E: Failed to fetch http://x  404" >&2; exit 100; fi
`)
	return env, dir
}

func aptGetRuns(t *testing.T, dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "apt-get.log"))
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "update")
}

// The sequence and the expected files were run through ansible-core
// 2.14's SourcesList (add_source/remove_source/save, with the apt config
// paths pointed at a temp dir): a disabled line is enabled in place and
// the file rewritten in SourcesList's layout ("#" comments re-spaced,
// whitespace collapsed); a new line goes to a file named after its URL
// (options dropped), or to filename.list; `$(lsb_release -cs)` is written
// as it is; the last line removed removes the file. Every second run
// changes nothing and runs no apt-get update. (Ansible also rewrites the
// files it did not change, normalizing them again: its sources.list would
// end up with "#  # Major"; drover writes only the files that change.)
func TestAptRepoLikeAnsible(t *testing.T) {
	env, dir := aptRepoEnv(t)
	writeFile(t, aptSourcesList, "deb http://archive.ubuntu.com/ubuntu jammy main restricted\n#deb http://archive.canonical.com/ubuntu jammy partner\n\n## Major bug fix updates\ndeb  http://archive.ubuntu.com/ubuntu\tjammy-updates main # updates\n#\n", 0o644)
	other := filepath.Join(aptSourcesDir, "other.list")
	writeFile(t, other, "deb [arch=amd64] http://other/x y z\n", 0o644)
	steps := []map[string]any{
		{"repo": "deb http://archive.canonical.com/ubuntu jammy partner"},
		{"repo": "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable"},
		{"repo": "deb http://ftp.de.debian.org/debian/ $(lsb_release -cs) main", "filename": "mydeb", "mode": "0600"},
		{"repo": "deb [arch=amd64] http://other/x y z", "state": "absent"},
	}
	for i, a := range steps {
		r := run(t, env, "ansible.builtin.apt_repository", a)
		mustOK(t, r, true)
		if r["repo"] != a["repo"] {
			t.Errorf("result %v", r)
		}
		if n := aptGetRuns(t, dir); n != i+1 {
			t.Errorf("step %d: apt-get update ran %d times in all", i, n)
		}
		mustOK(t, run(t, env, "apt_repository", a), false)
	}
	if n := aptGetRuns(t, dir); n != len(steps) {
		t.Errorf("apt-get update ran %d times, want %d", n, len(steps))
	}
	want := map[string]string{
		aptSourcesList: "deb http://archive.ubuntu.com/ubuntu jammy main restricted\ndeb http://archive.canonical.com/ubuntu jammy partner\n\n" +
			"# # Major bug fix updates\ndeb http://archive.ubuntu.com/ubuntu jammy-updates main # updates\n# \n",
		filepath.Join(aptSourcesDir, "download_docker_com_linux_ubuntu.list"): "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable\n",
		filepath.Join(aptSourcesDir, "mydeb.list"):                            "deb http://ftp.de.debian.org/debian/ $(lsb_release -cs) main\n",
	}
	for p, w := range want {
		if got := readFile(t, p); got != w {
			t.Errorf("%s:\n%q\nwant\n%q", p, got, w)
		}
	}
	for p, m := range map[string]os.FileMode{aptSourcesList: 0o644, filepath.Join(aptSourcesDir, "mydeb.list"): 0o600} {
		if got := fileMode(t, p); got != m {
			t.Errorf("%s: mode %o, want %o", p, got, m)
		}
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Error("file with no line left not removed")
	}
	ents, _ := os.ReadDir(aptSourcesDir)
	if len(ents) != 2 {
		t.Errorf("left in sources.list.d: %v", ents)
	}
}

// Ansible's file names for new sources (from its _suggest_filename).
func TestAptRepoFilename(t *testing.T) {
	for line, want := range map[string]string{
		"deb [arch=amd64 signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable": "download_docker_com_linux_ubuntu.list",
		"deb http://user:pw@dl.google.com/linux/chrome/deb/ stable main":                                                  "dl_google_com_linux_chrome_deb.list",
		"deb-src http://archive.canonical.com/ubuntu hardy partner":                                                       "archive_canonical_com_ubuntu.list",
		"deb http://ftp.de.debian.org/debian/ $(lsb_release -cs) main":                                                    "ftp_de_debian_org_debian.list",
		"deb file:/srv/repo ./":                             "file_srv_repo.list",
		"deb [ trusted=yes ] http://10.0.0.1:8080/repo/ ./": "10_0_0_1_8080_repo.list",
		"ppa:nginx/stable_jammy":                            "ppa_nginx_stable_jammy.list",
	} {
		if got, err := aptSuggestFilename(line, "", false); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", line, got, err, want)
		}
	}
	if got, _ := aptSuggestFilename("deb http://x/y stable main", "google-chrome", true); got != "google-chrome.list" {
		t.Errorf("filename: %q", got)
	}
	for line, want := range map[string]aptSrcLine{
		"#deb http://x main # c":              {valid: true, source: "deb http://x main", comment: "c"},
		"  deb   http://x\tmain  ":            {valid: true, enabled: true, source: "deb http://x main"},
		"## foo":                              {source: "# foo"},
		"garbage # c":                         {enabled: true, source: "garbage", comment: "c"},
		"# deb [arch=amd64] http://y z #c #d": {valid: true, source: "deb [arch=amd64] http://y z", comment: "c #d"},
	} {
		if got, _ := aptParseLine(line); got != want {
			t.Errorf("%q: %+v, want %+v", line, got, want)
		}
	}
}

// Check mode and diff change nothing; a failed apt-get update (retried)
// puts the files back as they were and fails; update_cache: false runs
// no apt-get.
func TestAptRepoCheckFailNoUpdate(t *testing.T) {
	env, dir := aptRepoEnv(t)
	orig := "deb http://a/b c d\n#deb http://e/f g h\n"
	writeFile(t, aptSourcesList, orig, 0o644)
	add := map[string]any{"repo": "deb http://new/repo stable main"}
	newFile := filepath.Join(aptSourcesDir, "new_repo.list")
	env.Check, env.Diff = true, true
	r := run(t, env, "apt_repository", add)
	mustOK(t, r, true)
	d, _ := r["diff"].([]any)
	if len(d) != 1 || d[0].(map[string]any)["before_header"] != "/dev/null" || d[0].(map[string]any)["after"] != "deb http://new/repo stable main\n" ||
		d[0].(map[string]any)["after_header"] != newFile {
		t.Errorf("diff %v", r["diff"])
	}
	if _, err := os.Stat(newFile); err == nil || aptGetRuns(t, dir) != 0 {
		t.Fatal("check mode wrote or updated")
	}
	env.Check, env.Diff = false, false

	writeFile(t, filepath.Join(dir, "fail"), "", 0o644)
	for _, a := range []map[string]any{
		withArg(withArg(add, "update_cache_retries", 2), "update_cache_retry_max_delay", 0),
		{"repo": "deb http://e/f g h", "update_cache_retries": 1},
		{"repo": "deb http://a/b c d", "state": "absent", "update_cache_retries": 1},
	} {
		mustFail(t, run(t, env, "apt_repository", a), "Failed to update apt cache: E: Failed to fetch")
		if _, err := os.Stat(newFile); err == nil {
			t.Fatal("new file left after failed update")
		}
		if got := readFile(t, aptSourcesList); got != orig {
			t.Fatalf("sources.list not restored: %q", got)
		}
		ents, _ := os.ReadDir(filepath.Dir(aptSourcesList))
		more, _ := os.ReadDir(aptSourcesDir)
		for _, e := range append(ents, more...) {
			if strings.HasPrefix(e.Name(), ".drover") {
				t.Errorf("left behind: %s", e.Name())
			}
		}
	}
	if n := aptGetRuns(t, dir); n != 4 {
		t.Errorf("apt-get update ran %d times, want 4 (2 retries, then 1, 1)", n)
	}
	os.Remove(filepath.Join(dir, "fail"))
	mustOK(t, run(t, env, "apt_repository", withArg(add, "update_cache", false)), true)
	if readFile(t, newFile) != "deb http://new/repo stable main\n" || aptGetRuns(t, dir) != 4 {
		t.Error("update_cache: false")
	}
}

// Invalid lines, PPAs: removed by their expanded line (codename from the
// argument or the host), accepted when present, refused to add.
func TestAptRepoInvalidAndPPA(t *testing.T) {
	env, dir := aptRepoEnv(t)
	mustFail(t, run(t, env, "apt_repository", map[string]any{"repo": "# deb http://x y"}), "Invalid repository string:  deb http://x y")
	mustFail(t, run(t, env, "apt_repository", map[string]any{"repo": "http://x y"}), "Invalid repository string: http://x y")
	mustFail(t, run(t, env, "apt_repository", map[string]any{"repo": ""}), "Please set argument 'repo' to a non-empty value")
	ppaFile := filepath.Join(aptSourcesDir, "ppa_nginx_stable_jammy.list")
	writeFile(t, ppaFile, "deb http://ppa.launchpad.net/nginx/stable/ubuntu jammy main\n", 0o644)
	fakeBin(t, env, "lsb_release", "echo jammy\n")
	mustOK(t, run(t, env, "apt_repository", map[string]any{"repo": "ppa:nginx/stable"}), false)
	mustFail(t, run(t, env, "apt_repository", map[string]any{"repo": "ppa:nginx/development"}), "Launchpad")
	mustOK(t, run(t, env, "apt_repository", map[string]any{"repo": "ppa:nginx/stable", "codename": "focal", "state": "absent"}), false)
	mustOK(t, run(t, env, "apt_repository", map[string]any{"repo": "ppa:nginx/stable", "state": "absent"}), true)
	if _, err := os.Stat(ppaFile); !os.IsNotExist(err) {
		t.Error("ppa file not removed")
	}
	if aptGetRuns(t, dir) != 1 {
		t.Error("apt-get update not run once")
	}
}
