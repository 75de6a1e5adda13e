package playbooks

import (
	"reflect"
	"testing"
)

func TestModuleDefaults(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  module_defaults:
    ansible.builtin.uri: {url: "http://127.0.0.1:9000/health", timeout: 5}
    file: {mode: "0600"}
    community.general.haproxy: {backend: web}
  tasks:
    - name: url from the defaults
      uri: {}
    - block:
        - name: block over play
          uri: {timeout: 30}
        - name: alias set on the task
          file: {dest: /tmp/x, state: touch}
      module_defaults:
        uri: {timeout: 10, status_code: 204}
        file: {path: /tmp/y}
`)
	pb, list, err := check(p, ValidateOptions{})
	if err != nil || list != nil {
		t.Fatalf("check: %v %v", err, list)
	}
	got := map[string]map[string]any{}
	for _, n := range Compile(pb.Plays[0]).Nodes {
		if n.Kind == KindTask {
			got[n.Task.Name] = n.Scope.WithDefaults(n.Task.Module, n.Task.Args)
		}
	}
	want := map[string]map[string]any{
		"url from the defaults": {"url": "http://127.0.0.1:9000/health", "timeout": 5},
		"block over play":       {"url": "http://127.0.0.1:9000/health", "timeout": 30, "status_code": 204},
		"alias set on the task": {"dest": "/tmp/x", "state": "touch", "mode": "0600"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("arguments with defaults:\n got %v\nwant %v", got, want)
	}
}

func TestModuleDefaultsErrors(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  module_defaults:
    uri: {urll: "http://x"}
    group/aws: {region: eu-west-1}
  tasks:
    - name: still needs its url
      uri: {}
`)
	checkErrors(t, p, ValidateOptions{},
		"site.yml:3:11: unknown argument 'urll' for module 'uri' in module_defaults, did you mean 'url'?",
		"site.yml:4:5: module_defaults group 'group/aws' is not supported",
		"module 'uri' requires argument 'url'",
	)
}
