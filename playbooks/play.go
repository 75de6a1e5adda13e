package playbooks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// readPlay reads one play mapping.
func (l *loader) readPlay(file string, n *yaml.Node) *Play {
	// Facts are gathered unless the play says not to, as in Ansible
	// (ansible.cfg's gathering = explicit turns the default off).
	p := &Play{Pos: pos(file, n), GatherFacts: l.cfg == nil || l.cfg.Gathering != "explicit"}
	pm := l.meta.play(p)
	l.play = p
	defer func() { l.play = nil }()
	var (
		hostsSeen bool
		rolesNode *yaml.Node
		rolesFile string
	)
	for _, kv := range pairs(n) {
		key, v := kv.k.Value, kv.v
		pm.keys[key] = pos(file, v)
		switch key {
		case "name":
			p.Name, _ = l.str(file, v, "name")
		case "hosts":
			hostsSeen = true
			p.Hosts = l.hosts(file, v)
		case "serial":
			p.Serial = l.serial(file, v)
		case "max_fail_percentage":
			p.MaxFailPercentage = l.maxFail(file, v)
		case "any_errors_fatal":
			if e, ok := templatedScalar(v); ok {
				p.AnyErrorsFatalExpr = e
			} else {
				p.AnyErrorsFatal, _ = l.boolean(file, v, key)
			}
		case "strategy":
			p.Strategy = l.strategy(file, v)
		case "port":
			if n, ok := l.integer(file, v, key); ok {
				if n < 1 || n > 65535 {
					l.c.add(pos(file, v), "port %d is not a TCP port (1-65535)", n)
				}
				p.Port = n
			}
		case "order":
			if s, ok := l.str(file, v, key); ok {
				if !slices.Contains(playOrders, s) {
					l.c.add(pos(file, v), "invalid order '%s'%s (drover supports %s)", s, didYouMean(s, playOrders), strings.Join(playOrders, ", "))
				}
				p.Order = s
			}
		case "gather_facts":
			p.GatherFacts, _ = l.boolean(file, v, key)
		case "gather_timeout":
			p.GatherTimeout, _ = l.duration(file, v, key)
		case "gather_subset":
			p.GatherSubset = l.gatherSubset(file, v)
		case "fact_path":
			p.FactPath, _ = l.str(file, v, key)
		case "become":
			p.Become, p.BecomeExpr = l.boolOrTemplate(file, v, key)
		case "become_user":
			p.BecomeUser, _ = l.str(file, v, key)
		case "become_method":
			p.BecomeMethod = l.becomeMethod(file, v)
		case "remote_user", "user": // user: the old name, which Ansible 2.14 still reads as remote_user
			// A template ("{{ deploy_user }}") is rendered per host like
			// any templated connection variable (it becomes the
			// ansible_user of hosts without one).
			p.RemoteUser, _ = l.str(file, v, key)
		case "vars":
			p.Vars = l.varsMap(file, v, "vars")
		case "vars_files":
			p.VarsFiles = l.varsFiles(file, v, pm)
		case "environment":
			p.Environment = l.environment(file, v)
		case "tags":
			p.Tags, _ = l.strList(file, v, "tags")
		case "pre_tasks":
			p.PreTasks = l.taskList(file, v, key, false)
		case "tasks":
			p.Tasks = l.taskList(file, v, key, false)
		case "post_tasks":
			p.PostTasks = l.taskList(file, v, key, false)
		case "handlers":
			p.Handlers = append(p.Handlers, l.taskList(file, v, key, true)...)
		case "roles":
			rolesNode, rolesFile = v, file
		case "throttle":
			p.Throttle, _ = l.integer(file, v, key)
		case "check_mode":
			p.CheckMode = l.boolPtr(file, v, key)
		case "ignore_errors":
			p.IgnoreErrors, _ = l.boolean(file, v, key)
		case "ignore_unreachable":
			p.IgnoreUnreachable, _ = l.boolean(file, v, key)
		case "no_log":
			if e, ok := templatedScalar(v); ok {
				p.NoLogExpr = e
			} else {
				p.NoLog, _ = l.boolean(file, v, key)
			}
		case "run_once":
			p.RunOnce, _ = l.boolean(file, v, key)
		case "timeout":
			p.Timeout, _ = l.duration(file, v, key)
		case "force_handlers":
			p.ForceHandlers, _ = l.boolean(file, v, key)
		case "module_defaults":
			p.ModuleDefaults = l.moduleDefaults(file, v)
		case "collections":
			// Short module names resolve to drover's built-in modules
			// whatever the collections; a module drover does not have is
			// refused by name.
			l.strList(file, v, key)
		case "continue_on_batch_failure":
			p.ContinueOnBatchFailure, _ = l.boolean(file, v, key)
		case "pre_reboot":
			p.PreReboot = l.taskList(file, v, key, false)
		case "reboot":
			p.Reboot = l.rebootPhase(file, kv.k, v)
		case "post_reboot":
			p.PostReboot = l.taskList(file, v, key, false)
		case "disruption_budget":
			p.DisruptionBudget = l.budget(file, v)
		case "adaptive_serial":
			p.AdaptiveSerial = l.adaptiveSerial(file, v)
		case "health_gate":
			p.HealthGate = l.taskList(file, v, key, false)
		case "batch_groups":
			p.BatchGroups, p.BatchGroupsPos = l.batchGroups(file, v), pos(file, v)
		case "pause_between_batches":
			p.PauseBetweenBatches, _ = l.duration(file, v, key)
		case "confirm_after_first_batch":
			p.ConfirmAfterFirstBatch, _ = l.boolean(file, v, key)
		case "connection":
			if s, ok := l.str(file, v, key); ok && s != "ssh" && s != "smart" {
				l.c.add(pos(file, v), "connection '%s' is not supported: drover connects over SSH only", s)
			}
		default:
			l.unknownKey(file, kv.k, "play", playKeys, playRefused)
		}
	}
	if !hostsSeen {
		l.c.add(p.Pos, "play has no hosts: every play needs a hosts pattern")
	}
	_, hasSerial := pm.keys["serial"]
	if at, ok := pm.keys["adaptive_serial"]; ok && hasSerial {
		l.c.add(at, "a play has serial or adaptive_serial, not both (adaptive_serial's start is its first batch)")
	}
	if p.Reboot != nil && (len(p.Tasks) > 0) {
		l.c.add(pm.keys["tasks"], "a play with reboot: uses pre_reboot/post_reboot, not tasks")
	}
	if p.Reboot == nil {
		for _, k := range []string{"pre_reboot", "post_reboot"} {
			if at, ok := pm.keys[k]; ok {
				l.c.add(at, "%s needs reboot: in the same play (reboot: true, or the reboot module's arguments)", k)
			}
		}
	}
	if rolesNode != nil {
		roleTasks := l.playRoles(rolesFile, rolesNode, p)
		if p.Reboot != nil || len(p.PreReboot) > 0 {
			p.PreReboot = append(roleTasks, p.PreReboot...)
		} else {
			p.Tasks = append(roleTasks, p.Tasks...)
		}
	}
	return p
}

// unknownKey reports a key outside the subset.
func (l *loader) unknownKey(file string, k *yaml.Node, where string, known []string, refused map[string]string) {
	if why, ok := refused[k.Value]; ok {
		l.c.add(pos(file, k), "'%s' is not supported on a %s: %s", k.Value, where, why)
		return
	}
	l.c.add(pos(file, k), "unknown %s key '%s'%s", where, k.Value, didYouMean(k.Value, known))
}

func (l *loader) hosts(file string, v *yaml.Node) string {
	v = resolve(v)
	if v.Kind == yaml.SequenceNode {
		parts, _ := l.strList(file, v, "hosts")
		return strings.Join(parts, ",")
	}
	s, _ := l.str(file, v, "hosts")
	if strings.TrimSpace(s) == "" {
		l.c.add(pos(file, v), "hosts must not be empty")
	}
	return s
}

// batchGroups reads batch_groups: inventory group names (a list, or one
// name), each once, no templates.
func (l *loader) batchGroups(file string, v *yaml.Node) []string {
	v = resolve(v)
	names, ok := l.strList(file, v, "batch_groups")
	if !ok {
		return nil
	}
	if len(names) == 0 {
		l.c.add(pos(file, v), "batch_groups must name at least one inventory group")
		return nil
	}
	seen := map[string]bool{}
	for i, n := range names {
		at := pos(file, v)
		if v.Kind == yaml.SequenceNode {
			at = pos(file, v.Content[i])
		}
		switch {
		case strings.TrimSpace(n) == "":
			l.c.add(at, "batch_groups: empty group name")
		case strings.Contains(n, "{{") || strings.Contains(n, "{%"):
			l.c.add(at, "batch_groups: '%s' is a template; drover needs the groups before running (write the group names)", n)
		case seen[n]:
			l.c.add(at, "batch_groups: '%s' is listed twice", n)
		}
		seen[n] = true
	}
	return names
}

// serial reads an int, "N%", or a list of them; a template
// ("{{ batch | default(1) }}") is kept in p.SerialExpr for the runner.
func (l *loader) serial(file string, v *yaml.Node) []Serial {
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && isTemplated(v.Value) {
		l.play.SerialExpr = v.Value
		return nil
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
		if len(items) == 0 {
			l.c.add(pos(file, v), "invalid serial: the list is empty")
			return nil
		}
	}
	var out []Serial
	for _, it := range items {
		it = resolve(it)
		if it.Kind != yaml.ScalarNode || it.Tag == "!!bool" || it.Tag == "!!null" {
			l.c.add(pos(file, it), "invalid serial: got %s (use a host count such as 5, a percentage such as \"20%%\", or a list of them)", describe(it))
			continue
		}
		s, ok := parseSerial(it.Value)
		if !ok {
			msg := "use a host count such as 5, a percentage such as \"20%\", or a list of them"
			if isTemplated(it.Value) {
				msg = "a template is allowed for the whole of serial, not for a list entry; " + msg
			}
			l.c.add(pos(file, it), "invalid serial %q: %s", it.Value, msg)
			continue
		}
		out = append(out, s)
	}
	return out
}

// ParseSerialValue reads serial's rendered value: a count, "N%", or a
// list of them (as a templated serial renders).
func ParseSerialValue(v any) ([]Serial, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("the list is empty")
	}
	var out []Serial
	for _, it := range items {
		s, ok := parseSerial(fmt.Sprint(it))
		if _, isBool := it.(bool); !ok || isBool {
			return nil, fmt.Errorf("%q is not a host count or a percentage", fmt.Sprint(it))
		}
		out = append(out, s)
	}
	return out, nil
}

func parseSerial(s string) (Serial, bool) {
	s = strings.TrimSpace(s)
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || !(f > 0 && f <= 100) {
			return Serial{}, false
		}
		return Serial{Percent: f}, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return Serial{}, false
	}
	return Serial{Count: n}, true
}

func (l *loader) maxFail(file string, v *yaml.Node) *float64 {
	v = resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag != "!!bool" {
		s := strings.TrimSuffix(strings.TrimSpace(v.Value), "%")
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if f < 0 || f > 100 {
				l.c.add(pos(file, v), "invalid max_fail_percentage %s: must be between 0 and 100", v.Value)
				return nil
			}
			return &f
		}
	}
	l.c.add(pos(file, v), "invalid max_fail_percentage %s: must be a number between 0 and 100", describe(v))
	return nil
}

func (l *loader) becomeMethod(file string, v *yaml.Node) string {
	s, ok := l.str(file, v, "become_method")
	if ok && !slices.Contains(supportedBecomeMethods, s) {
		l.c.add(pos(file, v), "become_method '%s' is not supported: drover supports %s", s, strings.Join(supportedBecomeMethods, " and "))
	}
	return s
}

func (l *loader) budget(file string, v *yaml.Node) *Budget {
	if !l.mapping(file, v, "disruption_budget") {
		return nil
	}
	b := &Budget{Pos: pos(file, v)}
	var per, max bool
	for _, kv := range pairs(v) {
		switch kv.k.Value {
		case "per":
			b.Per, per = l.str(file, kv.v, "disruption_budget.per")
			if per && b.Per == "" {
				l.c.add(pos(file, kv.v), "disruption_budget.per must not be empty")
			}
		case "max_unavailable":
			max = true
			n := resolve(kv.v)
			s, ok := parseSerial(n.Value)
			if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" || !ok {
				l.c.add(pos(file, n), "invalid disruption_budget.max_unavailable %s: use a host count of at least 1 or a percentage such as \"25%%\"", describe(n))
				continue
			}
			b.MaxUnavailable, b.Percent = s.Count, s.Percent
		default:
			l.c.add(pos(file, kv.k), "unknown disruption_budget key '%s'%s (drover supports per and max_unavailable)", kv.k.Value, didYouMean(kv.k.Value, []string{"per", "max_unavailable"}))
		}
	}
	if !per {
		l.c.add(b.Pos, "disruption_budget needs per: (an inventory variable or a group name prefix)")
	}
	if !max {
		l.c.add(b.Pos, "disruption_budget needs max_unavailable: (a host count or \"N%%\")")
	}
	return b
}

// rebootPhase reads `reboot: true` or the reboot module's arguments.
func (l *loader) rebootPhase(file string, k, v *yaml.Node) *Task {
	t := &Task{Pos: pos(file, k), Module: "reboot", Name: "reboot", Args: map[string]any{}}
	tm := l.meta.task(t)
	tm.modPos = pos(file, k)
	v = resolve(v)
	switch {
	case v.Kind == yaml.MappingNode:
		for _, kv := range pairs(v) {
			t.Args[kv.k.Value] = l.value(file, kv.v)
			tm.args[kv.k.Value] = pos(file, kv.k)
		}
	case v.Kind == yaml.ScalarNode && v.Tag == "!!bool":
		if b, _ := parseBool(v.Value); !b {
			l.c.add(pos(file, v), "reboot: false is not allowed: remove the reboot phases, or use tasks:")
			return nil
		}
	default:
		l.c.add(pos(file, v), "reboot must be true or a mapping of the reboot module's arguments, got %s", kindName(v))
		return nil
	}
	if _, m := lookupModule("reboot"); m == nil {
		l.c.add(pos(file, k), "reboot: needs the reboot module, which this build of drover does not have")
	}
	return t
}

// strategy checks a play's strategy: linear (Ansible's default: a batch's
// hosts in lockstep, task by task), free or host_pinned (each host through
// the play on its own).
func (l *loader) strategy(file string, v *yaml.Node) string {
	s, ok := l.str(file, v, "strategy")
	if !ok || s == "" {
		return ""
	}
	st, known := Strategy(s)
	if !known {
		l.c.add(pos(file, v), "invalid strategy '%s'%s (drover accepts %s)", s, didYouMean(s, Strategies), strings.Join(Strategies, ", "))
		return ""
	}
	return st
}
