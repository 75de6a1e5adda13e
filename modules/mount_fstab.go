package modules

import (
	"fmt"
	"strings"
)

// fstab editing of the mount module (ansible.posix mount.py).

// mountEscape is _escape_fstab.
func mountEscape(v string) string {
	return strings.NewReplacer(`\`, `\134`, " ", `\040`, "&", `\046`).Replace(v)
}

// mountArgs is the module's args dict (Linux).
type mountArgs struct {
	name, src, fstype, opts, dump, passno, fstab, boot string
	hasSrc, hasFstype                                  bool
}

func (a *mountArgs) line(src, name, fstype, opts, dump, passno string) string {
	return fmt.Sprintf("%s %s %s %s %s %s\n", src, name, fstype, opts, dump, passno)
}

// mountSet is _set_mount_save_old: the new fstab lines, the old ones (each
// ending in a newline) and changed.
func mountSet(a *mountArgs, content string) (toWrite, oldLines []string, changed bool) {
	e := map[string]string{"src": mountEscape(a.src), "name": mountEscape(a.name), "fstype": mountEscape(a.fstype),
		"opts": mountEscape(a.opts), "dump": mountEscape(a.dump), "passno": mountEscape(a.passno)}
	exists := false
	for _, line := range pyLines(content) {
		if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		oldLines = append(oldLines, line)
		t := strings.TrimFunc(line, isPySpace)
		if t == "" || strings.HasPrefix(t, "#") {
			toWrite = append(toWrite, line)
			continue
		}
		before, _, _ := strings.Cut(line, "#")
		fields := pyFields(before)
		if len(fields) < 4 || len(fields) > 6 {
			toWrite = append(toWrite, line)
			continue
		}
		labels := []string{"src", "name", "fstype", "opts", "dump", "passno"}
		// dump and passno default to the int 0, which never equals a
		// string: a 4- or 5-field entry is always rewritten.
		ld := map[string]string{"dump": "\x00int0", "passno": "\x00int0"}
		for i, f := range fields {
			ld[labels[i]] = f
		}
		if ld["name"] != e["name"] || (a.hasSrc && ld["name"] == "none" && ld["fstype"] == "swap" && ld["src"] != a.src) {
			toWrite = append(toWrite, line)
			continue
		}
		exists = true
		for _, k := range []string{"src", "fstype", "opts", "dump", "passno"} {
			if ld[k] != e[k] {
				ld[k] = e[k]
				changed = true
			}
		}
		if changed {
			toWrite = append(toWrite, a.line(ld["src"], ld["name"], ld["fstype"], ld["opts"], ld["dump"], ld["passno"]))
		} else {
			toWrite = append(toWrite, line)
		}
	}
	if !exists {
		toWrite = append(toWrite, a.line(e["src"], e["name"], e["fstype"], e["opts"], e["dump"], e["passno"]))
		changed = true
	}
	return toWrite, oldLines, changed
}

// mountUnset is unset_mount: only 6-field entries are matched.
func mountUnset(a *mountArgs, content string) (toWrite []string, changed bool) {
	name := mountEscape(a.name)
	for _, line := range pyLines(content) {
		t := strings.TrimFunc(line, isPySpace)
		if t == "" || strings.HasPrefix(t, "#") {
			toWrite = append(toWrite, line)
			continue
		}
		f := pyFields(line)
		if len(f) != 6 {
			toWrite = append(toWrite, line)
			continue
		}
		if f[1] != name || (a.hasSrc && f[1] == "none" && f[2] == "swap" && f[0] != a.src) {
			toWrite = append(toWrite, line)
			continue
		}
		changed = true
	}
	return toWrite, changed
}
