package modules

// ArgType is the type an argument must have after templating.
type ArgType int

const (
	TypeAny ArgType = iota
	TypeString
	TypeBool
	TypeInt
	TypeFloat
	TypeList // a list, or a comma-separated string
	TypeDict
	TypeDuration // seconds as a number, or "10s"/"2m"
	TypePath
	TypeRaw // the free-form argument of command/shell/raw
)

// Arg declares one argument.
type Arg struct {
	Type     ArgType
	Required bool
	Default  any
	Choices  []string
	Aliases  []string
}

// Schema declares a module's arguments. The compiler checks task arguments
// against it: unknown names, required, types and choices, mutually exclusive
// groups, and whether a free form is accepted.
type Schema struct {
	Args              map[string]Arg
	FreeForm          bool       // accepts `module: some free form` (command, shell, raw)
	AnyArgs           bool       // accepts arguments of any name (set_fact)
	MutuallyExclusive [][]string // at most one of each group
	RequiredOneOf     [][]string // at least one of each group
	// Unsupported names Ansible arguments that drover refuses, with a reason.
	Unsupported map[string]string
	// Local is true for modules that run on the controller only (debug,
	// set_fact, assert, fail, pause, meta).
	Local bool
	// BypassHostLoop: the module runs once for the batch, its result
	// every host's (Ansible's BYPASS_HOST_LOOP: pause, add_host), as if
	// the task said run_once.
	BypassHostLoop bool
}
