package playbooks

import (
	"fmt"
	"strings"
	"time"
)

// Pos is a position in a source file (1-based line and column).
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Playbook is a parsed playbook file, imports resolved.
type Playbook struct {
	File  string
	Plays []*Play
}

// Serial is one entry of a play's serial: a count or a percentage.
type Serial struct {
	Count   int     // used when Percent == 0
	Percent float64 // 0 < Percent <= 100 when given as "N%"
}

// Budget is drover's disruption_budget.
type Budget struct {
	Pos            Pos
	Per            string  // inventory variable name, or a group name prefix
	MaxUnavailable int     // when Percent == 0
	Percent        float64 // "N%" of each group, rounded down, at least 1
}

// AdaptiveSerial is drover's adaptive_serial: batches that start small,
// grow while batches succeed and shrink after a batch with failures.
type AdaptiveSerial struct {
	Pos   Pos
	Start Serial  // the first batch (default 1 host)
	Max   Serial  // the largest batch
	Grow  float64 // the next batch after one without failures: × Grow, rounded up (default 2)
}

// EnvironmentTemplate is the key under which an environment written as a
// template (`environment: "{{ proxy_env }}"`) is kept in a Play's, block's
// or Task's Environment: the runner renders it to the mapping.
const EnvironmentTemplate = "\x00template"

// Play is one play. The three task lists pre_tasks, tasks and post_tasks (or
// pre_reboot / reboot / post_reboot) are kept as written; Compile turns a play
// into a Program.
type Play struct {
	Pos    Pos
	Name   string
	Hosts  string // host pattern, as written (a list is joined with ",")
	Serial []Serial
	// SerialExpr is serial written as a template, rendered when the play
	// starts with the play's vars, vars_files and extra vars (Serial is
	// then empty).
	SerialExpr        string
	MaxFailPercentage *float64
	AnyErrorsFatal    bool
	// AnyErrorsFatalExpr is any_errors_fatal written as a template,
	// rendered when the play starts (as SerialExpr).
	AnyErrorsFatalExpr string
	Order              string // inventory (default), reverse_inventory, sorted, reverse_sorted, shuffle
	// BatchGroups (beyond Ansible): inventory groups rolled one after the
	// other, in this order; a batch never mixes them (see runner's roll).
	BatchGroups    []string
	BatchGroupsPos Pos
	// Strategy is the play's strategy as written: "" (the runner's
	// default), free, host_pinned or linear (a batch's hosts in lockstep).
	Strategy               string
	GatherFacts            bool
	Become                 *bool
	BecomeExpr             string // become as a template (Become is nil then)
	BecomeUser             string
	BecomeMethod           string
	RemoteUser             string
	Port                   int // the SSH port of hosts without ansible_port (0: unset)
	Vars                   map[string]any
	VarsFiles              []string
	Environment            map[string]any
	Tags                   []string
	PreTasks               []*Task
	Tasks                  []*Task
	PostTasks              []*Task
	Handlers               []*Task
	Throttle               int
	ContinueOnBatchFailure bool
	ForceHandlers          bool // run a failed host's notified handlers
	// GatherTimeout bounds fact gathering (0: the runner's default).
	GatherTimeout time.Duration
	// GatherSubset is the play's gather_subset, as written ("!hardware",
	// "network", ...); nil: all.
	GatherSubset []string
	// FactPath is the play's fact_path: where local facts are read
	// ("": /etc/ansible/facts.d).
	FactPath string
	// Task keywords a play may set for all its tasks (as Ansible's play
	// keywords): a task or block inherits them (see Scope).
	CheckMode         *bool
	IgnoreErrors      bool
	IgnoreUnreachable bool
	NoLog             bool
	NoLogExpr         string // no_log as a template, rendered per host
	RunOnce           bool
	Timeout           time.Duration
	ModuleDefaults    ModuleDefaults

	// drover's reboot phases. When Reboot is set, Tasks is empty and the
	// compiler places a reboot task between PreReboot and PostReboot.
	PreReboot  []*Task
	Reboot     *Task
	PostReboot []*Task

	// drover's rolling extensions.
	DisruptionBudget       *Budget
	AdaptiveSerial         *AdaptiveSerial
	HealthGate             []*Task
	PauseBetweenBatches    time.Duration
	ConfirmAfterFirstBatch bool
}

// Task is one task, or a block (Block non-nil).
type Task struct {
	Pos    Pos
	Name   string
	Module string         // canonical short name ("command", "reboot", ...); "" for a block
	Args   map[string]any // arguments as written (strings may hold templates); free form under "_raw_params"

	When     []string // bare expressions, all must hold
	Register string
	// BecomeMethod is sudo or su; "" inherits the block's or play's.
	BecomeMethod string
	Loop         any // a list, or a template string that yields one; nil when absent
	// LoopWith is the with_* lookup that Loop came from ("items", "dict",
	// "nested", ...; see LoopLookups), "" for loop. The runner turns the
	// rendered value into items as that lookup does.
	LoopWith     string
	LoopVar      string
	LoopIndexVar string // loop_control.index_var
	LoopLabel    string
	LoopPause    time.Duration // loop_control.pause
	Until        string
	Retries      int
	Delay        time.Duration
	DelaySet     bool // delay given (0 is no delay; unset is Ansible's 5 s)
	// RetriesExpr and DelayExpr are retries and delay written as templates
	// ("{{ n | default(50) }}"), rendered per host when the task runs.
	RetriesExpr string
	DelayExpr   string
	FailedWhen  []string
	ChangedWhen []string
	// ChangedWhenSet/FailedWhenSet tell "changed_when: false" (an expression
	// list of ["false"]) from absent.
	IgnoreErrors      bool
	IgnoreUnreachable bool
	Notify            []string
	Listen            []string // handlers only
	Become            *bool
	BecomeExpr        string // become as a template, decided per host (Become is nil then)
	BecomeUser        string
	Tags              []string
	NoLog             bool
	NoLogExpr         string // no_log as a template, rendered per host
	DelegateTo        string // "", "localhost", an inventory host or a template naming one
	DelegateFacts     bool   // facts the task gathers or sets go to the delegate, not the host
	RunOnce           bool
	Environment       map[string]any
	Timeout           time.Duration
	Vars              map[string]any
	CheckMode         *bool
	Throttle          int
	ModuleDefaults    ModuleDefaults // module_defaults on the task or block
	AnyErrorsFatal    bool           // a failure here stops the roll (as the play's)
	Async             time.Duration
	Poll              *int

	Block  []*Task
	Rescue []*Task
	Always []*Task
	// Include is "include_tasks: FILE" for the block an include became
	// (its name when it has none).
	Include string
	// Role is the name of the role the task belongs to ("" outside
	// roles), shown before its name as Ansible shows it.
	Role string
}

// DynamicInclude reports whether t is the block an include_tasks or
// include_role became. As in Ansible, its when and tags are the include's
// own, decided once when a host reaches it (for a looped include: once
// per item), not inherited by the included tasks; its vars are theirs.
func (t *Task) DynamicInclude() bool {
	return strings.HasPrefix(t.Include, "include_tasks:") || strings.HasPrefix(t.Include, "include_role:")
}

// DisplayName is the task's name, or "module" when it has none, as Ansible
// prints it: "ROLE : name" for a task of a role.
func (t *Task) DisplayName() string {
	name := "block"
	switch {
	case t.Name != "":
		name = t.Name
	case t.Module != "":
		name = t.Module
	case t.Include != "":
		name = t.Include
	}
	if t.Role != "" {
		return t.Role + " : " + name
	}
	return name
}

// setRole marks tasks (and the tasks of their blocks) as the role's,
// leaving those of a role inside it as they are.
func setRole(tasks []*Task, role string) {
	for _, t := range tasks {
		if t.Role != "" {
			continue
		}
		t.Role = role
		setRole(t.Block, role)
		setRole(t.Rescue, role)
		setRole(t.Always, role)
	}
}
