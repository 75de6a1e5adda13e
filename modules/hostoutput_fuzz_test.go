package modules

import (
	"strings"
	"testing"
)

// The parsers of what hosts print (package_facts, service_facts, find,
// async_status) never panic on any output, and what they return is well
// formed: a package entry has its name, a service its state, a finished
// job an rc.
func FuzzHostOutputParsers(f *testing.F) {
	for _, s := range []string{
		"apt\nii \tbash\t5.2\tamd64\nrc \tx\t1\tall\n",
		"rpm\nkernel\t5.14\t1.el9\tx86_64\t(none)\n",
		"#units\ncron.service loaded active running cron\n#files\ncron.service enabled enabled\n#sysv\n [ + ]  rsyslog\n",
		"finished 3 8 5\npatched\nwarn\n",
		"finished -4 -1 9\nx",
		"running\n", "missing\n", "", "\t\t\t", "[ ]", " [ + ]",
		"#path\x00/var/log\x00regular file\t3\t1\t1\t1\t644\t0\t0\troot\troot\t1\t2\t3\t/var/log/a\x00#missing\x00/nope\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		for name, l := range parsePackages(out) {
			for _, p := range l.([]any) {
				if p.(map[string]any)["name"] != name {
					t.Fatalf("%q: package %s holds %v", out, name, p)
				}
			}
		}
		for name, s := range parseServices(out) {
			m := s.(map[string]any)
			if m["name"] != name || m["state"] == "" {
				t.Fatalf("%q: service %s is %v", out, name, m)
			}
		}
		files, _ := parseFound(out)
		for _, f := range files {
			if f.kind == "" && f.path == "" {
				t.Fatalf("%q: an empty entry", out)
			}
		}
		r := parseAsyncStatus("j1", []byte(out))
		if r["finished"] == 1 && !r.Failed() && r["rc"] != 0 {
			t.Fatalf("%q: finished with rc %v but not failed", out, r["rc"])
		}
		if r.Failed() && strings.TrimSpace(r.Msg()) == "" {
			t.Fatalf("%q: failed without a message", out)
		}
	})
}
