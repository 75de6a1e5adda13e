package playbooks

import (
	"testing"
	"time"
)

func TestGatherSubsetAndTimeout(t *testing.T) {
	p := writePlaybook(t, `- hosts: all
  gather_subset: "!all,min,network"
  gather_timeout: 20
  tasks: []
`)
	pb, list, err := check(p, ValidateOptions{})
	if err != nil || list != nil {
		t.Fatalf("check: %v %v", err, list)
	}
	if got := pb.Plays[0].GatherTimeout; got != 20*time.Second {
		t.Errorf("gather_timeout = %s", got)
	}
	p = writePlaybook(t, `- hosts: all
  gather_subset: [hardware, "!netwrk"]
  tasks: []
`)
	checkErrors(t, p, ValidateOptions{}, "site.yml:2:29: unknown gather_subset 'netwrk', did you mean 'network'?")
}
