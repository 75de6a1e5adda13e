package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/drover-sh/drover/runner"
)

// jsonSink writes newline-delimited JSON events (docs/events.md).
type jsonSink struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func newJSONSink(w io.Writer) *jsonSink { return &jsonSink{w: bufio.NewWriter(w)} }

func (s *jsonSink) Event(e *runner.Event) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Write(append(b, '\n'))
	s.w.Flush()
}

// junitSink collects a JUnit report: a test suite per play, a test case per
// host, failed or errored hosts with their message.
type junitSink struct {
	mu     sync.Mutex
	suites []*junitSuite
	byPlay map[int]*junitSuite
	detail map[string]string // play/host -> the last failed task, in full
}

type junitSuite struct {
	XMLName  xml.Name     `xml:"testsuite"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     float64      `xml:"time,attr"`
	Cases    []*junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func newJUnitSink() *junitSink {
	return &junitSink{byPlay: map[int]*junitSuite{}, detail: map[string]string{}}
}

func (s *junitSink) Event(e *runner.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := fmt.Sprintf("%d/%s", e.PlayIdx, e.Host)
	if e.Type == runner.EvTaskResult && (e.Status == runner.StatusFailed || e.Status == runner.StatusUnreachable) && !strings.HasSuffix(e.Msg, "(ignored)") {
		d := fmt.Sprintf("task %q (%s) %s", e.Task, e.Pos, e.Status)
		if e.RC != nil {
			d += fmt.Sprintf(", rc=%d", *e.RC)
		}
		if e.Msg != "" {
			d += "\nmsg: " + e.Msg
		}
		if se, _ := e.Result["stderr"].(string); se != "" {
			d += "\nstderr:\n" + tail(se, 20)
		}
		s.detail[key] = d
		return
	}
	if e.Type != runner.EvHostDone && e.Type != runner.EvPlayStarted {
		return
	}
	su := s.byPlay[e.PlayIdx]
	if su == nil {
		su = &junitSuite{Name: e.Play}
		s.byPlay[e.PlayIdx] = su
		s.suites = append(s.suites, su)
	}
	if e.Type != runner.EvHostDone {
		return
	}
	c := &junitCase{Name: e.Host, Classname: e.Play, Time: e.Duration}
	if e.Stats != nil && e.Stats.Rebooted {
		c.SystemOut = fmt.Sprintf("rebooted, downtime %.1fs", e.Stats.Downtime)
	}
	text := e.Msg
	if d := s.detail[key]; d != "" {
		text = d
	}
	switch e.Status {
	case runner.StatusFailed:
		c.Failure = &junitMessage{Message: e.Msg, Text: text}
		su.Failures++
	case runner.StatusUnreachable:
		c.Error = &junitMessage{Message: "unreachable: " + e.Msg, Text: text}
		su.Errors++
	case runner.StatusStopped:
		c.Skipped = &junitMessage{Message: e.Msg}
		su.Skipped++
	}
	su.Tests++
	su.Time += e.Duration
	su.Cases = append(su.Cases, c)
}

func (s *junitSink) write(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	type suites struct {
		XMLName  xml.Name      `xml:"testsuites"`
		Name     string        `xml:"name,attr"`
		Tests    int           `xml:"tests,attr"`
		Failures int           `xml:"failures,attr"`
		Errors   int           `xml:"errors,attr"`
		Skipped  int           `xml:"skipped,attr"`
		Time     float64       `xml:"time,attr"`
		Suites   []*junitSuite `xml:"testsuite"`
	}
	all := suites{Name: "drover", Suites: s.suites}
	for _, su := range s.suites {
		sort.Slice(su.Cases, func(i, j int) bool { return su.Cases[i].Name < su.Cases[j].Name })
		all.Tests += su.Tests
		all.Failures += su.Failures
		all.Errors += su.Errors
		all.Skipped += su.Skipped
		all.Time += su.Time
	}
	b, err := xml.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}

// ttyPrompter asks yes/no questions on the terminal.
type ttyPrompter struct {
	mu  sync.Mutex
	in  io.Reader
	out io.Writer
	// before, when set, runs before a question is printed (the live view
	// gives up the screen).
	before func()
}

// Confirm asks q and waits for an answer (or ctx's end).
func (p *ttyPrompter) Confirm(ctx context.Context, q string) (bool, error) {
	type answer struct {
		ok  bool
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		ok, err := p.ask(q)
		ch <- answer{ok, err}
	}()
	select {
	case a := <-ch:
		return a.ok, a.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (p *ttyPrompter) ask(q string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.before != nil {
		p.before()
	}
	fmt.Fprintf(p.out, "%s [y/N] ", q)
	line, err := bufio.NewReader(p.in).ReadString('\n')
	if err != nil {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
