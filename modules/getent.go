package modules

import (
	"context"
	"strings"
)

func init() {
	Register(getentModule{}, "ansible.builtin.getent", "ansible.legacy.getent")
}

// getentModule is Ansible's getent: one `getent DATABASE [KEY] [-s
// SERVICE]` on the host, its lines set as the fact getent_DATABASE: the
// first field → the list of the others (a key seen more than once → a
// list of such lists), fields split at split (default ':' for passwd,
// shadow, group and gshadow, else whitespace). Read-only: it runs in check
// mode too.
type getentModule struct{}

func (getentModule) Name() string { return "getent" }

func (getentModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"database": {Type: TypeString, Required: true},
		"key":      {Type: TypeString},
		"service":  {Type: TypeString},
		"split":    {Type: TypeString},
		"fail_key": {Type: TypeBool, Default: true},
	}}
}

// getentMissing is the exit status of the script when the host has no
// getent (getent's own are 0 to 3).
const getentMissing = 99

func (getentModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	db := argString(args, "database")
	key, hasKey := args["key"]
	hasKey = hasKey && key != nil
	cmd := "getent " + ShellQuote(db)
	if hasKey {
		cmd += " " + ShellQuote(argString(args, "key"))
	}
	if s, ok := args["service"]; ok && s != nil {
		cmd += " -s " + ShellQuote(argString(args, "service"))
	}
	split, hasSplit := args["split"].(string)
	if !hasSplit {
		if s, ok := args["split"]; ok && s != nil {
			split, hasSplit = argString(args, "split"), true
		}
	}
	if hasSplit && split == "" {
		return Fail("split: empty separator")
	}
	if !hasSplit {
		switch db {
		case "passwd", "shadow", "group", "gshadow":
			split, hasSplit = ":", true
		}
	}
	script := "command -v getent >/dev/null 2>&1 || { printf 'Failed to find required executable \"getent\" in paths: %s\\n' \"$PATH\" >&2; exit 99; }\n" + cmd
	res, fr := Exec(ctx, env, script, nil)
	if fr != nil {
		return fr
	}
	tree := "getent_" + db
	results := map[string]any{}
	switch res.ExitCode {
	case 0:
		seen := map[string]int{}
		for _, line := range pySplitlines(string(res.Stdout)) {
			var rec []string
			if hasSplit {
				rec = strings.Split(line, split)
			} else {
				rec = strings.Fields(line)
			}
			if len(rec) == 0 {
				continue
			}
			fields := make([]any, 0, len(rec)-1)
			for _, f := range rec[1:] {
				fields = append(fields, f)
			}
			k := rec[0]
			switch seen[k] {
			case 0:
				results[k] = fields
			case 1:
				results[k] = []any{results[k], fields}
			default:
				results[k] = append(results[k].([]any), fields)
			}
			seen[k]++
		}
		return Result{"changed": false, "ansible_facts": map[string]any{tree: results}}
	case getentMissing:
		return Fail(strings.TrimSpace(string(res.Stderr)))
	case 1:
		return Fail("Missing arguments, or database unknown.")
	case 2:
		msg := "One or more supplied key could not be found in the database."
		if !argBool(args, "fail_key", true) {
			k := "null" // Python's None as a JSON key
			if hasKey {
				k = argString(args, "key")
			}
			results[k] = nil
			return Result{"changed": false, "msg": msg, "ansible_facts": map[string]any{tree: results}}
		}
		return Fail(msg)
	case 3:
		return Fail("Enumeration not supported on this database.")
	}
	return Fail("Unexpected failure!")
}
