package inventory

import (
	"bufio"
	"bytes"
	"regexp"
	"strings"
)

var (
	reINISection   = regexp.MustCompile(`^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$`)
	reINIGroupName = regexp.MustCompile(`^([^:\]\s]+)\s*(?:#.*)?$`)
)

type pendingDecl struct {
	line    int
	state   string
	parents []string
}

// parseINI reads an Ansible INI inventory (or a plain host list, which is a
// subset of it) into d, as Ansible's ini plugin does.
func parseINI(d *data, file string, src []byte) error {
	pending := map[string]*pendingDecl{}
	var pendingOrder []string
	groupname, state := "ungrouped", "hosts"
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	lineno := 0
	for sc.Scan() {
		lineno++
		line := strings.TrimSpace(sc.Text())
		if lineno == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		at := pos{file, lineno}
		if m := reINISection.FindStringSubmatch(line); m != nil {
			groupname, state = m[1], m[2]
			if state == "" {
				state = "hosts"
			}
			if state != "hosts" && state != "children" && state != "vars" {
				return perr(file, lineno, "Section [%s:%s] has unknown type: %s", m[1], m[2], state)
			}
			if _, ok := d.groups[groupname]; !ok {
				if _, p := pending[groupname]; state == "vars" && !p {
					pending[groupname] = &pendingDecl{line: lineno, state: state}
					pendingOrder = append(pendingOrder, groupname)
				}
				d.addGroup(groupname)
			}
			if p, ok := pending[groupname]; ok && state != "vars" {
				if p.state == "children" {
					if err := addPendingChildren(d, groupname, pending, at); err != nil {
						return err
					}
				} else {
					delete(pending, groupname)
				}
			}
			continue
		} else if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			return perr(file, lineno, "Invalid section entry: '%s'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters", line)
		}
		switch state {
		case "hosts":
			if err := parseINIHost(d, groupname, line, at); err != nil {
				return err
			}
		case "vars":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return perr(file, lineno, "Expected key=value, got: %s", line)
			}
			if err := d.setGroupVar(d.groups[groupname], strings.TrimSpace(k), parseINIValue(strings.TrimSpace(v)), at); err != nil {
				return err
			}
		case "children":
			m := reINIGroupName.FindStringSubmatch(line)
			if m == nil {
				return perr(file, lineno, "Expected group name, got: %s", line)
			}
			child := m[1]
			if _, ok := d.groups[child]; !ok {
				if p, ok := pending[child]; ok {
					p.parents = append(p.parents, groupname)
				} else {
					pending[child] = &pendingDecl{line: lineno, state: "children", parents: []string{groupname}}
					pendingOrder = append(pendingOrder, child)
				}
			} else if err := d.addChild(groupname, child); err != nil {
				return perr(file, lineno, "%v", err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return perr(file, lineno+1, "%v", err)
	}
	for _, g := range pendingOrder {
		p, ok := pending[g]
		if !ok {
			continue
		}
		if p.state == "vars" {
			return perr(file, p.line, "Section [%s:vars] not valid for undefined group: %s", g, g)
		}
		return perr(file, p.line, "Section [%s:children] includes undefined group: %s", p.parents[len(p.parents)-1], g)
	}
	return nil
}

func addPendingChildren(d *data, g string, pending map[string]*pendingDecl, at pos) error {
	for _, parent := range pending[g].parents {
		if err := d.addChild(parent, g); err != nil {
			return perr(at.file, at.line, "%v", err)
		}
		if p, ok := pending[parent]; ok && p.state == "children" {
			if err := addPendingChildren(d, parent, pending, at); err != nil {
				return err
			}
		}
	}
	delete(pending, g)
	return nil
}

// parseINIHost handles "host[01:03]:port key=value ..." in a hosts section.
func parseINIHost(d *data, groupname, line string, at pos) error {
	tokens, err := shlexSplit(line)
	if err != nil {
		return perr(at.file, at.line, "Error parsing host definition '%s': %v", line, err)
	}
	if len(tokens) == 0 {
		return nil
	}
	names, port, err := expandHostPattern(tokens[0])
	if err != nil {
		return perr(at.file, at.line, "%v", err)
	}
	if strings.HasSuffix(strings.TrimSpace(tokens[0]), ":") && port == 0 {
		return perr(at.file, at.line, "Invalid host pattern '%s' supplied, ending in ':' is not allowed, this character is reserved to provide a port.", tokens[0])
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "---" {
			return perr(at.file, at.line, "Invalid host pattern '%s' supplied, '---' is normally a sign this is a YAML file.", tokens[0])
		}
	}
	type kv struct {
		k string
		v any
	}
	var vars []kv
	for _, t := range tokens[1:] {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return perr(at.file, at.line, "Expected key=value host variable assignment, got: %s", t)
		}
		vars = append(vars, kv{k, parseINIValue(v)})
	}
	for _, n := range names {
		h, err := d.addHost(n, groupname, port, at)
		if err != nil {
			return err
		}
		for _, x := range vars {
			if err := d.setHostVar(h, x.k, x.v, at); err != nil {
				return err
			}
		}
	}
	return nil
}
