package modules

import "context"

// controllerModule declares a module that the executor runs on the
// controller itself (it reads or writes the host's variables or the play's
// flow): debug, set_fact, assert, fail, pause, meta, group_by,
// include_vars, validate_argument_spec. It is
// registered so that the compiler knows its arguments; the runner never
// calls its Run.
type controllerModule struct {
	name   string
	schema Schema
}

func (m controllerModule) Name() string   { return m.name }
func (m controllerModule) Schema() Schema { return m.schema }

func (m controllerModule) Run(context.Context, *Env, map[string]any) Result {
	return Fail(m.name + " runs in the executor, not on a host")
}

func init() {
	for _, m := range []controllerModule{
		{"debug", Schema{Local: true, Args: map[string]Arg{"msg": {}, "var": {Type: TypeString}, "verbosity": {Type: TypeInt}},
			MutuallyExclusive: [][]string{{"msg", "var"}}}},
		{"set_fact", Schema{Local: true, FreeForm: true, AnyArgs: true, Args: map[string]Arg{"cacheable": {Type: TypeBool}}}},
		{"assert", Schema{Local: true, Args: map[string]Arg{"that": {Required: true}, "fail_msg": {}, "msg": {}, "success_msg": {}, "quiet": {Type: TypeBool}}}},
		{"fail", Schema{Local: true, Args: map[string]Arg{"msg": {}}}},
		{"pause", Schema{Local: true, BypassHostLoop: true, Args: map[string]Arg{"seconds": {Type: TypeInt}, "minutes": {Type: TypeInt}, "prompt": {Type: TypeString}, "echo": {Type: TypeBool}},
			MutuallyExclusive: [][]string{{"seconds", "minutes"}}}},
		{"meta", Schema{Local: true, FreeForm: true, Args: map[string]Arg{"_raw_params": {Type: TypeRaw,
			Choices: []string{"flush_handlers", "end_host", "end_batch", "end_play", "noop", "clear_facts", "refresh_inventory", "reset_connection"}}}}},
		{"set_stats", Schema{Local: true, Args: map[string]Arg{"data": {Required: true}, "per_host": {Type: TypeBool}, "aggregate": {Type: TypeBool}}}},
		{"add_host", Schema{Local: true, AnyArgs: true, BypassHostLoop: true, Args: map[string]Arg{"name": {Type: TypeString, Required: true, Aliases: []string{"host", "hostname"}},
			"groups": {Type: TypeList, Aliases: []string{"group", "groupname"}}}}},
		{"group_by", Schema{Local: true, Args: map[string]Arg{"key": {Type: TypeString, Required: true}, "parents": {Type: TypeList}}}},
		{"validate_argument_spec", Schema{Local: true, Args: map[string]Arg{"argument_spec": {Type: TypeDict, Required: true}, "provided_arguments": {Type: TypeDict},
			"validate_args_context": {Type: TypeDict}, "_argument_spec_order": {Type: TypeDict}}}},
		{"include_vars", Schema{Local: true, FreeForm: true, Args: map[string]Arg{"_raw_params": {Type: TypeRaw}, "file": {Type: TypePath}, "name": {Type: TypeString}}}},
	} {
		Register(m, "ansible.builtin."+m.name, "ansible.legacy."+m.name)
	}
	// setup (and gather_facts) gathers the play's fact set again as a task,
	// on the host; the runner does it as for gather_facts: true.
	setup := controllerModule{"setup", Schema{Args: map[string]Arg{"gather_subset": {}, "gather_timeout": {Type: TypeInt},
		"filter": {Type: TypeList}, "fact_path": {Type: TypePath}}}}
	Register(setup, "ansible.builtin.setup", "ansible.legacy.setup", "gather_facts", "ansible.builtin.gather_facts", "ansible.legacy.gather_facts")
}
