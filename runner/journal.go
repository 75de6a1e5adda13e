package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Journal is a run's append-only journal: one JSON event a line, made
// durable (fsync) before the event's emitter goes on, so that a crash of the
// controller, even kill -9, loses nothing that was reported. Concurrent
// emitters share fsyncs (group commit).
type Journal struct {
	path string

	mu      sync.Mutex
	f       *os.File
	fd      uintptr // f's descriptor, for fdatasync
	w       *bufio.Writer
	seq     uint64 // events written
	synced  uint64 // events durable
	syncing bool
	cond    *sync.Cond
	err     error
}

// JournalPath is where a run's journal lives under the state directory.
func JournalPath(stateDir, runID string) string {
	return filepath.Join(stateDir, "runs", runID, "journal.jsonl")
}

// OpenJournal opens (creating or appending to) the journal at path.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	sc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	var fd uintptr
	_ = sc.Control(func(d uintptr) { fd = d })
	j := &Journal{path: path, f: f, fd: fd, w: bufio.NewWriterSize(f, 64<<10)}
	j.cond = sync.NewCond(&j.mu)
	return j, nil
}

// Event appends e. Durability is awaited by WaitDurable (Sinks does it).
func (j *Journal) Event(e *Event) {
	if e.Type == EvTaskStarted {
		return // progress only: a result follows
	}
	b, err := json.Marshal(e)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		b, _ = json.Marshal(&Event{V: e.V, Type: e.Type, Time: e.Time, Host: e.Host, Node: e.Node, Status: e.Status, Msg: "unencodable result: " + err.Error()})
	}
	if _, err := j.w.Write(append(b, '\n')); err != nil && j.err == nil {
		j.err = err
	}
	j.seq++
}

// Seq is the number of events written so far.
func (j *Journal) Seq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

// WaitDurable returns once the first seq events are on disk.
func (j *Journal) WaitDurable(seq uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.synced < seq {
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.syncing = true
		target := j.seq
		err := j.w.Flush()
		j.mu.Unlock()
		if err == nil {
			err = j.sync()
		}
		j.mu.Lock()
		if err != nil && j.err == nil {
			j.err = err
		}
		j.synced = target
		j.syncing = false
		j.cond.Broadcast()
	}
}

// sync makes what was written durable: fdatasync, which an append-only
// file needs (data and size, not timestamps), and which costs the kernel
// less than fsync per group commit.
func (j *Journal) sync() error {
	for {
		err := syscall.Fdatasync(int(j.fd))
		if err != syscall.EINTR {
			return err
		}
	}
}

// Err reports the first write error.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close flushes, syncs and closes the journal.
func (j *Journal) Close() error {
	j.WaitDurable(j.Seq())
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.f.Close(); err != nil && j.err == nil {
		j.err = err
	}
	return j.err
}

// ReadJournal reads every event of a journal. A torn last line (a crash
// in the middle of a write) is ignored.
func ReadJournal(path string) ([]*Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			if !sc.Scan() {
				break // torn tail
			}
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, &e)
	}
	return out, sc.Err()
}
