package modules

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func init() {
	Register(hostnameModule{}, "ansible.builtin.hostname", "ansible.legacy.hostname")
}

// Host paths the hostname module reads; tests point them into a
// temporary directory.
var (
	// hostnameFile is the permanent name of the file strategies.
	hostnameFile = "/etc/hostname"
	// hostnameSystemdCanaries exist when systemd is the running init
	// (Ansible's is_systemd_managed, sd_booted).
	hostnameSystemdCanaries = []string{"/run/systemd/system/", "/dev/.run/systemd/", "/dev/.systemd/"}
	// hostnameOSRelease name the distribution (ID=).
	hostnameOSRelease = []string{"/etc/os-release", "/usr/lib/os-release"}
)

// hostnameFileDistros are the distributions (os-release ID) Ansible 2.14
// gives its FileStrategy when systemd is not running: the name is
// /etc/hostname's, and only the file is written.
var hostnameFileDistros = []string{"debian", "ubuntu", "linuxmint", "raspbian", "devuan", "kali", "parrot", "pop",
	"neon", "void", "kylin", "cumulus-linux", "linaro", "uos", "deepin"}

// hostnameStrategies are the `use` values drover implements.
var hostnameStrategies = []string{"systemd", "debian", "alpine", "generic"}

// hostnameModule is Ansible's hostname: the current (running) and the
// permanent name, read in one command and set in one more, only what
// differs.
//
//   - systemd (and debian, which is systemd in Ansible 2.14): hostnamectl
//     --static/--transient status, then hostnamectl --pretty --static
//     set-hostname and hostnamectl --transient set-hostname.
//   - alpine: /etc/hostname ("NAME\n"), then hostname -F /etc/hostname.
//   - generic: /etc/hostname, then `hostname NAME`; the current name is
//     hostname's output. (Ansible 2.14's generic strategy has no
//     implementation and fails.)
//   - unset: systemd when it runs the host (systemctl on PATH and
//     /run/systemd/system there, as Ansible decides); else Alpine gets
//     alpine and Debian-family distributions Ansible's file strategy
//     (/etc/hostname only); others must name a strategy.
//
// The facts are returned as Ansible's module returns them
// (ansible_hostname, ansible_nodename, ansible_fqdn, ansible_domain): the
// runner stores them as ansible_facts.hostname, ... and as the variables
// ansible_hostname, ...
type hostnameModule struct{}

func (hostnameModule) Name() string { return "hostname" }

func (hostnameModule) Schema() Schema {
	return Schema{Args: map[string]Arg{
		"name": {Type: TypeString, Required: true},
		"use": {Type: TypeString, Choices: []string{"alpine", "debian", "freebsd", "generic", "macos", "macosx", "darwin",
			"openbsd", "openrc", "redhat", "sles", "solaris", "systemd"}},
	}}
}

// hostnameNeed fails as Ansible's get_bin_path(cmd, required=True).
func hostnameNeed(cmd string) string {
	return fmt.Sprintf("command -v %s >/dev/null 2>&1 || { printf 'Failed to find required executable \"%s\" in paths: %%s\\n' \"$PATH\" >&2; exit 99; }\n", cmd, cmd)
}

// hostnameRun runs a command whose failure is Ansible's "Command failed
// rc=N" (exit 98, rc= on stdout, the command's error on stderr).
func hostnameRun(cmd string) string {
	return cmd + ` || { echo "rc=$?"; exit 98; }` + "\n"
}

// hostnameFQDN prints node= (the host name) and fqdnsrc= (FQDNScript's
// line): ansible_fqdn is Python's socket.getfqdn() on the host, as in
// Ansible's module and the gathered facts.
const hostnameFQDN = `n=$(uname -n); printf 'node=%s\n' "$n"
printf 'fqdnsrc=%s\n' "$(` + FQDNScript + `)"
`

func (hostnameModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	name := argString(args, "name")
	use := argString(args, "use")
	if use != "" && !slices.Contains(hostnameStrategies, use) {
		return Fail(fmt.Sprintf("hostname: use=%s is not supported by drover (it implements use=%s)", use, strings.Join(hostnameStrategies, ", ")))
	}
	if use == "" {
		use = "auto"
	}

	// Read: the strategy (when detected), the current and permanent
	// names, the FQDN.
	var sb strings.Builder
	sb.WriteString("use=" + ShellQuote(use) + "\n")
	sb.WriteString(`if [ "$use" = auto ]; then
	use=
	if command -v systemctl >/dev/null 2>&1; then
		for c in ` + hostnameWords(hostnameSystemdCanaries) + `; do [ -e "$c" ] && { use=systemd; break; }; done
	fi
	if [ -z "$use" ]; then
		id=
		for f in ` + hostnameWords(hostnameOSRelease) + `; do [ -f "$f" ] && { id=$(. "$f" >/dev/null 2>&1; echo "$ID"); break; }; done
		printf 'os_id=%s\n' "$id"
		case $id in alpine) use=alpine ;; ` + strings.Join(hostnameFileDistros, "|") + `) use=file ;; *) use=unknown ;; esac
	fi
fi
printf 'strategy=%s\n' "$use"
case $use in
systemd|debian)
	` + hostnameNeed("hostnamectl") + `	v=$(hostnamectl --transient status) || { echo "rc=$?"; exit 98; }
	printf 'current=%s\n' "$v"
	v=$(hostnamectl --static status) || { echo "rc=$?"; exit 98; }
	printf 'permanent=%s\n' "$v" ;;
generic)
	` + hostnameNeed("hostname") + `	v=$(hostname) || { echo "rc=$?"; exit 98; }
	printf 'current=%s\n' "$v" ;;
unknown) exit 0 ;;
esac
` + hostnameFQDN + `case $use in alpine|file|generic)
` + statScript(hostnameFile, statOpts{Follow: true, Content: true}) + `;;
esac
`)
	res, fr := Exec(ctx, env, sb.String(), nil)
	if fr != nil {
		return fr
	}
	if r := hostnameFailed(res); r != nil {
		return r
	}
	kv := hostnameValues(res.Stdout)
	strategy := kv["strategy"]
	if strategy == "unknown" {
		return Fail(fmt.Sprintf("hostname: systemd does not run this host and drover has no hostname strategy for its distribution (os-release ID %q): set use (drover implements use=%s)",
			kv["os_id"], strings.Join(hostnameStrategies, ", ")))
	}
	st := parseStat(res.Stdout)
	current, permanent := strings.TrimSpace(kv["current"]), strings.TrimSpace(kv["permanent"])
	fileBased := strategy == "alpine" || strategy == "file" || strategy == "generic"
	if fileBased {
		permanent = ""
		if st.IsReg && st.HasContent {
			permanent = strings.TrimSpace(string(st.Content))
		}
		if strategy != "generic" {
			current = permanent // Ansible's BaseStrategy: the current name is the permanent one
		}
	}

	setPermanent, setCurrent := permanent != name, current != name
	changed := setPermanent || setCurrent
	nameBefore := permanent
	if name != current {
		nameBefore = current
	}
	fqdn := FQDN(kv["fqdnsrc"], kv["node"])
	if changed && !env.Check {
		var w strings.Builder
		switch strategy {
		case "systemd", "debian":
			if len(name) > 64 {
				return Fail("name cannot be longer than 64 characters on systemd servers, try a shorter name")
			}
			if setPermanent {
				w.WriteString(hostnameRun("hostnamectl --pretty --static set-hostname " + ShellQuote(name)))
			}
			if setCurrent {
				w.WriteString(hostnameRun("hostnamectl --transient set-hostname " + ShellQuote(name)))
			}
		default:
			if setPermanent {
				nf := newFile{Mode: 0o644, HasMode: true}
				if st.Exists {
					nf.Mode = st.Mode
					nf.Keep = fmt.Sprintf("%d:%d", st.UID, st.GID)
				}
				w.WriteString(installScript("", hostnameFile, "printf '%s\\n' "+ShellQuote(name)+` > "$t" || exit 1`, nf, "", false))
			}
			if setCurrent {
				switch strategy {
				case "alpine":
					w.WriteString(hostnameNeed("hostname") + hostnameRun("hostname -F "+ShellQuote(hostnameFile)))
				case "generic":
					w.WriteString(hostnameRun("hostname " + ShellQuote(name)))
				}
			}
		}
		w.WriteString(hostnameFQDN)
		res, fr := Exec(ctx, env, w.String(), nil)
		if fr != nil {
			return fr
		}
		if r := hostnameFailed(res); r != nil {
			return r
		}
		v := hostnameValues(res.Stdout)
		fqdn = FQDN(v["fqdnsrc"], v["node"])
	}
	domain := ""
	if _, d, ok := strings.Cut(fqdn, "."); ok {
		domain = d
	}
	out := Result{"changed": changed, "name": name, "ansible_facts": map[string]any{
		"ansible_hostname": strings.SplitN(name, ".", 2)[0],
		"ansible_nodename": name,
		"ansible_fqdn":     fqdn,
		"ansible_domain":   domain,
	}}
	if changed {
		out["diff"] = map[string]any{"before": "hostname = " + nameBefore + "\n", "after": "hostname = " + name + "\n"}
	}
	return out
}

// hostnameFailed turns the scripts' failures into Ansible's messages.
func hostnameFailed(res *ExecResult) Result {
	errs := strings.TrimSpace(string(res.Stderr))
	switch res.ExitCode {
	case 0:
		return nil
	case 99:
		return Fail(errs)
	case 98:
		return Fail(fmt.Sprintf("Command failed rc=%s, err=%s", hostnameValues(res.Stdout)["rc"], errs))
	}
	if errs == "" {
		errs = fmt.Sprintf("exit status %d", res.ExitCode)
	}
	return Fail("hostname: " + errs)
}

// hostnameValues reads the scripts' key=value lines (the first of each).
func hostnameValues(out []byte) map[string]string {
	m := map[string]string{}
	head, _, _ := strings.Cut(string(out), contentMarker+"\n")
	for _, l := range strings.Split(head, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			if _, seen := m[k]; !seen {
				m[k] = v
			}
		}
	}
	return m
}

// hostnameWords quotes each of l for sh.
func hostnameWords(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = ShellQuote(s)
	}
	return strings.Join(q, " ")
}
