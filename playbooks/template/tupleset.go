package template

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// controlStructures are gonja's, with set also taking Jinja2's tuple
// targets: {% set a, b = pair %}, {% set host, port = 'db', 5432 %}.
var controlStructures = func() *exec.ControlStructureSet {
	set := exec.NewControlStructureSet(map[string]parser.ControlStructureParser{}).Update(builtins.ControlStructures)
	plain, _ := set.Get("set")
	_ = set.Replace("set", func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		if args.Current(tokens.Name) == nil || args.Peek(tokens.Comma) == nil {
			return plain(p, args)
		}
		return parseTupleSet(p, args)
	})
	return set
}()

// tupleSet is {% set NAME, NAME... = EXPR %}: EXPR's items, one a name,
// as Jinja2 unpacks them.
type tupleSet struct {
	location *tokens.Token
	names    []string
	expr     nodes.Expression
}

func (ts *tupleSet) Position() *tokens.Token { return ts.location }
func (ts *tupleSet) String() string {
	return fmt.Sprintf("TupleSet(Line=%d Col=%d)", ts.location.Line, ts.location.Col)
}

func parseTupleSet(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	ts := &tupleSet{location: p.Current()}
	for {
		tok := args.Match(tokens.Name)
		if tok == nil {
			return nil, args.Error("Expected a name in the set tag's targets.", args.Current())
		}
		ts.names = append(ts.names, tok.Val)
		if args.Match(tokens.Comma) == nil {
			break
		}
	}
	if args.Match(tokens.Assign) == nil {
		return nil, args.Error("Expected '=' after the set tag's targets (a block set takes one name).", args.Current())
	}
	first, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	ts.expr = first
	if args.Current(tokens.Comma) != nil { // set a, b = 1, 2: a tuple
		tuple := &nodes.Tuple{Location: first.Position(), Val: []nodes.Expression{first}}
		for args.Match(tokens.Comma) != nil && !args.End() {
			e, err := args.ParseExpression()
			if err != nil {
				return nil, err
			}
			tuple.Val = append(tuple.Val, e)
		}
		ts.expr = tuple
	}
	if !args.End() {
		return nil, args.Error("Malformed 'set' tag args.", args.Current())
	}
	return ts, nil
}

func (ts *tupleSet) Execute(r *exec.Renderer, tag *nodes.ControlStructureBlock) error {
	v := r.Eval(ts.expr)
	if v.IsError() {
		return v
	}
	var items []any
	switch {
	case v.IsList() || v.IsDict() || v.IsString():
		v.Iterate(func(_, _ int, item, _ *exec.Value) bool {
			items = append(items, item.Interface())
			return true
		}, func() {})
	default:
		return fmt.Errorf("cannot unpack non-iterable %s object", pyTypeName(v.Interface()))
	}
	switch n := len(ts.names); {
	case len(items) > n:
		return fmt.Errorf("too many values to unpack (expected %d)", n)
	case len(items) < n:
		return fmt.Errorf("not enough values to unpack (expected %d, got %d)", n, len(items))
	}
	for i, name := range ts.names {
		r.Environment.Context.Set(name, items[i])
	}
	return nil
}
