package playbooks

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/drover-sh/drover/playbooks/template"
)

// templateFile checks the file a template task renders, when its src is
// literal and the file is where the module will look (the task file's
// directory, its role's templates/, the playbook's directory): Jinja
// syntax and unknown filters and tests are errors now, not when the task
// runs on the hosts, and so are the variables it reads that nothing
// defines and the facts drover does not gather (as for the task's own
// templates; local: the task's loop variables).
func (v *validator) templateFile(t *Task, local map[string]bool) {
	if t.Module != "template" {
		return
	}
	src, ok := t.Args["src"].(string)
	if !ok || src == "" || isTemplated(src) {
		return
	}
	path := findTemplateFile(t.Pos.File, v.baseDir, src)
	if path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.ContainsAny(string(data), "{%#") {
		return
	}
	if err := v.eng.CheckFile(string(data)); err != nil {
		at := t.Pos
		if tm := v.meta.tasks[t]; tm != nil {
			if p, ok := tm.args["src"]; ok {
				at = p
			}
		}
		where := path
		var se *template.SyntaxError
		if errors.As(err, &se) && se.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", path, se.Line, se.Col)
		}
		v.c.add(at, "template %s: %s", where, syntaxMsg(err))
		return
	}
	names, err := v.eng.TemplateNames(string(data))
	if err != nil {
		return
	}
	withVars := map[string]bool{}
	maps.Copy(withVars, local)
	for _, n := range templateModuleVars {
		withVars[n] = true
	}
	at := v.taskKeyPos(t, "args")
	if tm := v.meta.tasks[t]; tm != nil {
		if p, ok := tm.args["src"]; ok {
			at = p
		}
	}
	v.names(at, "template "+path, string(data), names, withVars)
	v.facts(at, "template "+path, string(data), false, names)
}

// templateModuleVars are the variables the template module adds for its
// file (Ansible's template action).
var templateModuleVars = []string{"template_path", "template_fullpath", "template_destpath", "template_host",
	"template_uid", "template_run_date", "ansible_managed"}

// findTemplateFile is where the template module finds src, or "".
func findTemplateFile(taskFile, baseDir, src string) string {
	var cands []string
	if filepath.IsAbs(src) {
		cands = []string{src}
	} else {
		dir := filepath.Dir(taskFile)
		cands = []string{
			filepath.Join(dir, "templates", src), filepath.Join(dir, src),
			filepath.Join(filepath.Dir(dir), "templates", src), // a role's tasks/ → templates/
			filepath.Join(baseDir, "templates", src), filepath.Join(baseDir, src),
		}
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	return ""
}
