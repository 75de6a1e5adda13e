package playbooks

import (
	"slices"
	"strings"
)

// playKeys are the keys a play may have.
var playKeys = []string{
	"name", "hosts", "serial", "max_fail_percentage", "any_errors_fatal", "order",
	"gather_facts", "become", "become_user", "become_method", "remote_user", "vars",
	"vars_files", "environment", "pre_tasks", "tasks", "post_tasks", "handlers", "tags",
	"roles", "throttle", "continue_on_batch_failure", "pre_reboot", "reboot",
	"post_reboot", "disruption_budget", "adaptive_serial", "health_gate", "pause_between_batches",
	"confirm_after_first_batch", "connection", "strategy", "port", "batch_groups",
	"check_mode", "ignore_errors", "ignore_unreachable", "no_log", "run_once", "timeout",
	"collections", "module_defaults", "force_handlers", "gather_subset", "gather_timeout", "fact_path",
}

// taskKeys are the keywords a task may have besides its module.
var taskKeys = []string{
	"name", "when", "register", "loop", "with_items", "with_list", "with_dict",
	"with_indexed_items", "with_together", "with_nested",
	"with_subelements", "with_sequence", "with_fileglob", "with_first_found", "with_lines",
	"with_file", "with_pipe", "with_env", "loop_control", "until", "retries",
	"delay", "failed_when", "changed_when", "ignore_errors", "ignore_unreachable",
	"notify", "listen", "become", "become_user", "become_method", "tags", "no_log",
	"delegate_to", "delegate_facts", "local_action", "action", "run_once", "environment", "timeout", "vars",
	"check_mode", "throttle", "async", "poll", "args", "block", "rescue", "always", "module_defaults",
	"any_errors_fatal",
	"include_tasks", "import_tasks", "include_role", "import_role",
}

// blockKeys are the keywords a block may have.
var blockKeys = []string{
	"name", "block", "rescue", "always", "when", "become", "become_user", "become_method",
	"tags", "vars", "environment", "ignore_errors", "ignore_unreachable", "no_log",
	"delegate_to", "delegate_facts", "run_once", "check_mode", "throttle", "timeout", "notify", "module_defaults",
	"any_errors_fatal",
}

// supportedBecomeMethods are the privilege escalation methods drover has.
var supportedBecomeMethods = []string{"sudo", "su"}

// Strategies are the strategy values drover accepts. linear runs a
// batch's hosts in lockstep (no host starts a task before every host of
// the batch is done with the one before); free and host_pinned let each
// host go through the play on its own (host_pinned differs from free only
// in Ansible's worker assignment).
var Strategies = []string{"linear", "free", "host_pinned"}

// Strategy returns the strategy s names — one of Strategies, or Mitogen's
// mitogen_linear, mitogen_free, mitogen_host_pinned (the same strategies
// over Mitogen's connection, which drover's persistent shell stands for) —
// and whether it is one drover has.
func Strategy(s string) (string, bool) {
	s = strings.TrimPrefix(s, "mitogen_")
	return s, slices.Contains(Strategies, s)
}

// playOrders are the values of a play's order.
var playOrders = []string{"inventory", "reverse_inventory", "sorted", "reverse_sorted", "shuffle"}

// LoopLookups are the with_* keywords drover has, by lookup name: a task's
// Loop comes from at most one of them or from loop.
var LoopLookups = []string{"items", "list", "dict", "indexed_items", "together", "nested",
	"subelements", "sequence", "fileglob", "first_found", "lines", "file", "pipe", "env"}

// refusedKeys are Ansible keywords outside drover's subset, with what drover
// supports instead.
var refusedKeys = map[string]string{
	"vars_prompt":              "drover never prompts for variables; pass them with -e/--extra-vars",
	"vars_files_prompt":        "drover never prompts for variables; pass them with -e/--extra-vars",
	"connection":               "drover connects over SSH only",
	"port":                     "set ansible_port in the inventory instead",
	"debugger":                 "drover has no task debugger",
	"diff":                     "use drover's --diff flag instead",
	"collections":              "drover has built-in modules only; use fully qualified names or short names",
	"become_flags":             "drover does not support become_flags",
	"become_exe":               "drover does not support become_exe",
	"fact_path":                "fact_path is a play-level key (or the setup module's argument)",
	"gather_subset":            "gather_subset is a play-level key",
	"gather_timeout":           "gather_timeout is a play-level key",
	"force_handlers":           "force_handlers is a play-level key (or --force-handlers)",
	"max_fail_percent":         "the key is max_fail_percentage",
	"user":                     "user is a module (a task of its own) or, on a play, the old name of remote_user",
	"sudo":                     "use become",
	"sudo_user":                "use become_user",
	"include":                  "use include_tasks, import_tasks or import_playbook",
	"with_flattened":           "use loop with the flatten filter",
	"with_random_choice":       "drover does not support with_random_choice",
	"with_inventory_hostnames": "use loop with groups['...']",
	"loop_with":                "use loop",
	"max_fail_percentage":      "max_fail_percentage is a play-level key in drover",
	"serial":                   "serial is a play-level key in drover",
	"remote_user":              "remote_user is a play-level key in drover",
	"order":                    "order is a play-level key in drover",
	"import_playbook":          "import_playbook is only allowed at the top level of a playbook, as a play",
	"hosts":                    "hosts belongs to a play, not to a task (is the indentation right?)",
	"tasks":                    "tasks belongs to a play, not to a task (is the indentation right?)",
}

// playRefused are play-level refusals whose reason differs from the task one.
var playRefused = map[string]string{
	"vars_prompt":      refusedKeys["vars_prompt"],
	"debugger":         refusedKeys["debugger"],
	"diff":             refusedKeys["diff"],
	"sudo":             refusedKeys["sudo"],
	"sudo_user":        refusedKeys["sudo_user"],
	"become_flags":     refusedKeys["become_flags"],
	"become_exe":       refusedKeys["become_exe"],
	"max_fail_percent": refusedKeys["max_fail_percent"],
	"when":             "drover does not support when on a play; use --limit or host patterns",
}

// modulePrefixes are the collection prefixes drover maps to its built-in
// modules.
var modulePrefixes = []string{"ansible.builtin.", "ansible.legacy.", "ansible.posix.", "community.general."}
