// Package template renders Ansible-compatible Jinja2 templates and evaluates
// bare conditional expressions (when, until, failed_when, changed_when).
//
// It is built on github.com/nikolalohinski/gonja/v2 and adds what Ansible
// playbooks rely on: strict undefined handling with Ansible's messages
// (UndefinedError), native result types for templates that are a single
// "{{ expr }}", Ansible's filters (default, bool, regex_replace, to_json,
// to_yaml, quote, ...) and tests (defined, succeeded, failed, changed,
// skipped, match, search, version, ...), syntax checks with positions for the
// compiler, and extraction of the variable names a template reads.
//
// One Engine is meant to be shared by every task on every host: it is safe
// for concurrent use and caches parsed templates by source string. Rendering
// never mutates the variables it is given.
//
// See docs/templating.md for the supported subset.
package template
