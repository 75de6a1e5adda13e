package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The with_* keywords run unchanged Ansible tasks on the hosts: what the
// items made the hosts write is checked on the host.
func TestWithLoopsOnTheHost(t *testing.T) {
	f := testFleet(t, 1, 1, 100*time.Millisecond, nil)
	src := t.TempDir()
	for _, n := range []string{"x.conf", "y.conf"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte(n+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := `
- hosts: all
  vars:
    users:
      alice: {uid: 1001}
      bob: {uid: 1002}
    accounts:
      - {name: alice, keys: [k1, k2]}
      - {name: bob, keys: [k3]}
  tasks:
    - shell: echo "{{ item.key }}={{ item.value.uid }}" >> dict
      with_dict: "{{ users }}"
    - shell: echo "{{ item[0] }}-{{ item[1] }}" >> nested
      with_nested:
        - [a, b]
        - [1, 2]
    - shell: echo "{{ item }}" >> seq
      with_sequence: start=1 end=5 stride=2 format=web%02d
    - shell: echo "{{ item.0.name }}:{{ item.1 }}" >> sub
      with_subelements:
        - "{{ accounts }}"
        - keys
    - shell: echo "{{ item }}" >> items
      with_items:
        - [one, two]
        - three
    - copy: {src: "{{ item }}", dest: "conf/"}
      with_fileglob: "` + src + `/*.conf"
    - shell: echo "{{ item }}" >> lines
      with_lines: printf 'l1\nl2\n'
    - shell: echo "{{ item }}" >> file
      with_file: ["` + src + `/x.conf"]
    - shell: echo "{{ item | basename }}" >> found
      with_first_found: [` + src + `/missing.conf, ` + src + `/y.conf, ` + src + `/x.conf]
`
	res, _ := runPlay(t, f, text, nil)
	if h := res.Hosts[0]; h.Status == StatusFailed {
		t.Fatalf("%s: %s", h.Name, h.Msg)
	}
	fh, _ := f.Host("host01")
	for file, want := range map[string]string{
		"dict":        "alice=1001\nbob=1002\n",
		"nested":      "a-1\na-2\nb-1\nb-2\n",
		"seq":         "web01\nweb03\nweb05\n",
		"sub":         "alice:k1\nalice:k2\nbob:k3\n",
		"items":       "one\ntwo\nthree\n",
		"conf/x.conf": "x.conf\n",
		"conf/y.conf": "y.conf\n",
		"lines":       "l1\nl2\n",
		"file":        "x.conf\n",
		"found":       "y.conf\n",
	} {
		b, err := os.ReadFile(filepath.Join(fh.Root, file))
		if err != nil || string(b) != want {
			t.Errorf("%s on the host = %q (%v), want %q", file, b, err, want)
		}
	}
}
