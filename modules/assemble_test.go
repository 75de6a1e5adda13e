package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assembleFrags makes the fragment directory the golden data was made
// from: 01 "a\n", 02 "b" (no newline), 03 "c\n", .hid "h\n", 10-x.conf
// "x", 04 a symlink to 01, sub/ a directory (skipped).
func assembleFrags(t *testing.T, dir string) string {
	t.Helper()
	d := filepath.Join(dir, "frags")
	if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"01": "a\n", "02": "b", "03": "c\n", ".hid": "h\n", "10-x.conf": "x", "sub/f": "not me\n"} {
		writeFile(t, filepath.Join(d, name), s, 0o644)
	}
	if err := os.Symlink("01", filepath.Join(d, "04")); err != nil {
		t.Fatal(err)
	}
	return d
}

// assembleGolden is what ansible-core 2.14.18 wrote (ansible-playbook -c
// local) for those fragments: remote_src true (the module) and false (the
// action plugin, which always adds a newline after the delimiter). The
// delimiter is escape-decoded again at each use ("double").
var assembleGolden = []struct {
	id, delimiter, regexp string
	ignoreHidden          bool
	local                 bool
	want                  string
}{
	{"dash", "--", "", false, true, "h\n--\na\n--\nb\n--\nc\n--\na\n--\nx"},
	{"dash", "--", "", false, false, "h\n--\na\n--\nb\n--\nc\n--\na\n--\nx"},
	{"dashnl", `--\n`, "", false, true, "h\n--\n\na\n--\n\nb\n--\n\nc\n--\n\na\n--\n\nx"},
	{"dashnl", `--\n`, "", false, false, "h\n--\na\n--\nb\n--\nc\n--\na\n--\nx"},
	{"double", `\\n`, "", false, true, "h\n\\n\na\n\n\nb\n\n\nc\n\n\na\n\n\nx"},
	{"double", `\\n`, "", false, false, "h\n\\n\na\n\nb\n\nc\n\na\n\nx"},
	{"esc", `#\t\x41\101\q`, "", false, true, "h\n#\tAA\\q\na\n#\tAA\\q\nb\n#\tAA\\q\nc\n#\tAA\\q\na\n#\tAA\\q\nx"},
	{"esc", `#\t\x41\101\q`, "", false, false, "h\n#\tAA\\q\na\n#\tAA\\q\nb\n#\tAA\\q\nc\n#\tAA\\q\na\n#\tAA\\q\nx"},
	{"hidden", "##", "", true, true, "a\n##\nb\n##\nc\n##\na\n##\nx"},
	{"hidden", "##", "", true, false, "a\n##\nb\n##\nc\n##\na\n##\nx"},
	{"plain", "", "", false, true, "h\na\nb\nc\na\nx"},
	{"plain", "", "", false, false, "h\na\nb\nc\na\nx"},
	{"re", "", "^0[12]$", false, true, "a\nb"},
	{"re", "", "^0[12]$", false, false, "a\nb"},
	{"realnl", "++\n", "", false, true, "h\n++\n\na\n++\n\nb\n++\n\nc\n++\n\na\n++\n\nx"},
	{"realnl", "++\n", "", false, false, "h\n++\na\n++\nb\n++\nc\n++\na\n++\nx"},
	{"reconf", "", `\.conf$|^0`, false, true, "a\nb\nc\na\nx"},
	{"reconf", "", `\.conf$|^0`, false, false, "a\nb\nc\na\nx"},
}

// Fragments sorted by name, symlinks followed, directories skipped,
// regexp, ignore_hidden and delimiters exactly as Ansible assembles them
// on each side; a second run is ok.
func TestAssembleGolden(t *testing.T) {
	env, dir := testEnv(t)
	src := assembleFrags(t, dir)
	for _, c := range assembleGolden {
		dest := filepath.Join(dir, "out-"+c.id)
		if c.local {
			dest += "-local"
		}
		args := map[string]any{"src": src, "dest": dest, "remote_src": !c.local}
		if c.delimiter != "" {
			args["delimiter"] = c.delimiter
		}
		if c.regexp != "" {
			args["regexp"] = c.regexp
		}
		if c.ignoreHidden {
			args["ignore_hidden"] = true
		}
		r := run(t, env, "assemble", args)
		mustOK(t, r, true)
		if got := readFile(t, dest); got != c.want {
			t.Errorf("%s (local %v): got %q, want %q", c.id, c.local, got, c.want)
		}
		if r["checksum"] != sha1hex([]byte(c.want)) || r["md5sum"] != md5hex([]byte(c.want)) {
			t.Errorf("%s: checksum %v md5sum %v", c.id, r["checksum"], r["md5sum"])
		}
		mustOK(t, run(t, env, "assemble", args), false)
	}
}

// remote_src (the default): the module's result (src, msg OK, file
// attributes), mode applied, backup of the old file, the module's
// validation message, its failures, no diff; check mode is skipped.
func TestAssembleRemote(t *testing.T) {
	env, dir := testEnv(t)
	src := assembleFrags(t, dir)
	dest := filepath.Join(dir, "out")
	writeFile(t, dest, "old\n", 0o600)
	args := map[string]any{"src": src, "dest": dest, "regexp": "^0", "mode": "0640", "backup": true}

	env.Check = true
	r := run(t, env, "ansible.builtin.assemble", args)
	if !r.Skipped() || r.Msg() != "check mode is not supported for this task." || readFile(t, dest) != "old\n" {
		t.Fatalf("check mode: %v", r)
	}
	env.Check, env.Diff = false, true
	r = run(t, env, "ansible.legacy.assemble", args)
	mustOK(t, r, true)
	want := "a\nb\nc\na\n"
	if readFile(t, dest) != want || fileMode(t, dest) != 0o640 {
		t.Fatalf("dest %q mode %o", readFile(t, dest), fileMode(t, dest))
	}
	if r["msg"] != "OK" || r["src"] != src || r["dest"] != dest || r["mode"] != "0640" || r["state"] != "file" || r["size"] != int64(len(want)) {
		t.Fatalf("result %v", r)
	}
	if _, ok := r["diff"]; ok {
		t.Fatalf("the module returns no diff: %v", r["diff"])
	}
	b, _ := r["backup_file"].(string)
	if b == "" || readFile(t, b) != "old\n" {
		t.Fatalf("backup_file %q", b)
	}
	// Same content, other mode: only the mode changes.
	args["mode"] = "0644"
	r = run(t, env, "assemble", args)
	mustOK(t, r, true)
	if fileMode(t, dest) != 0o644 || r["backup_file"] != nil {
		t.Fatalf("result %v", r)
	}

	// validate: the validator's rc and stderr in the module's message;
	// dest untouched.
	args["regexp"] = "^03$"
	args["validate"] = "sh -c 'echo bad config >&2; exit 3' %s"
	mustFail(t, run(t, env, "assemble", args), "failed to validate: rc:3 error:bad config")
	if readFile(t, dest) != want {
		t.Fatal("a failed validation replaced dest")
	}
	args["validate"] = "grep -q c %s"
	mustOK(t, run(t, env, "assemble", args), true)
	if readFile(t, dest) != "c\n" {
		t.Fatalf("dest %q", readFile(t, dest))
	}
	args["validate"] = "true"
	mustFail(t, run(t, env, "assemble", args), "validate must contain %s: true")

	mustFail(t, run(t, env, "assemble", map[string]any{"src": filepath.Join(dir, "nope"), "dest": dest}),
		"Source ("+filepath.Join(dir, "nope")+") does not exist")
	mustFail(t, run(t, env, "assemble", map[string]any{"src": dest, "dest": dest + "2"}),
		"Source ("+dest+") is not a directory")
	mustFail(t, run(t, env, "assemble", map[string]any{"src": src, "dest": dest, "regexp": "("}), "Invalid Regexp (")
	mustFail(t, run(t, env, "assemble", map[string]any{"src": src, "dest": filepath.Join(dir, "no", "out")}), "Destination directory")
	r = run(t, env, "assemble", map[string]any{"src": src, "dest": dest, "delimiter": `\x4`})
	if !r.Failed() || !strings.Contains(r["module_stderr"].(string), `invalid \x escape at position 0`) {
		t.Fatalf("bad escape: %v", r)
	}
}

// remote_src: false assembles on the controller (src found under the
// playbook's files/) and copies as copy does: copy's result (no msg), a
// diff whenever --diff (the plugin attaches it even when unchanged), a
// directory dest gets the file "src"; a vault-encrypted fragment fails.
func TestAssembleLocal(t *testing.T) {
	env, dir := testEnv(t)
	pb := filepath.Join(dir, "pb")
	if err := os.MkdirAll(filepath.Join(pb, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	assembleFrags(t, filepath.Join(pb, "files"))
	dest := filepath.Join(dir, "out")
	writeFile(t, dest, "old\n", 0o644)
	args := map[string]any{"src": "frags", "dest": dest, "remote_src": false, "regexp": "^0[12]$", "_playbook_dir": pb}
	env.Diff = true
	r := run(t, env, "assemble", args)
	mustOK(t, r, true)
	if readFile(t, dest) != "a\nb" {
		t.Fatalf("dest %q", readFile(t, dest))
	}
	if _, ok := r["msg"]; ok || r["src"] != filepath.Join(pb, "files", "frags") {
		t.Fatalf("result %v", r)
	}
	d, _ := r["diff"].(map[string]any)
	if d["before"] != "old\n" || d["after"] != "a\nb" {
		t.Fatalf("diff %v", r["diff"])
	}
	r = run(t, env, "assemble", args)
	mustOK(t, r, false)
	if d, _ := r["diff"].(map[string]any); d["before"] != "a\nb" || d["after"] != "a\nb" {
		t.Fatalf("unchanged diff %v", r["diff"])
	}

	ddir := filepath.Join(dir, "ddir")
	if err := os.Mkdir(ddir, 0o755); err != nil {
		t.Fatal(err)
	}
	args["dest"] = ddir
	mustOK(t, run(t, env, "assemble", args), true)
	if readFile(t, filepath.Join(ddir, "src")) != "a\nb" {
		t.Fatal("directory dest: no file src in it")
	}

	mustFail(t, run(t, env, "assemble", map[string]any{"src": "nope", "dest": dest, "remote_src": false, "_playbook_dir": pb}),
		"Could not find or access 'nope' on the Ansible Controller.")
	writeFile(t, filepath.Join(pb, "files", "frags", "05"), "$ANSIBLE_VAULT;1.1;AES256\n6134\n", 0o644)
	mustFail(t, run(t, env, "assemble", map[string]any{"src": "frags", "dest": dest, "remote_src": false, "_playbook_dir": pb}), "vault-encrypted")
	mustFail(t, run(t, env, "assemble", map[string]any{"src": "frags", "dest": dest, "remote_src": "no", "_playbook_dir": pb, "regexp": "^0[12]$", "delimiter": `\x`}),
		`Unexpected failure during module execution: invalid \x escape at position 0`)
}
