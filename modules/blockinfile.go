package modules

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

func init() {
	Register(blockinfileModule{}, "ansible.builtin.blockinfile", "ansible.legacy.blockinfile")
}

// blockinfileModule is Ansible's blockinfile: a block of lines between two
// marker lines, inserted, replaced or removed. Edited on the controller as
// lineinfile is.
type blockinfileModule struct{}

func (blockinfileModule) Name() string { return "blockinfile" }

func (blockinfileModule) Schema() Schema {
	a := editArgs()
	a["block"] = Arg{Type: TypeString, Default: "", Aliases: []string{"content"}}
	a["marker"] = Arg{Type: TypeString, Default: "# {mark} ANSIBLE MANAGED BLOCK"}
	a["marker_begin"] = Arg{Type: TypeString, Default: "BEGIN"}
	a["marker_end"] = Arg{Type: TypeString, Default: "END"}
	u := unsupportedFileArgs()
	u["append_newline"] = "not supported yet"
	u["prepend_newline"] = "not supported yet"
	return Schema{
		Args:              a,
		MutuallyExclusive: [][]string{{"insertbefore", "insertafter"}},
		Unsupported:       u,
	}
}

func strArg(args map[string]any, k, def string) string {
	if v, ok := args[k]; ok && v != nil {
		return argString(args, k)
	}
	return def
}

func (blockinfileModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	present := argString(args, "state") != "absent"
	block := strArg(args, "block", strArg(args, "content", ""))
	marker := strArg(args, "marker", "# {mark} ANSIBLE MANAGED BLOCK")
	m0 := strings.ReplaceAll(marker, "{mark}", strArg(args, "marker_begin", "BEGIN"))
	m1 := strings.ReplaceAll(marker, "{mark}", strArg(args, "marker_end", "END"))
	if m0 == m1 {
		return Fail("marker_begin and marker_end must differ (or marker must contain {mark})")
	}
	ia, ib := argString(args, "insertafter"), argString(args, "insertbefore")
	var ins *regexp.Regexp
	if ia != "" && ia != "EOF" {
		var err error
		if ins, err = pyRegexp("insertafter", ia); err != nil {
			return Fail(err.Error())
		}
	} else if ib != "" && ib != "BOF" {
		var err error
		if ins, err = pyRegexp("insertbefore", ib); err != nil {
			return Fail(err.Error())
		}
	}
	var blockLines []string
	if present && block != "" {
		blockLines = append(blockLines, m0+"\n")
		for _, l := range strings.Split(strings.TrimSuffix(strings.ReplaceAll(block, "\r\n", "\n"), "\n"), "\n") {
			blockLines = append(blockLines, l+"\n")
		}
		blockLines = append(blockLines, m1+"\n")
	}
	onMissing := func(p string) Result {
		if !argBool(args, "create", false) {
			return Result{"failed": true, "changed": false, "rc": 257, "msg": fmt.Sprintf("Path %s does not exist !", p)}
		}
		return nil
	}
	return editFile(ctx, env, args, onMissing, func(before []byte, exists bool) ([]byte, string, Result) {
		lines := splitKeepEnds(before)
		n0, n1 := -1, -1
		for i, l := range lines {
			if chomp(l) == m0 {
				n0 = i
			}
			if chomp(l) == m1 {
				n1 = i
			}
		}
		switch {
		case n0 == -1 || n1 == -1:
			n0 = -1
			switch {
			case ins != nil:
				for i, l := range lines {
					if ins.MatchString(l) {
						n0 = i
					}
				}
				if n0 == -1 {
					n0 = len(lines)
				} else if ia != "" {
					n0++
				}
			case ib != "":
				n0 = 0 // BOF
			default:
				n0 = len(lines) // EOF
			}
		case n0 < n1:
			lines = append(lines[:n0], lines[n1+1:]...)
		default:
			lines = append(lines[:n1], lines[n0+1:]...)
			n0 = n1
		}
		if n0 > 0 && !strings.HasSuffix(lines[n0-1], "\n") {
			lines[n0-1] += "\n"
		}
		out := make([]string, 0, len(lines)+len(blockLines))
		out = append(out, lines[:n0]...)
		out = append(out, blockLines...)
		out = append(out, lines[n0:]...)
		after := []byte(strings.Join(out, ""))
		switch {
		case string(after) == string(before) && exists:
			return after, "", nil
		case !exists:
			return after, "File created", nil
		case len(blockLines) == 0:
			return after, "Block removed", nil
		default:
			return after, "Block inserted", nil
		}
	})
}
