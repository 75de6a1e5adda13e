package modules

import (
	"context"
	"fmt"
	"strings"
)

func init() {
	Register(packageFactsModule{}, "ansible.builtin.package_facts", "ansible.legacy.package_facts")
}

// packageFactsModule is Ansible's package_facts: the installed packages as
// ansible_facts.packages, name → list of {name, version, arch, source}
// (rpm adds release and epoch), read with dpkg-query or rpm in one
// command. The runner adds returned ansible_facts to the host's facts.
type packageFactsModule struct{}

func (packageFactsModule) Name() string { return "package_facts" }

func (packageFactsModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"manager":  {Default: "auto"},
		"strategy": {Type: TypeString, Default: "first", Choices: []string{"first", "all"}},
	}}
}

// packageFactsScript prints "apt" or "rpm", then one tab-separated line
// per package. Installed dpkg packages are those whose current status
// (the second letter of db:Status-Abbrev) is i.
const packageFactsScript = `found=
for m in %s; do
	case $m in
	apt) command -v dpkg-query >/dev/null 2>&1 || continue
		found=1; echo apt
		dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n' || exit 1 ;;
	rpm) command -v rpm >/dev/null 2>&1 || continue
		found=1; echo rpm
		rpm -qa --qf '%%{NAME}\t%%{VERSION}\t%%{RELEASE}\t%%{ARCH}\t%%{EPOCH}\n' || exit 1 ;;
	esac
	[ -n "$found" ] && [ "$STRATEGY" = first ] && break
done
[ -n "$found" ] || { echo "none of the package managers (%s) was found" >&2; exit 3; }
`

func (packageFactsModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	var managers []string
	switch v := args["manager"].(type) {
	case []any:
		for _, m := range v {
			managers = append(managers, fmt.Sprint(m))
		}
	case nil:
	default:
		managers = strings.Split(fmt.Sprint(v), ",")
	}
	var list []string
	for _, m := range managers {
		switch m = strings.TrimSpace(m); m {
		case "auto", "":
			list = append(list, "apt", "rpm")
		case "apt", "rpm":
			list = append(list, m)
		default:
			return Fail(fmt.Sprintf("package_facts: manager %q is not supported: drover reads apt (dpkg) and rpm", m))
		}
	}
	if len(list) == 0 {
		list = []string{"apt", "rpm"}
	}
	strategy := argString(args, "strategy")
	if strategy == "" {
		strategy = "first"
	}
	m := strings.Join(list, " ")
	script := "STRATEGY=" + ShellQuote(strategy) + "\n" + fmt.Sprintf(packageFactsScript, m, m)
	res, fr := runScript(ctx, env, script, "package_facts")
	if fr != nil {
		return fr
	}
	return Result{"changed": false, "failed": false, "ansible_facts": map[string]any{"packages": parsePackages(string(res.Stdout))}}
}

// parsePackages reads packageFactsScript's output.
func parsePackages(out string) map[string]any {
	pkgs := map[string][]any{}
	source := ""
	for _, line := range strings.Split(out, "\n") {
		switch line {
		case "":
			continue
		case "apt", "rpm":
			source = line
			continue
		}
		f := strings.Split(line, "\t")
		var p map[string]any
		switch {
		case source == "apt" && len(f) >= 4:
			if len(f[0]) < 2 || f[0][1] != 'i' { // not installed (config files, half-installed...)
				continue
			}
			p = map[string]any{"name": f[1], "version": f[2], "arch": f[3], "source": "apt"}
		case source == "rpm" && len(f) >= 5:
			p = map[string]any{"name": f[0], "version": f[1], "release": f[2], "arch": f[3], "source": "rpm"}
			if f[4] != "(none)" && f[4] != "" {
				p["epoch"] = f[4]
			} else {
				p["epoch"] = nil
			}
		default:
			continue
		}
		name := p["name"].(string)
		pkgs[name] = append(pkgs[name], p)
	}
	out2 := make(map[string]any, len(pkgs))
	for name, l := range pkgs {
		out2[name] = l
	}
	return out2
}
