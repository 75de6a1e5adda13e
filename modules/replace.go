package modules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

func init() {
	Register(replaceModule{}, "ansible.builtin.replace", "ansible.legacy.replace")
}

// replaceModule is Ansible's replace: every match of regexp (MULTILINE: ^
// and $ match at each line) in the file, or in its part between after and
// before (DOTALL), is replaced, as Python's re.subn does. The file is read
// in one session, edited on the controller and written back only when it
// changed (editFile). Regular expressions are Go's RE2 syntax (no
// look-around, no backreferences inside the pattern); the replacement
// takes Python's \1, \g<1>, \g<name> and \n, \t, \r, \\.
type replaceModule struct{}

func (replaceModule) Name() string { return "replace" }

func (replaceModule) Schema() Schema {
	a := fileArgs()
	a["path"] = Arg{Type: TypePath, Required: true, Aliases: []string{"dest", "destfile", "name"}}
	a["regexp"] = Arg{Type: TypeString, Required: true}
	a["replace"] = Arg{Type: TypeString, Default: ""}
	a["after"] = Arg{Type: TypeString}
	a["before"] = Arg{Type: TypeString}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["validate"] = Arg{Type: TypeString}
	a["encoding"] = Arg{Type: TypeString, Default: "utf-8", Choices: []string{"utf-8", "utf8", "UTF-8", "UTF8"}}
	return Schema{Args: a, Unsupported: unsupportedFileArgs()}
}

// replaceAll is re.subn: the text with every match replaced, and how many.
func replaceAll(re *regexp.Regexp, text, tmpl string) (string, int) {
	ms := re.FindAllStringSubmatchIndex(text, -1)
	if len(ms) == 0 {
		return text, 0
	}
	var sb strings.Builder
	last := 0
	for _, m := range ms {
		sb.WriteString(text[last:m[0]])
		sb.WriteString(pySubExpand(re, tmpl, text, m))
		last = m[1]
	}
	sb.WriteString(text[last:])
	return sb.String(), len(ms)
}

func (replaceModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	re, err := pyRegexpMultiline("regexp", argString(args, "regexp"), false)
	if err != nil {
		return Fail(err.Error())
	}
	after, before := argString(args, "after"), argString(args, "before")
	var section *regexp.Regexp
	switch {
	case after != "" && before != "":
		section, err = pyRegexpMultiline("after/before", after+"(?P<subsection>.*?)"+before, true)
	case after != "":
		section, err = pyRegexpMultiline("after", after+"(?P<subsection>.*)", true)
	case before != "":
		section, err = pyRegexpMultiline("before", "(?P<subsection>.*)"+before, true)
	}
	if err != nil {
		return Fail(err.Error())
	}
	tmpl := argString(args, "replace")
	onMissing := func(p string) Result {
		return Result{"failed": true, "changed": false, "rc": 257, "msg": fmt.Sprintf("Path %s does not exist !", p)}
	}
	return editFile(ctx, env, args, onMissing, func(content []byte, _ bool) ([]byte, string, Result) {
		text := string(content)
		lo, hi := 0, len(text)
		if section != nil {
			m := section.FindStringSubmatchIndex(text)
			if m == nil {
				return nil, "", Result{"changed": false, "failed": false,
					"msg": "Pattern for before/after params did not match the given file: " + section.String()[len("(?ms)"):]}
			}
			i := section.SubexpIndex("subsection")
			lo, hi = m[2*i], m[2*i+1]
		}
		out, n := replaceAll(re, text[lo:hi], tmpl)
		if n == 0 || out == text[lo:hi] {
			return content, "", nil
		}
		return []byte(text[:lo] + out + text[hi:]), fmt.Sprintf("%d replacements made", n), nil
	})
}
