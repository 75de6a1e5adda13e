package fleet

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// marker is the environment entry every process of host name carries; the
// fleet finds the processes that left their process group by it.
func (f *Fleet) marker(name string) string {
	return "DROVER_FLEET_ID=" + f.token + "/" + name
}

// reap kills every process whose environment has an entry equal to entry,
// or starting with it when entry ends in "/" (the whole fleet). It repeats
// until a pass finds nothing, so that children forked meanwhile die too.
func (f *Fleet) reap(entry string) {
	f.reapMu.Lock()
	defer f.reapMu.Unlock()
	want := []byte(entry)
	prefix := len(want) > 0 && want[len(want)-1] == '/'
	self := os.Getpid()
	for pass := 0; pass < 5; pass++ {
		dir, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		found := 0
		for _, e := range dir {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == self {
				continue
			}
			env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
			if err != nil {
				continue
			}
			for _, kv := range bytes.Split(env, []byte{0}) {
				if bytes.Equal(kv, want) || (prefix && bytes.HasPrefix(kv, want)) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
					found++
					break
				}
			}
		}
		if found == 0 {
			return
		}
	}
}
