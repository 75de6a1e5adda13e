package modules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/drover-sh/drover/playbooks/template"
)

func init() {
	Register(templateModule{}, "ansible.builtin.template", "ansible.legacy.template")
}

// templateModule is Ansible's template: a controller-side Jinja2 file
// rendered with the task's variables (hidden argument _vars) by the same
// engine as the playbooks, then installed as copy installs content.
type templateModule struct{}

func (templateModule) Name() string { return "template" }

func (templateModule) Schema() Schema {
	a := fileArgs()
	a["src"] = Arg{Type: TypePath, Required: true}
	a["dest"] = Arg{Type: TypePath, Required: true}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["force"] = Arg{Type: TypeBool, Default: true}
	a["validate"] = Arg{Type: TypeString}
	a["newline_sequence"] = Arg{Type: TypeString, Default: "\n", Choices: []string{"\n", "\r", "\r\n"}}
	u := unsupportedFileArgs()
	for _, k := range []string{"variable_start_string", "variable_end_string", "block_start_string", "block_end_string",
		"comment_start_string", "comment_end_string"} {
		u[k] = "custom Jinja2 delimiters are not supported"
	}
	u["trim_blocks"] = "always true, as Ansible's default"
	u["lstrip_blocks"] = "not supported"
	u["output_encoding"] = "output is always UTF-8"
	a["follow"] = Arg{Type: TypeBool, Default: false}
	u["remote_src"] = "templates are always read on the controller"
	return Schema{Args: a, Unsupported: u}
}

var (
	templateEngineOnce sync.Once
	templateEngine     *template.Engine
)

func engine() *template.Engine {
	templateEngineOnce.Do(func() { templateEngine = template.New() })
	return templateEngine
}

func (templateModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	src, dest := argString(args, "src"), argString(args, "dest")
	local, fi, err := findLocal(args, src, "templates")
	if err != nil || fi.IsDir() {
		return Fail(fmt.Sprintf("Could not find or access '%s' on the Ansible Controller.", src))
	}
	b, err := os.ReadFile(local)
	if err != nil {
		return Fail(fmt.Sprintf("could not read %s: %v", local, err))
	}
	vars := map[string]any{}
	if v, ok := args["_vars"].(map[string]any); ok {
		for k, x := range v {
			vars[k] = x
		}
	}
	abs, _ := filepath.Abs(local)
	vars["template_path"] = local
	vars["template_fullpath"] = abs
	vars["template_destpath"] = dest
	vars["template_host"], _ = os.Hostname()
	if _, ok := vars["ansible_managed"]; !ok {
		vars["ansible_managed"] = "Ansible managed"
	}
	out, err := engine().RenderFile(string(b), vars)
	if err != nil {
		return Fail(fmt.Sprintf("AnsibleError: template error while templating %s: %v", src, err))
	}
	if nl := argString(args, "newline_sequence"); nl != "" && nl != "\n" {
		out = strings.ReplaceAll(out, "\n", nl)
	}
	if strings.HasSuffix(dest, "/") {
		dest = filepath.ToSlash(filepath.Join(dest, strings.TrimSuffix(filepath.Base(local), ".j2")))
	}
	r := putFile(ctx, env, args, dest, []byte(out), local, false)
	if r["msg"] == "dest is a directory" {
		return putFile(ctx, env, args, filepath.ToSlash(filepath.Join(dest, strings.TrimSuffix(filepath.Base(local), ".j2"))), []byte(out), local, false)
	}
	return r
}
