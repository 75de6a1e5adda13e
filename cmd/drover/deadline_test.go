package main

import (
	"strings"
	"testing"
	"time"

	"github.com/drover-sh/drover/runner"
)

// --deadline events takes the earliest not_before of the hosts' scheduled
// events, and refuses when there are none.
func TestResolveDeadlineEvents(t *testing.T) {
	ev := func(code, at string) map[string]any { return map[string]any{"code": code, "not_before": at} }
	hosts := [][]*runner.Host{{
		{Name: "a", Vars: map[string]any{"events": []any{ev("instance-reboot", "2026-12-02T01:00:00+00:00")}}},
		{Name: "b", Vars: map[string]any{"events": ""}},
	}, {
		{Name: "c", Vars: map[string]any{"events": []any{ev("system-reboot", "2026-12-01T03:00:00+00:00"), ev("x", "not a time")}}},
	}}
	got, why, err := resolveDeadline("events", time.Now(), hosts)
	if err != nil || !got.Equal(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)) || why != "the earliest scheduled event: c's system-reboot" {
		t.Errorf("%v %q %v", got, why, err)
	}
	if _, _, err := resolveDeadline("events", time.Now(), hosts[:1][:0]); err == nil || !strings.Contains(err.Error(), "include_extra_api_calls") {
		t.Errorf("no events: %v", err)
	}
	if got, why, err := resolveDeadline("2026-12-05T00:00:00Z", time.Now(), nil); err != nil || why != "" || got.Day() != 5 {
		t.Errorf("RFC 3339: %v %q %v", got, why, err)
	}
}
