package modules

import (
	"fmt"
	"strings"
)

// UnifiedDiff renders a unified diff (3 lines of context) of before and
// after, as `diff -u` and Ansible's --diff output do. It returns "" when the
// texts are equal. It is meant for configuration files: above a few
// thousand changed lines it falls back to replacing everything in one hunk.
func UnifiedDiff(before, after, fromName, toName string) string {
	if before == after {
		return ""
	}
	a, b := splitLines(before), splitLines(after)
	ops := diffOps(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", fromName, toName)
	const ctx = 3
	// Group the edit script into hunks separated by more than 2*ctx
	// unchanged lines.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-ctx, 0)
		for start > 0 && ops[start-1].kind != ' ' {
			start--
		}
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(end+ctx, run)
				break
			}
			end = run
		}
		writeHunk(&sb, ops[start:end])
		i = end
	}
	return sb.String()
}

type diffOp struct {
	kind       byte // ' ', '-', '+'
	text       string
	aLine, bLn int // 1-based line numbers in a and b before this op
}

func writeHunk(sb *strings.Builder, ops []diffOp) {
	var na, nb int
	for _, o := range ops {
		if o.kind != '+' {
			na++
		}
		if o.kind != '-' {
			nb++
		}
	}
	as, bs := ops[0].aLine, ops[0].bLn
	if na == 0 {
		as--
	}
	if nb == 0 {
		bs--
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(as, na), hunkRange(bs, nb))
	for _, o := range ops {
		sb.WriteByte(o.kind)
		sb.WriteString(strings.TrimSuffix(o.text, "\n"))
		sb.WriteByte('\n')
		if !strings.HasSuffix(o.text, "\n") {
			sb.WriteString("\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines splits s into lines that keep their "\n".
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// diffOps computes an edit script by longest common subsequence, after
// trimming the common prefix and suffix.
func diffOps(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var mid []diffOp
	if len(ma)*len(mb) > 4_000_000 {
		for _, l := range ma {
			mid = append(mid, diffOp{kind: '-', text: l})
		}
		for _, l := range mb {
			mid = append(mid, diffOp{kind: '+', text: l})
		}
	} else {
		// lcs[i][j] = LCS length of ma[i:], mb[j:].
		lcs := make([][]int, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				mid = append(mid, diffOp{kind: ' ', text: ma[i]})
				i++
				j++
			case j < len(mb) && (i == len(ma) || lcs[i][j+1] > lcs[i+1][j]):
				mid = append(mid, diffOp{kind: '+', text: mb[j]})
				j++
			default:
				mid = append(mid, diffOp{kind: '-', text: ma[i]})
				i++
			}
		}
	}
	ops := make([]diffOp, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		ops = append(ops, diffOp{kind: ' ', text: l})
	}
	ops = append(ops, mid...)
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, diffOp{kind: ' ', text: l})
	}
	al, bl := 1, 1
	for k := range ops {
		ops[k].aLine, ops[k].bLn = al, bl
		if ops[k].kind != '+' {
			al++
		}
		if ops[k].kind != '-' {
			bl++
		}
	}
	return ops
}
