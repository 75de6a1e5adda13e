package playbooks

import (
	"runtime"
	"sync"
	"weak"
)

// pbMeta is what Load learns beyond the AST of ast.go and Validate needs:
// positions of keys and arguments, which names vars files and roles define,
// and the source lines for snippets. It is kept in a side table keyed by the
// Playbook (weakly, so it goes away with it).
type pbMeta struct {
	sources *sourceCache
	tasks   map[*Task]*taskMeta
	plays   map[*Play]*playMeta
	// dirVarNames are the names group_vars/ and host_vars/ next to the
	// playbook define; openDirVars is true when one could not be read.
	dirVarNames map[string]bool
	openDirVars bool
	// errored reports that Load found errors, so the AST is partial.
	errored bool
}

// taskMeta is per-task knowledge.
type taskMeta struct {
	keys   map[string]Pos // position of each keyword's value ("when", "register", ...)
	args   map[string]Pos // position of each argument's key
	modPos Pos            // position of the module key
	// candidate marks the block of one file a templated include may
	// render to (it may never run where it stands).
	candidate bool
	freeForm  bool // the module was given a free-form string
	handler   bool
	// broken marks a task whose module or structure could not be read; it
	// is kept only for the names it registers.
	broken bool
}

// playMeta is per-play knowledge.
type playMeta struct {
	keys map[string]Pos
	// varNames are names defined by vars files and roles' defaults/vars.
	varNames map[string]bool
	// openVars is true when some vars file could not be read (templated
	// name, vault without password): undefined-variable checks are then off.
	openVars bool
	// roleHandlers holds the role handler files already added.
	roleHandlers map[string]bool
	// rolesLoaded holds the meta dependencies loaded (role, tasks_from,
	// parameters): each once per play.
	rolesLoaded map[string]bool
	roleVars    map[string]map[string]any // each loaded role's variables (with its dependencies')
}

var (
	metaMu    sync.Mutex
	metaTable = map[weak.Pointer[Playbook]]*pbMeta{}
)

func setMeta(pb *Playbook, m *pbMeta) {
	key := weak.Make(pb)
	metaMu.Lock()
	metaTable[key] = m
	metaMu.Unlock()
	runtime.AddCleanup(pb, func(k weak.Pointer[Playbook]) {
		metaMu.Lock()
		delete(metaTable, k)
		metaMu.Unlock()
	}, key)
}

func getMeta(pb *Playbook) *pbMeta {
	metaMu.Lock()
	m := metaTable[weak.Make(pb)]
	metaMu.Unlock()
	return m
}

func newMeta(src *sourceCache) *pbMeta {
	return &pbMeta{dirVarNames: map[string]bool{}, sources: src, tasks: map[*Task]*taskMeta{}, plays: map[*Play]*playMeta{}}
}

func (m *pbMeta) task(t *Task) *taskMeta {
	tm := m.tasks[t]
	if tm == nil {
		tm = &taskMeta{keys: map[string]Pos{}, args: map[string]Pos{}}
		m.tasks[t] = tm
	}
	return tm
}

func (m *pbMeta) play(p *Play) *playMeta {
	pm := m.plays[p]
	if pm == nil {
		pm = &playMeta{keys: map[string]Pos{}, varNames: map[string]bool{}, roleHandlers: map[string]bool{}, rolesLoaded: map[string]bool{}, roleVars: map[string]map[string]any{}}
		m.plays[p] = pm
	}
	return pm
}
