package playbooks

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadOptions configure Load.
type LoadOptions struct {
	// VaultPassword decrypts `!vault` values and encrypted vars files. When
	// nil, `!vault` values load as Vaulted and encrypted vars files are not
	// read (their variable names are then unknown to Validate).
	VaultPassword []byte
	// Config is the ansible.cfg to use; nil means LoadConfig of the
	// playbook's directory.
	Config *Config
}

// Load parses the playbook at path strictly, resolving import_playbook,
// include_tasks / import_tasks and roles, and returns it with every error
// found as a *ErrorList. When errors are found the returned Playbook is
// partial (good for Validate to find more errors, not for running); it is
// nil only when the file cannot be read at all.
func Load(path string, opts LoadOptions) (*Playbook, error) {
	src := newSourceCache()
	l := &loader{opts: opts, src: src, c: newCollector(src), meta: newMeta(src)}
	l.baseDir = filepath.Dir(path)
	cfg := opts.Config
	if cfg == nil {
		var err error
		cfg, err = LoadConfig(l.baseDir)
		if err != nil {
			l.c.add(Pos{File: path, Line: 1, Col: 1}, "%v", err)
			cfg = &Config{}
		}
	}
	l.cfg = cfg
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pb := &Playbook{File: path}
	l.stack = []string{absPath(path)}
	pb.Plays = l.playbookFile(path, data)
	l.dirVars()
	setMeta(pb, l.meta)
	if err := l.c.err(); err != nil {
		l.meta.errored = true
		return pb, err
	}
	return pb, nil
}

// loader holds the state of one Load.
type loader struct {
	opts    LoadOptions
	cfg     *Config
	src     *sourceCache
	c       *collector
	meta    *pbMeta
	baseDir string
	stack   []string // absolute paths of the files being loaded, for cycles
	play    *Play    // the play being read (roles add handlers to it)
	// expanded counts the values built, against alias bombs.
	expanded int
	pre      prefetch
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return a
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads YAML text into its document node, reporting syntax errors.
func (l *loader) parse(file string, data []byte) (*yaml.Node, bool) {
	l.src.put(file, data)
	if root, ok := l.pre.get(file, data); ok {
		return root, true
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 1
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		l.c.add(Pos{File: file, Line: line, Col: 1}, "YAML syntax error: %s", msg)
		return nil, false
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	return doc.Content[0], true
}

// readFile reads an included file; a missing file is reported at the
// including position.
func (l *loader) readFile(at Pos, path, what string) ([]byte, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			l.c.add(at, "%s file not found: %s", what, path)
		} else {
			l.c.add(at, "cannot read %s file: %v", what, err)
		}
		return nil, false
	}
	return data, true
}

// enter pushes a file on the include stack; false (with an error at `at`)
// on a cycle.
func (l *loader) enter(at Pos, path string) bool {
	abs := absPath(path)
	for i, f := range l.stack {
		if f == abs {
			chain := make([]string, 0, len(l.stack)-i+1)
			for _, s := range l.stack[i:] {
				chain = append(chain, l.rel(s))
			}
			chain = append(chain, l.rel(abs))
			l.c.add(at, "include cycle: %s", strings.Join(chain, " -> "))
			return false
		}
	}
	l.stack = append(l.stack, abs)
	return true
}

func (l *loader) leave() { l.stack = l.stack[:len(l.stack)-1] }

// rel shows an absolute path relative to the playbook's directory.
func (l *loader) rel(abs string) string {
	base := absPath(l.baseDir)
	if r, err := filepath.Rel(base, abs); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return abs
}

// playbookFile reads a playbook: a list of plays and import_playbook
// entries.
func (l *loader) playbookFile(file string, data []byte) []*Play {
	root, ok := l.parse(file, data)
	if ok {
		l.pre.start(file, root)
	}
	if !ok {
		return nil
	}
	if root == nil {
		l.c.add(Pos{File: file, Line: 1, Col: 1}, "playbook is empty: expected a list of plays")
		return nil
	}
	if root.Kind != yaml.SequenceNode {
		l.c.add(pos(file, root), "a playbook must be a list of plays, got %s", kindName(root))
		return nil
	}
	var plays []*Play
	for _, n := range root.Content {
		n = resolve(n)
		if n.Kind != yaml.MappingNode {
			l.c.add(pos(file, n), "a play must be a mapping, got %s", kindName(n))
			continue
		}
		if imp := findKey(n, "import_playbook", "ansible.builtin.import_playbook", "ansible.legacy.import_playbook"); imp != nil {
			plays = append(plays, l.importPlaybook(file, n, imp)...)
			continue
		}
		if p := l.readPlay(file, n); p != nil {
			plays = append(plays, p)
		}
	}
	return plays
}

// findKey returns the value of the first of keys n has, nil when none.
func findKey(n *yaml.Node, keys ...string) *yaml.Node {
	for _, p := range pairs(n) {
		if slices.Contains(keys, p.k.Value) {
			return p.v
		}
	}
	return nil
}

func (l *loader) importPlaybook(file string, n, imp *yaml.Node) []*Play {
	for _, p := range pairs(n) {
		switch shortActionName(p.k.Value) {
		case "import_playbook", "name":
		default:
			l.c.add(pos(file, p.k), "unknown key '%s' on import_playbook%s (drover supports name and import_playbook here)", p.k.Value, didYouMean(p.k.Value, []string{"name", "import_playbook"}))
		}
	}
	name, ok := l.str(file, imp, "import_playbook")
	if !ok {
		return nil
	}
	at := pos(file, imp)
	if isTemplated(name) {
		l.c.add(at, "import_playbook with a templated file name is not supported: drover resolves imports before running")
		return nil
	}
	path := l.resolveRel(file, name)
	data, ok := l.readFile(at, path, "import_playbook")
	if !ok || !l.enter(at, path) {
		return nil
	}
	defer l.leave()
	return l.playbookFile(path, data)
}

// resolveRel finds name relative to the including file's directory, then
// the playbook's directory.
func (l *loader) resolveRel(from, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	cand := filepath.Join(filepath.Dir(from), name)
	if _, err := os.Stat(cand); err == nil {
		return cand
	}
	alt := filepath.Join(l.baseDir, name)
	if _, err := os.Stat(alt); err == nil {
		return alt
	}
	return cand
}
