package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner"
	"github.com/drover-sh/drover/runner/fleet"
)

// allEventsPlay makes a run emit every event type: a loop with register
// and no_log (task_result), reboots (reboot_started, host_back), a health
// gate, and a disruption budget whose probe finds host03 down (warning).
const allEventsPlay = `- name: every event
  hosts: all
  serial: [1, 2]
  disruption_budget: {per: rack, max_unavailable: 2}
  pre_reboot:
    - name: loop
      shell: echo {{ item }}
      loop: [a, b]
      register: out
    - name: quiet
      shell: echo hush
      no_log: true
  reboot:
    reboot_timeout: 30
  post_reboot:
    - name: healthy
      command: healthcheck
  health_gate:
    - name: gate
      command: healthcheck
`

// schema is the subset of JSON Schema that docs/events.schema.json uses.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Const                any                `json:"const"`
	Enum                 []any              `json:"enum"`
	Format               string             `json:"format"`
	Minimum              *float64           `json:"minimum"`
	Required             []string           `json:"required"`
	Properties           map[string]*schema `json:"properties"`
	AdditionalProperties *bool              `json:"additionalProperties"`
	Items                *schema            `json:"items"`
	OneOf                []*schema          `json:"oneOf"`
	Defs                 map[string]*schema `json:"$defs"`
	Version              int                `json:"version"`
}

func loadSchema(t *testing.T) *schema {
	t.Helper()
	b, err := os.ReadFile("../../docs/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("events.schema.json: %v", err)
	}
	return &s
}

// validate checks v against s; root resolves $ref.
func validate(root, s *schema, v any, at string) []string {
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/$defs/")
		if !ok || root.Defs[name] == nil {
			return []string{at + ": bad $ref " + s.Ref}
		}
		return validate(root, root.Defs[name], v, at)
	}
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, at+": "+fmt.Sprintf(f, a...)) }
	if s.Const != nil && fmt.Sprint(s.Const) != fmt.Sprint(v) {
		bad("got %v, want %v", v, s.Const)
	}
	if len(s.Enum) > 0 {
		found := false
		for _, e := range s.Enum {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			bad("%v not in %v", v, s.Enum)
		}
	}
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("%T, want string", v)
		} else if s.Format == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				bad("not a date-time: %v", err)
			}
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok || (s.Type == "integer" && n != math.Trunc(n)) {
			bad("%v (%T), want %s", v, v, s.Type)
		} else if s.Minimum != nil && n < *s.Minimum {
			bad("%v < minimum %v", n, *s.Minimum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("%T, want boolean", v)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			bad("%T, want array", v)
		}
		for i, e := range a {
			if s.Items != nil {
				errs = append(errs, validate(root, s.Items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("%T, want object", v)
			break
		}
		for _, r := range s.Required {
			if _, ok := m[r]; !ok {
				bad("missing required %q", r)
			}
		}
		for k, e := range m {
			p := s.Properties[k]
			if p == nil {
				if s.AdditionalProperties != nil && !*s.AdditionalProperties {
					bad("field %q is not in the schema", k)
				}
				continue
			}
			errs = append(errs, validate(root, p, e, at+"."+k)...)
		}
	}
	return errs
}

// validateEvent dispatches on the event's type.
func validateEvent(root *schema, e map[string]any) []string {
	typ, _ := e["type"].(string)
	def := root.Defs[typ]
	if def == nil {
		return []string{fmt.Sprintf("event type %q is not in the schema", typ)}
	}
	return validate(root, def, e, typ)
}

func TestEventsMatchSchema(t *testing.T) {
	root := loadSchema(t)
	f := startFleet(t, 3, map[string]fleet.Fault{"host03": {Down: true}})
	events := filepath.Join(f.dir, "events.jsonl")
	r := drover(t, nil, f.runArgs(f.file(t, "p.yml", allEventsPlay), "--output", "json", "--events", events)...)
	if r.code != exitUnreachable {
		t.Fatalf("exit %d, want 4 (host03 is down)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	fromFile := readEvents(t, events)
	fromStdout := parseEvents(t, []byte(r.stdout)) // --output json: nothing but events on stdout
	if len(fromStdout) != len(fromFile) {
		t.Fatalf("stdout has %d events, --events file %d", len(fromStdout), len(fromFile))
	}
	seen := map[string]int{}
	for i, e := range fromFile {
		for _, msg := range validateEvent(root, e) {
			t.Errorf("event %d: %s", i, msg)
		}
		seen[e["type"].(string)]++
		if e["type"] != fromStdout[i]["type"] {
			t.Errorf("event %d: file has %v, stdout %v", i, e["type"], fromStdout[i]["type"])
		}
	}
	for _, ref := range root.OneOf {
		name := strings.TrimPrefix(ref.Ref, "#/$defs/")
		if seen[name] == 0 {
			t.Errorf("the run emitted no %s event", name)
		}
	}
	for _, typ := range []string{runner.EvRunStarted, runner.EvRunDone} {
		if seen[typ] != 1 {
			t.Errorf("%s emitted %d times, want once", typ, seen[typ])
		}
	}
	if fromFile[0]["type"] != runner.EvRunStarted || fromFile[len(fromFile)-1]["type"] != runner.EvRunDone {
		t.Errorf("first %v, last %v", fromFile[0]["type"], fromFile[len(fromFile)-1]["type"])
	}
	// no_log: the result is censored, the output of the task absent.
	for _, e := range eventsOf(fromFile, runner.EvTaskResult) {
		if e["task"] == "quiet" && strings.Contains(fmt.Sprint(e), "hush") {
			t.Errorf("no_log task output in an event: %v", e)
		}
	}
	// The journal holds events of the same schema.
	for _, j := range f.journals(t) {
		for i, e := range readEvents(t, j) {
			for _, msg := range validateEvent(root, e) {
				t.Errorf("journal event %d: %s", i, msg)
			}
		}
	}
}

// TestEventsDocMatchesSchema checks that docs/events.md documents every
// event type of the schema with exactly its fields, and every field.
func TestEventsDocMatchesSchema(t *testing.T) {
	root := loadSchema(t)
	if root.Version != runner.SchemaVersion {
		t.Fatalf("schema version %d, runner.SchemaVersion %d", root.Version, runner.SchemaVersion)
	}
	fh, err := os.Open("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	heading := regexp.MustCompile("^### `([a-z_]+)`")
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\| ([^|]+) \\|")
	doc := map[string]map[string]string{} // type -> field -> required/optional
	fields := map[string]bool{}           // the Fields table
	section := ""
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			section = m[1]
			doc[section] = map[string]string{}
			continue
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if section == "Fields" {
			fields[m[1]] = true
		} else if doc[section] != nil {
			doc[section][m[1]] = strings.TrimSpace(m[2])
		}
	}
	var types []string
	for _, ref := range root.OneOf {
		types = append(types, strings.TrimPrefix(ref.Ref, "#/$defs/"))
	}
	for _, c := range []string{runner.EvRunStarted, runner.EvPlayStarted, runner.EvBatchStarted, runner.EvHostStarted, runner.EvTaskStarted, runner.EvTaskResult,
		runner.EvRebootStarted, runner.EvHostBack, runner.EvHostDone, runner.EvGateResult, runner.EvBatchDone, runner.EvPlayDone, runner.EvRunDone, runner.EvWarning} {
		if root.Defs[c] == nil {
			t.Errorf("event type %s (runner/events.go) is not in the schema", c)
		}
	}
	if len(doc) != len(types) {
		t.Errorf("docs/events.md documents %d event types, the schema has %d", len(doc), len(types))
	}
	for _, typ := range types {
		def := root.Defs[typ]
		got := doc[typ]
		if got == nil {
			t.Errorf("docs/events.md has no section for %s", typ)
			continue
		}
		req := map[string]bool{}
		for _, r := range def.Required {
			req[r] = true
		}
		var props []string
		for p := range def.Properties {
			props = append(props, p)
			want := "optional"
			if req[p] {
				want = "required"
			}
			if got[p] != want {
				t.Errorf("%s.%s: doc says %q, schema %q", typ, p, got[p], want)
			}
			if !fields[p] {
				t.Errorf("field %s is not in the doc's Fields table", p)
			}
		}
		for p := range got {
			if def.Properties[p] == nil {
				t.Errorf("%s.%s is documented but not in the schema", typ, p)
			}
		}
		sort.Strings(props)
	}
}

// TestSchemaCheckerRejects proves the checker is not vacuous.
func TestSchemaCheckerRejects(t *testing.T) {
	root := loadSchema(t)
	good := map[string]any{"v": 1.0, "type": "run_done", "time": "2026-01-02T03:04:05Z", "play_index": 0.0, "node": 0.0, "run_id": "x", "status": "ok", "msg": "0"}
	if errs := validateEvent(root, good); len(errs) != 0 {
		t.Fatalf("valid event rejected: %v", errs)
	}
	for name, mut := range map[string]func(m map[string]any){
		"missing field": func(m map[string]any) { delete(m, "run_id") },
		"extra field":   func(m map[string]any) { m["surprise"] = 1.0 },
		"wrong type":    func(m map[string]any) { m["node"] = "zero" },
		"bad enum":      func(m map[string]any) { m["status"] = "great" },
		"bad time":      func(m map[string]any) { m["time"] = "yesterday" },
		"unknown type":  func(m map[string]any) { m["type"] = "party" },
	} {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		mut(m)
		if errs := validateEvent(root, m); len(errs) == 0 {
			t.Errorf("%s: accepted %v", name, m)
		}
	}
}
