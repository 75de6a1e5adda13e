// Package rollcheck reads a roll's batches back from the hosts' own
// reboot records, for tests (the in-process fleet's and the sshd hosts').
package rollcheck
