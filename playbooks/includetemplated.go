package playbooks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// templatedInclude inlines an include whose file name is a template
// (`include_tasks: "{{ ansible_os_family | lower }}.yml"`): every file the
// name can render to — the files matching it with each {{ ... }} read as
// * — is loaded and validated now, each in a block that runs where the
// name renders to that file; where it renders to none of them, a fail task
// says so. Nothing is loaded at run time, so every candidate is checked
// before a host is contacted.
func (l *loader) templatedInclude(file string, t *Task, at Pos, what, name string) ([]*Task, bool) {
	expr, ok := templateExpr(name)
	if !ok {
		l.c.add(at, "%s %s: only {{ ... }} expressions are supported in a templated file name", what, name)
		return nil, false
	}
	glob := templateSpans.ReplaceAllString(name, "*")
	var dir string
	var matches []string
	for _, d := range []string{filepath.Dir(file), l.baseDir} {
		if filepath.IsAbs(glob) {
			d = ""
		}
		m, _ := filepath.Glob(filepath.Join(d, glob))
		if len(m) > 0 {
			dir, matches = d, m
			break
		}
	}
	var rels []string
	var out []*Task
	for _, path := range matches {
		if st, err := os.Stat(path); err != nil || st.IsDir() || l.including(path) || !looksLikeTasks(path) {
			continue
		}
		rel := path
		if dir != "" {
			rel, _ = filepath.Rel(dir, path)
		}
		tasks, ok := l.tasksFile(at, path, what, l.meta.task(t).handler)
		if !ok {
			return nil, false
		}
		b := l.synthetic(t, at)
		l.meta.task(b).candidate = true
		b.Block = tasks
		if b.Block == nil {
			b.Block = []*Task{}
		}
		b.When = []string{fmt.Sprintf("(%s) == %s", expr, jinjaString(rel))}
		out = append(out, b)
		rels = append(rels, rel)
	}
	if len(rels) == 0 {
		l.c.add(at, "%s %s: no tasks file matches %s (drover loads every file a templated name can render to before running)", what, name, glob)
		return nil, false
	}
	sort.Strings(rels)
	quoted := make([]string, len(rels))
	for i, r := range rels {
		quoted[i] = jinjaString(r)
	}
	f := l.synthetic(t, at)
	f.Name = what + " " + name
	f.Module = "fail"
	f.Args = map[string]any{"msg": fmt.Sprintf("%s: the file name renders to %s, which is not one of the files drover loaded: %s", what, name, strings.Join(rels, ", "))}
	f.When = []string{fmt.Sprintf("(%s) not in [%s]", expr, strings.Join(quoted, ", "))}
	return append(out, f), true
}

// looksLikeTasks tells a tasks file from the other YAML files a glob may
// match beside it (playbooks, vars files): a list whose entries are not
// plays. A file that does not parse counts as a tasks file (its errors are
// then reported).
func looksLikeTasks(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if playKeyLine.Match(data) {
		return false
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil || doc == nil {
		return true
	}
	list, ok := doc.([]any)
	if !ok {
		return false
	}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			for k := range m {
				if k == "hosts" || shortActionName(k) == "import_playbook" {
					return false
				}
			}
		}
	}
	return true
}

// playKeyLine is a play's hosts or an import_playbook written as usual, at
// the top level of a list entry (for files that do not parse).
var playKeyLine = regexp.MustCompile(`(?m)^(- |  )(hosts|(ansible\.(builtin|legacy)\.)?import_playbook):`)

// synthetic is a task drover writes in place of t's include, at its
// position.
func (l *loader) synthetic(t *Task, at Pos) *Task {
	n := &Task{Pos: t.Pos}
	nm := l.meta.task(n)
	nm.handler = l.meta.task(t).handler
	nm.keys["when"] = at
	nm.modPos = at
	return n
}

// including reports whether path is being loaded (an include of it now
// would be a cycle).
func (l *loader) including(path string) bool {
	abs := absPath(path)
	for _, f := range l.stack {
		if f == abs {
			return true
		}
	}
	return false
}

// templateSpans are the {{ ... }} expressions of a template.
var templateSpans = regexp.MustCompile(`\{\{.*?\}\}`)

// templateExpr turns a template made of text and {{ ... }} expressions into
// one Jinja expression joining them with ~. Statements ({% %}) and
// comments are refused.
func templateExpr(s string) (string, bool) {
	if strings.Contains(s, "{%") || strings.Contains(s, "{#") {
		return "", false
	}
	var parts []string
	last := 0
	for _, m := range templateSpans.FindAllStringIndex(s, -1) {
		if m[0] > last {
			parts = append(parts, jinjaString(s[last:m[0]]))
		}
		parts = append(parts, "("+strings.TrimSpace(s[m[0]+2:m[1]-2])+")")
		last = m[1]
	}
	if last < len(s) {
		parts = append(parts, jinjaString(s[last:]))
	}
	return strings.Join(parts, " ~ "), true
}

// jinjaString quotes s as a Jinja string literal.
func jinjaString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
