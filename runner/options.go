package runner

import (
	"time"

	"github.com/drover-sh/drover/modules"
	"github.com/drover-sh/drover/playbooks"
)

// Options configure a run. Dialer and Templater are required.
type Options struct {
	// GroupAdds collects what group_by tasks do, for the caller to apply
	// to the later plays' hosts (nil: group_by tasks fail).
	GroupAdds *GroupAdds
	Dialer    modules.Dialer
	Templater Templater
	Sink      Sink     // receives every event; nil for none
	Prompter  Prompter // nil when no terminal: prompts refuse

	RunID             string
	Forks             int                // concurrent hosts; 0 = batch size, at most 256
	Serial            []playbooks.Serial // --serial: overrides the play's
	MaxFailPercentage *float64           // --max-fail-percentage: overrides the play's
	Check, Diff       bool
	Become            bool // -b
	// BecomeUser and BecomeMethod are the defaults (ansible.cfg's) when no
	// keyword or variable gives one.
	BecomeUser     string
	BecomeMethod   string
	BecomePassword string
	ExtraVars      map[string]any
	Tags, SkipTags []string
	ConnectTimeout time.Duration
	Yes            bool // --yes: no confirmation prompts
	// Stop, when closed, stops starting new hosts and batches (the first
	// Ctrl-C); in-flight hosts finish their walk. Cancelling the run's
	// context aborts them (the second Ctrl-C).
	Stop <-chan struct{}
	// Resume holds the journal of the run being resumed.
	Resume *Resume
	Seed   uint64 // for order: shuffle
	// Deadline, when set, is the provider's maintenance deadline: after
	// each batch the roll's ETA is compared with it and a warning is raised
	// as soon as it no longer fits.
	Deadline time.Time
	// VaultPassword decrypts ansible-vault encrypted vars_files.
	VaultPassword []byte
	// Facts keeps what set_fact, register and fact gathering give each
	// host across the plays of a run (as Ansible does); nil: each play
	// starts without.
	Facts *HostFacts
	// InventoryVars are every inventory host's variables, for hostvars;
	// nil: the play's hosts only.
	InventoryVars map[string]map[string]any
	// StartAt is --start-at-task (nil: every play from its start).
	StartAt *StartAt
	// Strategy is the strategy of plays that name none (--strategy):
	// "linear" runs a batch's hosts in lockstep (see lockstep.go); anything
	// else lets each host go through the play on its own (free).
	Strategy string
	// ForceHandlers runs a failed host's notified handlers (--force-handlers;
	// a play's force_handlers does the same for its hosts).
	ForceHandlers bool
	// DelegateHost returns the inventory host name as play idx would reach
	// it (its variables with the play's connection defaults: remote_user,
	// port, ...), for tasks delegated to it; nil when it is no inventory
	// host. A nil DelegateHost refuses every delegation but localhost.
	DelegateHost func(idx int, name string) *Host
}

func (o *Options) connectTimeout() time.Duration {
	if o.ConnectTimeout > 0 {
		return o.ConnectTimeout
	}
	return 10 * time.Second
}

// tagsMatch applies --tags and --skip-tags as Ansible does: "always" runs
// unless skipped by name, "never" runs only when asked for.
func (o *Options) tagsMatch(tags []string) bool {
	has := func(t string) bool {
		for _, x := range tags {
			if x == t {
				return true
			}
		}
		return false
	}
	for _, s := range o.SkipTags {
		if has(s) || (s == "tagged" && len(tags) > 0) || (s == "untagged" && len(tags) == 0) {
			return false
		}
	}
	if len(o.Tags) == 0 {
		return !has("never")
	}
	if has("always") {
		return true
	}
	for _, t := range o.Tags {
		if t == "all" && !has("never") || has(t) || (t == "tagged" && len(tags) > 0) || (t == "untagged" && len(tags) == 0) {
			return true
		}
	}
	return false
}
