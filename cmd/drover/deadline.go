package main

import (
	"fmt"
	"time"

	"github.com/drover-sh/drover/runner"
)

// resolveDeadline reads --deadline: RFC 3339, HH:MM, or "events" — the
// earliest not_before of the scheduled events the run's hosts carry (the
// aws_ec2 inventory plugin's include_extra_api_calls), the provider's own
// deadline. why says where an "events" deadline came from.
func resolveDeadline(s string, now time.Time, hosts [][]*runner.Host) (t time.Time, why string, err error) {
	if s != "events" {
		t, err = parseDeadline(s, now)
		return t, "", err
	}
	var from string
	for _, play := range hosts {
		for _, h := range play {
			evs, _ := h.Vars["events"].([]any)
			for _, e := range evs {
				m, _ := e.(map[string]any)
				nb, _ := m["not_before"].(string)
				at, perr := time.Parse(time.RFC3339, nb)
				if perr != nil {
					continue
				}
				if t.IsZero() || at.Before(t) {
					t, from = at, fmt.Sprintf("%s's %v", h.Name, m["code"])
				}
			}
		}
	}
	if t.IsZero() {
		return t, "", fmt.Errorf("events: no host of the run has a scheduled event with a not_before (the aws_ec2 inventory plugin gives them with include_extra_api_calls: true)")
	}
	return t, "the earliest scheduled event: " + from, nil
}
