package modules

import (
	"context"
	"strings"
)

func init() {
	Register(serviceFactsModule{}, "ansible.builtin.service_facts", "ansible.legacy.service_facts")
}

// serviceFactsModule is Ansible's service_facts: ansible_facts.services,
// unit name → {name, state, status, source}, read in one command from
// systemd (list-units and list-unit-files) or, without systemctl, from
// `service --status-all` (SysV). The usual reboot-night use: compare the
// services running before the reboot with those running after it.
type serviceFactsModule struct{}

func (serviceFactsModule) Name() string { return "service_facts" }

func (serviceFactsModule) Schema() Schema { return Schema{Args: map[string]Arg{}} }

// serviceFactsScript prints a section marker, then the section's lines.
const serviceFactsScript = `if command -v systemctl >/dev/null 2>&1; then
	echo '#units'
	systemctl list-units --type=service --all --no-legend --no-pager --plain 2>/dev/null
	echo '#files'
	systemctl list-unit-files --type=service --no-legend --no-pager 2>/dev/null
elif command -v service >/dev/null 2>&1; then
	echo '#sysv'
	service --status-all 2>&1
else
	echo 'neither systemctl nor service was found' >&2
	exit 3
fi
exit 0
`

func (serviceFactsModule) Run(ctx context.Context, env *Env, _ map[string]any) Result {
	res, fr := runScript(ctx, env, serviceFactsScript, "service_facts")
	if fr != nil {
		return fr
	}
	return Result{"changed": false, "failed": false, "ansible_facts": map[string]any{"services": parseServices(string(res.Stdout))}}
}

// parseServices reads serviceFactsScript's output the way Ansible's
// service_facts reads systemctl's and service's: a loaded unit whose SUB
// state is running is "running", any other "stopped"; a unit only in the
// unit files is "inactive"; status is the unit file state ("unknown"
// when there is none). SysV: [ + ] running, [ - ] stopped, [ ? ] unknown.
func parseServices(out string) map[string]any {
	type svc struct{ name, state, status, source string }
	var order []string
	byName := map[string]*svc{}
	add := func(s *svc) *svc {
		if old := byName[s.name]; old != nil {
			return old
		}
		byName[s.name] = s
		order = append(order, s.name)
		return s
	}
	section := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "#") {
			section = strings.TrimSpace(line)
			continue
		}
		f := strings.Fields(strings.TrimLeft(line, "●* "))
		switch section {
		case "#units":
			if len(f) < 4 || !strings.Contains(f[0], ".") {
				continue
			}
			state := "stopped"
			if f[3] == "running" {
				state = "running"
			}
			add(&svc{name: f[0], state: state, status: "unknown", source: "systemd"})
		case "#files":
			if len(f) < 2 || !strings.Contains(f[0], ".") {
				continue
			}
			s := add(&svc{name: f[0], state: "inactive", status: f[1], source: "systemd"})
			s.status = f[1]
		case "#sysv":
			// " [ + ]  cron"
			open, end := strings.Index(line, "["), strings.Index(line, "]")
			if open < 0 || end < open {
				continue
			}
			name := strings.TrimSpace(line[end+1:])
			if name == "" {
				continue
			}
			state := "unknown"
			switch strings.TrimSpace(line[open+1 : end]) {
			case "+":
				state = "running"
			case "-":
				state = "stopped"
			}
			add(&svc{name: name, state: state, status: "unknown", source: "sysv"})
		}
	}
	services := make(map[string]any, len(order))
	for _, n := range order {
		s := byName[n]
		services[n] = map[string]any{"name": s.name, "state": s.state, "status": s.status, "source": s.source}
	}
	return services
}
