package playbooks

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// adaptiveKeys are the keys of adaptive_serial.
var adaptiveKeys = []string{"start", "max", "grow"}

// adaptiveSerial reads adaptive_serial: {start, max, grow}. start and max
// are host counts or percentages, like serial's entries; start defaults to
// 1 host and grow to 2. A percentage start larger than a percentage max,
// or a count start larger than a count max, is an error.
func (l *loader) adaptiveSerial(file string, v *yaml.Node) *AdaptiveSerial {
	if !l.mapping(file, v, "adaptive_serial") {
		return nil
	}
	a := &AdaptiveSerial{Pos: pos(file, v), Start: Serial{Count: 1}, Grow: 2}
	var hasMax bool
	var startAt Pos
	size := func(n *yaml.Node, key string) (Serial, bool) {
		n = resolve(n)
		s, ok := parseSerial(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" || n.Tag == "!!null" || !ok {
			l.c.add(pos(file, n), "invalid adaptive_serial.%s %s: use a host count of at least 1 or a percentage such as \"25%%\"", key, describe(n))
			return Serial{}, false
		}
		return s, true
	}
	for _, kv := range pairs(v) {
		switch kv.k.Value {
		case "start":
			if s, ok := size(kv.v, "start"); ok {
				a.Start, startAt = s, pos(file, kv.v)
			}
		case "max":
			hasMax = true
			if s, ok := size(kv.v, "max"); ok {
				a.Max = s
			}
		case "grow":
			n := resolve(kv.v)
			f, err := strconv.ParseFloat(n.Value, 64)
			if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" || err != nil || !(f > 1 && f <= 100) {
				l.c.add(pos(file, n), "invalid adaptive_serial.grow %s: use a factor above 1 such as 2 (the next batch after one without failures is this many times larger)", describe(n))
				continue
			}
			a.Grow = f
		default:
			l.c.add(pos(file, kv.k), "unknown adaptive_serial key '%s'%s (drover supports start, max and grow)", kv.k.Value, didYouMean(kv.k.Value, adaptiveKeys))
		}
	}
	if !hasMax {
		l.c.add(a.Pos, "adaptive_serial needs max: (the largest batch, a host count or \"N%%\")")
		return a
	}
	if startAt != (Pos{}) && a.Max != (Serial{}) && (a.Start.Percent > 0) == (a.Max.Percent > 0) &&
		(a.Start.Count > a.Max.Count || a.Start.Percent > a.Max.Percent) {
		l.c.add(startAt, "adaptive_serial.start is larger than max")
	}
	return a
}
