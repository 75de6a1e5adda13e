package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// debconfFakes installs fake debconf-show and debconf-set-selections that
// keep answers in dir/debconf.db (lines "pkg<TAB>question<TAB>type<TAB>
// seen<TAB>value"), never the real debconf database. debconf-show prints
// as the real one does (seen questions starred, passwords omitted);
// debconf-set-selections logs its arguments to debconf.args and its stdin
// to debconf.stdin, sets the seen flag unless -u, sets a flag for vtype
// seen, and rejects question bad/q quoting the line as the real one's
// parse error does.
func debconfFakes(t *testing.T, env *Env, dir, db string) (string, string) {
	t.Helper()
	D := filepath.Join(dir, "debconf.db")
	writeFile(t, D, db, 0o644)
	fakeBin(t, env, "debconf-show", `D=`+D+`
[ "$1" = broken ] && { echo "debconf-show: broken database" >&2; exit 1; }
tab=$(printf '\t')
while IFS="$tab" read -r p q ty s v; do
  [ "$p" = "$1" ] || continue
  if [ "$s" = true ]; then printf '* '; else printf '  '; fi
  printf '%s:' "$q"
  if [ "$ty" = password ]; then printf ' (password omitted)'; elif [ -n "$v" ]; then printf ' %s' "$v"; fi
  echo
done < $D
`)
	fakeBin(t, env, "debconf-set-selections", `D=`+D+`
echo "$*" >> $D.args
u=false; [ "$1" = -u ] && u=true
IFS= read -r line
printf '%s\n' "$line" >> $D.stdin
set -f
set -- $line
p=$1 q=$2 ty=$3; shift 3; v="$*"
[ "$q" = bad/q ] && { echo "error: parse error on line 1: '$line'" >&2; exit 1; }
tab=$(printf '\t')
old=$(awk -F "$tab" -v p="$p" -v q="$q" '$1==p && $2==q' $D)
oldseen=$(printf '%s' "$old" | cut -f4); oldtype=$(printf '%s' "$old" | cut -f3); oldval=$(printf '%s' "$old" | cut -f5-)
awk -F "$tab" -v p="$p" -v q="$q" '!($1==p && $2==q)' $D > $D.new
if [ "$ty" = seen ]; then
  printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$q" "$oldtype" "$v" "$oldval" >> $D.new
else
  s=true; [ $u = true ] && s=${oldseen:-false}
  printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$q" "$ty" "$s" "$v" >> $D.new
fi
mv $D.new $D
`)
	return D, D + ".args"
}

const debconfDB = "locales\tlocales/default_environment_locale\tselect\ttrue\ten_US.UTF-8\n" +
	"locales\tlocales/locales_to_be_generated\tmultiselect\tfalse\ten_US.UTF-8 UTF-8\n" +
	"unattended-upgrades\tunattended-upgrades/enable_auto_updates\tboolean\ttrue\tfalse\n" +
	"tripwire\ttripwire/site-passphrase\tpassword\ttrue\tS3cret-old\n"

// Without a question the module returns every answer of the package
// (debconf-show's seen star dropped) and changes nothing.
func TestDebconfQuery(t *testing.T) {
	env, dir := testEnv(t)
	D, argsLog := debconfFakes(t, env, dir, debconfDB)
	r := run(t, env, "ansible.builtin.debconf", map[string]any{"name": "locales"})
	mustOK(t, r, false)
	want := map[string]any{"locales/default_environment_locale": "en_US.UTF-8", "locales/locales_to_be_generated": "en_US.UTF-8 UTF-8"}
	if !reflect.DeepEqual(r["current"], want) || r["msg"] != "" {
		t.Fatalf("result %v", r)
	}
	if readFile(t, D) != debconfDB {
		t.Fatal("a query changed the database")
	}
	if debconfExists(argsLog) {
		t.Fatal("a query ran debconf-set-selections")
	}
	// debconf-show failing fails the task with its stderr.
	mustFail(t, run(t, env, "debconf", map[string]any{"pkg": "broken"}), "debconf-show: broken database")
	// question, vtype and value go together.
	mustFail(t, run(t, env, "debconf", map[string]any{"name": "locales", "question": "locales/x", "value": "y"}),
		"parameters are required together: question, vtype, value")
}

// A select answer is set only when it differs, not in check mode; the
// result has Ansible's current/previous and, with --diff, the diff; the
// second run is ok.
func TestDebconfSelect(t *testing.T) {
	env, dir := testEnv(t)
	D, argsLog := debconfFakes(t, env, dir, debconfDB)
	args := map[string]any{"name": "locales", "question": "locales/default_environment_locale", "vtype": "select", "value": "fr_FR.UTF-8"}
	env.Check, env.Diff = true, true
	r := run(t, env, "debconf", args)
	mustOK(t, r, true)
	if readFile(t, D) != debconfDB || debconfExists(argsLog) {
		t.Fatal("check mode set the answer")
	}
	q := "locales/default_environment_locale"
	wantDiff := map[string]any{"before": map[string]any{q: "en_US.UTF-8"}, "after": map[string]any{q: "fr_FR.UTF-8"}}
	if !reflect.DeepEqual(r["current"], map[string]any{q: "fr_FR.UTF-8"}) ||
		!reflect.DeepEqual(r["previous"], map[string]any{q: "en_US.UTF-8"}) ||
		!reflect.DeepEqual(r["diff"], wantDiff) || r["msg"] != "" {
		t.Fatalf("check result %v", r)
	}
	env.Check, env.Diff = false, false
	r = run(t, env, "ansible.legacy.debconf", map[string]any{"pkg": "locales", "selection": q, "vtype": "select", "answer": "fr_FR.UTF-8"})
	mustOK(t, r, true)
	if !reflect.DeepEqual(r["diff"], map[string]any{}) {
		t.Fatalf("diff without --diff: %v", r["diff"])
	}
	if !strings.Contains(readFile(t, D), "locales\t"+q+"\tselect\ttrue\tfr_FR.UTF-8\n") {
		t.Fatalf("db %q", readFile(t, D))
	}
	if got := readFile(t, D+".stdin"); got != "locales "+q+" select fr_FR.UTF-8\n" {
		t.Fatalf("debconf-set-selections stdin %q", got)
	}
	mustOK(t, run(t, env, "debconf", args), false)
	if got := readFile(t, argsLog); got != "\n" {
		t.Fatalf("debconf-set-selections ran with %q, want once without -u", got)
	}
	// A question the package does not have yet: previous is every answer
	// plus the question with '' (as the module builds it).
	r = run(t, env, "debconf", map[string]any{"name": "locales", "question": "locales/new", "vtype": "string", "value": "v"})
	mustOK(t, r, true)
	if !reflect.DeepEqual(r["previous"], map[string]any{q: "fr_FR.UTF-8", "locales/locales_to_be_generated": "en_US.UTF-8 UTF-8", "locales/new": ""}) {
		t.Fatalf("previous %v", r["previous"])
	}
	// A multiselect is compared as the string debconf shows (2.14 does not
	// reorder it).
	r = run(t, env, "debconf", map[string]any{"name": "locales", "question": "locales/locales_to_be_generated", "vtype": "multiselect", "value": "en_US.UTF-8 UTF-8"})
	mustOK(t, r, false)
}

// Booleans compare case-insensitively (YAML true is "True"), and True/False
// are written as debconf's true/false; a new boolean question reports the
// value as given.
func TestDebconfBoolean(t *testing.T) {
	env, dir := testEnv(t)
	D, _ := debconfFakes(t, env, dir, debconfDB)
	q := "unattended-upgrades/enable_auto_updates"
	mustOK(t, run(t, env, "debconf", map[string]any{"name": "unattended-upgrades", "question": q, "vtype": "boolean", "value": false}), false)
	mustOK(t, run(t, env, "debconf", map[string]any{"name": "unattended-upgrades", "question": q, "vtype": "boolean", "value": "FALSE"}), false)
	r := run(t, env, "debconf", map[string]any{"name": "unattended-upgrades", "question": q, "vtype": "boolean", "value": true})
	mustOK(t, r, true)
	if !reflect.DeepEqual(r["current"], map[string]any{q: "true"}) || !strings.Contains(readFile(t, D), q+"\tboolean\ttrue\ttrue\n") {
		t.Fatalf("result %v, db %q", r, readFile(t, D))
	}
	r = run(t, env, "debconf", map[string]any{"name": "unattended-upgrades", "question": "unattended-upgrades/new", "vtype": "boolean", "value": true})
	mustOK(t, r, true)
	if !reflect.DeepEqual(r["current"], map[string]any{"unattended-upgrades/new": "True"}) || !strings.HasSuffix(readFile(t, D+".stdin"), "unattended-upgrades/new boolean true\n") {
		t.Fatalf("result %v, stdin %q", r, readFile(t, D+".stdin"))
	}
}

// unseen preseeds without setting the seen flag (debconf-set-selections
// -u); vtype seen sets the flag.
func TestDebconfUnseen(t *testing.T) {
	env, dir := testEnv(t)
	D, argsLog := debconfFakes(t, env, dir, debconfDB)
	q := "locales/locales_to_be_generated"
	mustOK(t, run(t, env, "debconf", map[string]any{"name": "locales", "question": q, "vtype": "multiselect", "value": "de_DE.UTF-8 UTF-8", "unseen": true}), true)
	if got := readFile(t, argsLog); got != "-u\n" {
		t.Fatalf("debconf-set-selections args %q", got)
	}
	if !strings.Contains(readFile(t, D), q+"\tmultiselect\tfalse\tde_DE.UTF-8 UTF-8\n") {
		t.Fatalf("db %q", readFile(t, D))
	}
	mustOK(t, run(t, env, "debconf", map[string]any{"name": "locales", "question": q, "vtype": "seen", "value": "true"}), true)
	if !strings.Contains(readFile(t, D), q+"\tmultiselect\ttrue\tde_DE.UTF-8 UTF-8\n") {
		t.Fatalf("db %q", readFile(t, D))
	}
}

// A password is always set (debconf-show omits it, so it never matches,
// as Ansible's note says), travels on stdin only, and never appears in the
// result: not in current, diff, nor in debconf-set-selections' error.
func TestDebconfPasswordNeverShown(t *testing.T) {
	env, dir := testEnv(t)
	D, argsLog := debconfFakes(t, env, dir, debconfDB)
	const secret = "hunter2-Pa55"
	q := "tripwire/site-passphrase"
	var events []string
	env.Event = func(kind string, data map[string]any) { events = append(events, fmt.Sprint(kind, data)) }
	env.Diff = true
	args := map[string]any{"name": "tripwire", "question": q, "vtype": "password", "value": secret}
	for i := 0; i < 2; i++ {
		r := run(t, env, "debconf", args)
		mustOK(t, r, true)
		if s := fmt.Sprint(r); strings.Contains(s, secret) {
			t.Fatalf("password in the result: %s", s)
		}
		if r["current"].(map[string]any)[q] != "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" {
			t.Fatalf("current %v", r["current"])
		}
		if r["previous"].(map[string]any)[q] != "(password omitted)" {
			t.Fatalf("previous %v", r["previous"])
		}
	}
	if !strings.Contains(readFile(t, D), q+"\tpassword\ttrue\t"+secret+"\n") {
		t.Fatalf("password not set: %q", readFile(t, D))
	}
	if strings.Contains(readFile(t, argsLog), secret) {
		t.Fatal("password on the command line")
	}
	// The real debconf-set-selections quotes a bad line in its error.
	r := run(t, env, "debconf", map[string]any{"name": "tripwire", "question": "bad/q", "vtype": "password", "value": secret})
	mustFail(t, r, "parse error on line 1")
	if s := fmt.Sprint(r); strings.Contains(s, secret) || !strings.Contains(r.Msg(), "********") {
		t.Fatalf("password in the failure: %s", s)
	}
	if strings.Contains(strings.Join(events, "\n"), secret) {
		t.Fatalf("password in events: %v", events)
	}
	// Other vtypes are not masked.
	r = run(t, env, "debconf", map[string]any{"name": "tripwire", "question": "tripwire/x", "vtype": "string", "value": secret})
	mustOK(t, r, true)
	if !strings.Contains(fmt.Sprint(r["current"]), secret) {
		t.Fatalf("string value masked: %v", r)
	}
}

func debconfExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
