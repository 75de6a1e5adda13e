package playbooks

import "strings"

// NotGatheredFacts are Ansible facts drover's gathering does not provide
// (the names without ansible_): a playbook that reads one (as
// ansible_NAME or ansible_facts.NAME) would fail on the hosts as
// undefined, so drover check reports it first. Facts of Ansible's facter
// and ohai collectors (facter_*, ohai_*) are not gathered either.
var NotGatheredFacts = []string{
	"devices", "device_links", "lvm", "iscsi_iqn", "fibre_channel_wwn", "hostnqn",
	"python", "python_version",
}

// notGathered reports whether fact (without ansible_) is one drover does
// not gather.
func notGathered(fact string) bool {
	return strings.HasPrefix(fact, "facter_") || strings.HasPrefix(fact, "ohai_") || contains(NotGatheredFacts, fact)
}

// facts reports the facts src reads that drover does not gather, as
// ansible_NAME (names: its top-level names) or ansible_facts.NAME,
// unless the playbook or inventory defines the name itself or src tests
// definedness or gives a default.
func (v *validator) facts(at Pos, key, src string, expr bool, names []string) {
	if guarded(src) || v.open {
		return
	}
	for _, n := range names {
		if f, ok := strings.CutPrefix(n, "ansible_"); ok && notGathered(f) && !v.known[n] {
			v.c.add(at, "%s reads %s, a fact drover does not gather (docs/playbook.md, Facts): guard it with 'is defined' or a default, or set it with set_fact", key, n)
		}
	}
	refs, err := v.eng.FactRefs(src, expr)
	if err != nil {
		return
	}
	for _, f := range refs {
		if notGathered(f) {
			v.c.add(at, "%s reads ansible_facts.%s, a fact drover does not gather (docs/playbook.md, Facts): guard it with 'is defined' or a default", key, f)
		}
	}
}

// moduleFactVars are the variables a task's module sets through the facts
// it returns (Ansible injects them under their own names): packages,
// services, getent_DATABASE.
func moduleFactVars(t *Task) []string {
	m := t.Module
	for _, p := range []string{"ansible.builtin.", "ansible.legacy."} {
		m = strings.TrimPrefix(m, p)
	}
	switch m {
	case "package_facts":
		return []string{"packages"}
	case "service_facts":
		return []string{"services"}
	case "getent":
		if db, ok := t.Args["database"].(string); ok && !isTemplated(db) {
			return []string{"getent_" + db}
		}
	}
	return nil
}
