// Package runner executes compiled plays: it forms batches (serial, order,
// disruption budgets), walks each host through its Program over a
// modules.Conn, enforces failure thresholds and health gates between
// batches, and writes every state change to an append-only journal from
// which an interrupted run resumes. It knows no concrete transport: it is
// given a modules.Dialer.
package runner
