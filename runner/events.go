package runner

import (
	"sync"
	"time"
)

// Event types, in the order a run emits them. The schema is documented in
// docs/events.md; SchemaVersion changes when a field changes meaning.
const (
	SchemaVersion = 1

	EvRunStarted    = "run_started"
	EvPlayStarted   = "play_started"
	EvBatchStarted  = "batch_started"
	EvHostStarted   = "host_started"
	EvTaskStarted   = "task_started" // not journaled
	EvTaskResult    = "task_result"
	EvRebootStarted = "reboot_started"
	EvHostBack      = "host_back"
	EvHostDone      = "host_done"
	EvGateResult    = "health_gate"
	EvBatchDone     = "batch_done"
	EvPlayDone      = "play_done"
	EvRunDone       = "run_done"
	EvWarning       = "warning"
)

// Host statuses in host_done and the summary.
const (
	StatusOK          = "ok"
	StatusChanged     = "changed"
	StatusFailed      = "failed"
	StatusSkipped     = "skipped"
	StatusUnreachable = "unreachable"
	StatusStopped     = "stopped" // not finished because the roll stopped
)

// Event is one thing that happened in a run. Fields not relevant to a type
// are left empty.
type Event struct {
	V        int            `json:"v"`
	Type     string         `json:"type"`
	Time     time.Time      `json:"time"`
	RunID    string         `json:"run_id,omitempty"`
	Play     string         `json:"play,omitempty"`
	PlayIdx  int            `json:"play_index"`
	Batch    int            `json:"batch,omitempty"`   // 1-based
	Batches  int            `json:"batches,omitempty"` // total in the play
	Host     string         `json:"host,omitempty"`
	Hosts    []string       `json:"hosts,omitempty"`
	Group    string         `json:"group,omitempty"` // batch_started: the batch's batch_groups group
	Task     string         `json:"task,omitempty"`
	Node     int            `json:"node"`
	Pos      string         `json:"pos,omitempty"`
	Status   string         `json:"status,omitempty"`
	RC       *int           `json:"rc,omitempty"`
	Duration float64        `json:"duration,omitempty"` // seconds
	Downtime float64        `json:"downtime,omitempty"` // seconds
	Msg      string         `json:"msg,omitempty"`
	Item     any            `json:"item,omitempty"`
	Result   map[string]any `json:"result,omitempty"`
	Register string         `json:"register,omitempty"`
	Delegate string         `json:"delegate_to,omitempty"` // the host a delegated task ran on
	BootID   string         `json:"boot_id,omitempty"`
	OldBoot  string         `json:"old_boot_id,omitempty"`
	Stats    *Stats         `json:"stats,omitempty"`
	Stopped  string         `json:"stopped,omitempty"` // why the roll stopped
}

// Stats counts a host's task results.
type Stats struct {
	OK          int     `json:"ok"`
	Changed     int     `json:"changed"`
	Failed      int     `json:"failed"`
	Skipped     int     `json:"skipped"`
	Unreachable int     `json:"unreachable"`
	Rescued     int     `json:"rescued"`
	Ignored     int     `json:"ignored"`
	Rebooted    bool    `json:"rebooted"`
	Downtime    float64 `json:"downtime"`
	Duration    float64 `json:"duration"`
}

// Sink receives events. Implementations must be safe for concurrent use;
// Event must not keep e after returning unless it copies it.
type Sink interface {
	Event(e *Event)
}

// Sinks fans events out to several sinks, in order, under one lock so that
// every sink sees the same order.
type Sinks struct {
	mu    sync.Mutex
	sinks []Sink
	// Filter, when set, returns the event every sink receives (a redacted
	// copy); it runs before the fan-out.
	Filter func(*Event) *Event
}

// NewSinks returns a sink that forwards to each non-nil sink.
func NewSinks(s ...Sink) *Sinks {
	out := &Sinks{}
	for _, x := range s {
		if x != nil {
			out.sinks = append(out.sinks, x)
		}
	}
	return out
}

// durable is a sink whose events must reach stable storage before the
// emitter goes on (the journal).
type durable interface {
	Seq() uint64
	WaitDurable(seq uint64)
}

// Event forwards e, then waits until durable sinks have it on disk. The
// wait is outside the lock so that concurrent hosts share one fsync.
func (s *Sinks) Event(e *Event) {
	if e.V == 0 {
		e.V = SchemaVersion
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if s.Filter != nil {
		e = s.Filter(e)
	}
	var waits []func()
	s.mu.Lock()
	for _, x := range s.sinks {
		x.Event(e)
		if d, ok := x.(durable); ok {
			seq := d.Seq()
			waits = append(waits, func() { d.WaitDurable(seq) })
		}
	}
	s.mu.Unlock()
	for _, w := range waits {
		w()
	}
}
