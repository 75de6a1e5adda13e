package playbooks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/drover-sh/drover/playbooks/template"
)

// templateFile checks the file a template task renders, when its src is
// literal and the file is where the module will look (the task file's
// directory, its role's templates/, the playbook's directory): Jinja
// syntax and unknown filters and tests are errors now, not when the task
// runs on the hosts. Variables are not checked (the file sees facts and
// every variable of the host).
func (v *validator) templateFile(t *Task) {
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
	}
}

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
