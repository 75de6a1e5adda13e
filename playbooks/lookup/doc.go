// Package lookup has drover's lookup plugins: the with_* loop keywords
// (with_items, with_dict, with_nested, with_subelements, with_sequence,
// with_fileglob, ...) and the lookup()/query() template functions use the
// same code. Lookups run on the controller. Relative file names are looked
// up in the task file's directory's files/, its role's files/, then the
// directory itself, as Ansible's search path does for a task.
//
// Ansible's semantics are kept where drover can: terms are listified as
// Ansible does (Terms), the result is always a list (lookup() joins it as
// Ansible does, in package template), errors='ignore' and 'warn' turn a
// failure into no result. Differences: with_dict yields the keys in sorted
// order (a Go map has none).
package lookup
