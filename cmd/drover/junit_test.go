package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-sh/drover/runner"
	"github.com/drover-sh/drover/runner/fleet"
)

type jCase struct {
	Name    string `xml:"name,attr"`
	Failure *struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
	Skipped   *struct{} `xml:"skipped"`
	SystemOut string    `xml:"system-out"`
}

type jSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Skipped  int     `xml:"skipped,attr"`
	Cases    []jCase `xml:"testcase"`
}

type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []jSuite `xml:"testsuite"`
}

// TestJUnitReport runs two plays over a fleet where host02 fails and
// host03 is down, and checks the XML is well formed and counts right.
func TestJUnitReport(t *testing.T) {
	f := startFleet(t, 4, map[string]fleet.Fault{"host03": {Down: true}})
	second := "- name: second play\n  hosts: all\n  tasks:\n    - name: hello\n      command: echo hello\n"
	play := f.file(t, "p.yml", rebootPlay("4", "host02")+second)
	junit := filepath.Join(f.dir, "report.xml")
	events := filepath.Join(f.dir, "events.jsonl")
	r := drover(t, nil, f.runArgs(play, "--junit", junit, "--events", events)...)
	if r.code != exitFailed && r.code != exitUnreachable {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	// Well formed: every token decodes.
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("malformed XML: %v\n%s", err, b)
		}
	}
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		t.Errorf("no XML declaration")
	}
	var rep jSuites
	if err := xml.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Suites) != 2 || rep.Suites[0].Name != "rolling reboot" || rep.Suites[1].Name != "second play" {
		t.Fatalf("want a suite per play, got %+v", rep.Suites)
	}
	first := rep.Suites[0]
	if first.Tests != 4 || first.Failures != 1 || first.Errors != 1 || first.Skipped != 0 || len(first.Cases) != 4 {
		t.Fatalf("first play: tests=%d failures=%d errors=%d skipped=%d cases=%d, want 4/1/1/0/4\n%s", first.Tests, first.Failures, first.Errors, first.Skipped, len(first.Cases), b)
	}
	byName := map[string]jCase{}
	for _, c := range first.Cases {
		byName[c.Name] = c
	}
	if c := byName["host02"]; c.Failure == nil || !strings.Contains(c.Failure.Text, "precheck") || !strings.Contains(c.Failure.Text, "rc=7") || !strings.Contains(c.Failure.Text, "precheck failed on host02") {
		t.Errorf("host02's failure lacks task, rc or stderr: %+v", c.Failure)
	}
	if c := byName["host03"]; c.Error == nil {
		t.Errorf("host03 (down) is not an error: %+v", c)
	}
	if c := byName["host01"]; c.Failure != nil || c.Error != nil || !strings.Contains(c.SystemOut, "rebooted") {
		t.Errorf("host01 should pass with a reboot note: %+v", c)
	}
	// Every suite's counts agree with the host_done events of its play.
	evs := readEvents(t, events)
	totalTests, totalFail, totalErr := 0, 0, 0
	for i, su := range rep.Suites {
		tests, fails, errs := 0, 0, 0
		for _, e := range eventsOf(evs, runner.EvHostDone) {
			if int(e["play_index"].(float64)) != i {
				continue
			}
			tests++
			switch e["status"] {
			case runner.StatusFailed:
				fails++
			case runner.StatusUnreachable:
				errs++
			}
		}
		if su.Tests != tests || su.Failures != fails || su.Errors != errs || len(su.Cases) != tests {
			t.Errorf("suite %q: %d/%d/%d (cases %d), events say %d/%d/%d", su.Name, su.Tests, su.Failures, su.Errors, len(su.Cases), tests, fails, errs)
		}
		totalTests += tests
		totalFail += fails
		totalErr += errs
	}
	if rep.Tests != totalTests || rep.Failures != totalFail || rep.Errors != totalErr {
		t.Errorf("testsuites totals %d/%d/%d, want %d/%d/%d", rep.Tests, rep.Failures, rep.Errors, totalTests, totalFail, totalErr)
	}
}
