package modules

import (
	"reflect"
	"testing"
)

func TestParseServices(t *testing.T) {
	svc := func(name, state, status, source string) map[string]any {
		return map[string]any{"name": name, "state": state, "status": status, "source": source}
	}
	got := parseServices("#units\n" +
		"cron.service loaded active running Regular background program processing daemon\n" +
		"ssh.service loaded active exited OpenBSD Secure Shell server\n" +
		"nginx.service loaded failed failed A high performance web server\n" +
		"#files\n" +
		"cron.service enabled enabled\n" +
		"nginx.service disabled enabled\n" +
		"getty@.service static -\n" +
		"#sysv\n" +
		" [ + ]  rsyslog\n" +
		" [ - ]  cups\n" +
		" [ ? ]  hwclock.sh\n")
	want := map[string]any{
		"cron.service":   svc("cron.service", "running", "enabled", "systemd"),
		"ssh.service":    svc("ssh.service", "stopped", "unknown", "systemd"),
		"nginx.service":  svc("nginx.service", "stopped", "disabled", "systemd"),
		"getty@.service": svc("getty@.service", "inactive", "static", "systemd"),
		"rsyslog":        svc("rsyslog", "running", "unknown", "sysv"),
		"cups":           svc("cups", "stopped", "unknown", "sysv"),
		"hwclock.sh":     svc("hwclock.sh", "unknown", "unknown", "sysv"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseServices:\n got %v\nwant %v", got, want)
	}
}
