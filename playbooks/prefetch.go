package playbooks

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// prefetch reads and parses, on every CPU, the task files a playbook
// includes by a literal path, while the loader works through the playbook
// in order; parse then takes the parsed tree instead of parsing again.
// Only an optimisation: a file not prefetched is read as before, and the
// loader still reports every error in order.
type prefetch struct {
	mu    sync.Mutex
	files map[string]*prefetched
}

type prefetched struct {
	done chan struct{}
	data []byte
	doc  yaml.Node
	err  error
}

// start scans a parsed playbook for include_tasks / import_tasks with a
// literal file name and parses those files in the background.
func (p *prefetch) start(file string, root *yaml.Node) {
	var paths []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch k.Value {
				case "include_tasks", "import_tasks", "ansible.builtin.include_tasks", "ansible.builtin.import_tasks":
					if v.Kind == yaml.ScalarNode && v.Value != "" && !strings.Contains(v.Value, "{{") {
						path := v.Value
						if !filepath.IsAbs(path) {
							path = filepath.Join(filepath.Dir(file), path)
						}
						paths = append(paths, absPath(path))
					}
				}
				walk(v)
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	if len(paths) < 2 {
		return
	}
	p.mu.Lock()
	if p.files == nil {
		p.files = map[string]*prefetched{}
	}
	var todo []*prefetched
	var todoPaths []string
	for _, path := range paths {
		if _, ok := p.files[path]; !ok {
			f := &prefetched{done: make(chan struct{})}
			p.files[path] = f
			todo = append(todo, f)
			todoPaths = append(todoPaths, path)
		}
	}
	p.mu.Unlock()
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range todo {
		path := todoPaths[i]
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			defer close(f.done)
			if f.data, f.err = os.ReadFile(path); f.err == nil {
				f.err = yaml.Unmarshal(f.data, &f.doc)
			}
		}()
	}
}

// get returns the prefetched tree of path when its content is data.
func (p *prefetch) get(path string, data []byte) (*yaml.Node, bool) {
	p.mu.Lock()
	f := p.files[absPath(path)]
	p.mu.Unlock()
	if f == nil {
		return nil, false
	}
	<-f.done
	if f.err != nil || string(f.data) != string(data) {
		return nil, false
	}
	if len(f.doc.Content) == 0 {
		return nil, true
	}
	return f.doc.Content[0], true
}
