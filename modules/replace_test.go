package modules

import (
	"path/filepath"
	"testing"
)

// replace as Ansible's (Python's re.subn with MULTILINE), step by step on
// one file: groups, escapes in the replacement, after/before sections,
// idempotence, a missing file.
func TestReplace(t *testing.T) {
	env, dir := testEnv(t)
	f := filepath.Join(dir, "app.conf")
	writeFile(t, f, "# app\nlisten 8080\nworkers 2\n[old]\nworkers 4\n[new]\nworkers 8\n", 0o640)
	runEditSteps(t, env, "replace", f, 0o640, []editStep{
		{map[string]any{"regexp": `^workers (\d+)$`, "replace": `workers \g<1>0`}, true, "3 replacements made",
			"# app\nlisten 8080\nworkers 20\n[old]\nworkers 40\n[new]\nworkers 80\n"},
		{map[string]any{"regexp": `^workers (\d)0$`, "replace": `workers \1`, "after": `\[old\]`, "before": `\[new\]`}, true, "1 replacements made",
			"# app\nlisten 8080\nworkers 20\n[old]\nworkers 4\n[new]\nworkers 80\n"},
		{map[string]any{"regexp": `^workers (\d)0$`, "replace": `workers \1`, "after": `\[old\]`, "before": `\[new\]`}, false, "",
			"# app\nlisten 8080\nworkers 20\n[old]\nworkers 4\n[new]\nworkers 80\n"},
		{map[string]any{"regexp": `^listen (?P<port>\d+)`, "replace": `listen 127.0.0.1:\g<port>\n# moved`}, true, "1 replacements made",
			"# app\nlisten 127.0.0.1:8080\n# moved\nworkers 20\n[old]\nworkers 4\n[new]\nworkers 80\n"},
		{map[string]any{"regexp": `^# moved\n`, "before": `\[old\]`}, true, "1 replacements made",
			"# app\nlisten 127.0.0.1:8080\nworkers 20\n[old]\nworkers 4\n[new]\nworkers 80\n"},
		{map[string]any{"regexp": `nothing`, "after": `\[absent\]`}, false, "Pattern for before/after params did not match the given file: \\[absent\\](?P<subsection>.*)",
			"# app\nlisten 127.0.0.1:8080\nworkers 20\n[old]\nworkers 4\n[new]\nworkers 80\n"},
	})
	mustFail(t, run(t, env, "replace", map[string]any{"path": filepath.Join(dir, "missing"), "regexp": "x"}), "does not exist")
	mustFail(t, run(t, env, "replace", map[string]any{"path": f, "regexp": `(?<=x)y`}), "invalid regexp")
}

// Python's \Z also under the MULTILINE flag (lineinfile with an inline
// (?m), and every replace): it was left for Go's engine, which refuses it.
func TestPyAnchorsEndOfTextUnderMultiline(t *testing.T) {
	for expr, match := range map[string]string{`(?m)^end\Z`: "a\nend", `^end\Z`: "end"} {
		re, err := pyRegexp("regexp", expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if !re.MatchString(match) || re.MatchString("end\nb") {
			t.Errorf("%s as %s", expr, re)
		}
	}
}
