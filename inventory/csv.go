package inventory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// CSV affected-host lists: a header row, one host a row. The host's name is
// the first of the columns host, instance_id, address, private_ip found in
// the header; when the name is not an address column, ansible_host comes
// from address or private_ip. Other columns become string host variables; a
// column named groups (or group) lists groups separated by ';', ',' or
// spaces. Every host also lands in "ungrouped" unless a group is given.

var csvNameCols = []string{"host", "instance_id", "address", "private_ip"}

// sniffCSV reports whether src looks like a CSV host list: its first
// non-blank, non-comment line has a comma and names a host column.
func sniffCSV(src []byte) bool {
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if !strings.Contains(line, ",") {
			return false
		}
		for _, c := range strings.Split(line, ",") {
			c = strings.ToLower(strings.Trim(strings.TrimSpace(c), `"`))
			for _, n := range csvNameCols {
				if c == n {
					return true
				}
			}
		}
		return false
	}
	return false
}

func parseCSV(d *data, file string, src []byte) error {
	r := csv.NewReader(bytes.NewReader(src))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return csvErr(file, err)
	}
	hline, _ := r.FieldPos(0)
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	nameCol := -1
	for _, n := range csvNameCols {
		if i, ok := col[n]; ok {
			nameCol = i
			break
		}
	}
	if nameCol < 0 {
		return perr(file, hline, "CSV header needs a column named host, instance_id, address or private_ip")
	}
	addrCol := -1
	if header[nameCol] == "host" || header[nameCol] == "instance_id" {
		for _, n := range []string{"address", "private_ip"} {
			if i, ok := col[n]; ok {
				addrCol = i
				break
			}
		}
	}
	groupsCol := -1
	for _, n := range []string{"groups", "group"} {
		if i, ok := col[n]; ok {
			groupsCol = i
			break
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvErr(file, err)
		}
		line, _ := r.FieldPos(0)
		at := pos{file, line}
		if len(rec) != len(header) {
			return perr(file, line, "row has %d fields, header has %d", len(rec), len(header))
		}
		name := strings.TrimSpace(rec[nameCol])
		if name == "" {
			return perr(file, line, "empty %s", header[nameCol])
		}
		var groups []string
		if groupsCol >= 0 {
			groups = strings.FieldsFunc(rec[groupsCol], func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '|' })
		}
		if len(groups) == 0 {
			groups = []string{"ungrouped"}
		}
		var h *hostEntry
		for _, g := range groups {
			d.addGroup(g)
			if h, err = d.addHost(name, g, 0, at); err != nil {
				return err
			}
		}
		for i, v := range rec {
			if i == nameCol || i == groupsCol || header[i] == "" {
				continue
			}
			if err := d.setHostVar(h, header[i], strings.TrimSpace(v), at); err != nil {
				return err
			}
		}
		if addrCol >= 0 {
			if _, explicit := col["ansible_host"]; !explicit && strings.TrimSpace(rec[addrCol]) != "" {
				if err := d.setHostVar(h, "ansible_host", strings.TrimSpace(rec[addrCol]), at); err != nil {
					return err
				}
			}
		}
	}
}

func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return perr(file, pe.Line, "%v", pe.Err)
	}
	if err == io.EOF {
		return perr(file, 0, "empty CSV file")
	}
	return perr(file, 0, "%v", err)
}
