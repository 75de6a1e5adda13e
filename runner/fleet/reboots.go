package fleet

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Reboot is one completed reboot of a host, as recorded in its
// <root>/reboots.log.
type Reboot struct {
	Down      time.Time // when the host went down
	Up        time.Time // when it was back
	OldBootID string
	NewBootID string
}

// appendReboot appends r to the log at path as
// `<unix-nanos-down> <unix-nanos-up> <old-boot-id> <new-boot-id>`.
func appendReboot(path string, r Reboot) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("reboots.log: %w", err)
	}
	_, err = fmt.Fprintf(fh, "%d %d %s %s\n", r.Down.UnixNano(), r.Up.UnixNano(), r.OldBootID, r.NewBootID)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reboots.log: %w", err)
	}
	return nil
}

// readReboots parses a reboots.log; a missing file is no reboot.
func readReboots(path string) ([]Reboot, error) {
	fh, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []Reboot
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			return out, fmt.Errorf("%s:%d: want 4 fields, got %d", path, n, len(fields))
		}
		down, err1 := strconv.ParseInt(fields[0], 10, 64)
		up, err2 := strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil {
			return out, fmt.Errorf("%s:%d: bad timestamps", path, n)
		}
		out = append(out, Reboot{Down: time.Unix(0, down), Up: time.Unix(0, up), OldBootID: fields[2], NewBootID: fields[3]})
	}
	return out, sc.Err()
}

// Reboots reads back the host's completed reboots from its reboots.log
// (nil for an unknown host, no reboot, or an unreadable log).
func (f *Fleet) Reboots(name string) []Reboot {
	h, ok := f.byName[name]
	if !ok {
		return nil
	}
	out, err := readReboots(h.rebootLogPath)
	if err != nil {
		f.logf("fleet: host %s: %v", name, err)
	}
	return out
}
