// Package modules defines what one task does on one host (the Module
// interface and Ansible's result shape), the Conn interface the modules need
// from a transport, and the built-in modules. The remote side needs only
// POSIX sh and coreutils.
package modules
