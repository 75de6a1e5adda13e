package template

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // hashlib offers it, so does the filter
)

// Filters of ansible-core 2.14's plugins/filter/core.py, mathstuff.py and
// urlsplit.py, with its semantics.

func coreFilters() map[string]exec.FilterFunction {
	return map[string]exec.FilterFunction{
		"hash":           wrap("hash", fHash),
		"comment":        wrap("comment", fComment),
		"md5":            wrap("md5", func(in any, _ *exec.VarArgs) (any, error) { return hashHex("md5", in) }),
		"sha1":           wrap("sha1", func(in any, _ *exec.VarArgs) (any, error) { return hashHex("sha1", in) }),
		"checksum":       wrap("checksum", func(in any, _ *exec.VarArgs) (any, error) { return hashHex("sha1", in) }),
		"zip":            wrap("zip", fZip),
		"zip_longest":    wrap("zip_longest", fZipLongest),
		"product":        wrap("product", fProduct),
		"urlsplit":       wrap("urlsplit", fURLSplit),
		"strftime":       wrap("strftime", fStrftime),
		"to_uuid":        wrap("to_uuid", fToUUID),
		"subelements":    wrap("subelements", fSubelements),
		"path_join":      wrap("path_join", fPathJoin),
		"human_readable": wrap("human_readable", fHumanReadable),
		"human_to_bytes": wrap("human_to_bytes", fHumanToBytes),
		"password_hash":  wrap("password_hash", fPasswordHash),
	}
}

// pyTypeName is Python's type name for a native value.
func pyTypeName(v any) string {
	s, _ := fTypeDebug(v, nil)
	return s.(string)
}

// pyText is Ansible's to_text/to_bytes of a filter input: strings as they
// are, anything else as str() gives it.
func pyText(v any) string {
	if f, ok := v.(float64); ok {
		return pyFloat(f)
	}
	return pyStr(v)
}

// pyFloat is Python's repr of a float.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// hashes are hashlib.new's names (OpenSSL's, any case) that Go has.
var hashes = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512_224": sha512.New512_224,
	"sha512_256": sha512.New512_256,
	"sha3_224":   func() hash.Hash { return sha3.New224() },
	"sha3_256":   func() hash.Hash { return sha3.New256() },
	"sha3_384":   func() hash.Hash { return sha3.New384() },
	"sha3_512":   func() hash.Hash { return sha3.New512() },
	"blake2b":    func() hash.Hash { h, _ := blake2b.New512(nil); return h },
	"blake2s":    func() hash.Hash { h, _ := blake2s.New256(nil); return h },
	"ripemd160":  ripemd160.New,
	"md5-sha1":   func() hash.Hash { return &concatHash{md5.New(), sha1.New()} },
}

// hashAliases are OpenSSL's other names for them.
var hashAliases = map[string]string{
	"sha-1": "sha1", "sha-224": "sha224", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512",
	"sha512-224": "sha512_224", "sha-512/224": "sha512_224", "sha512-256": "sha512_256", "sha-512/256": "sha512_256",
	"sha3-224": "sha3_224", "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512",
	"blake2b512": "blake2b", "blake2s256": "blake2s", "ripemd": "ripemd160", "ripemd-160": "ripemd160", "rmd160": "ripemd160",
}

// concatHash is md5-sha1: both digests, one after the other.
type concatHash struct{ a, b hash.Hash }

func (h *concatHash) Write(p []byte) (int, error) { h.a.Write(p); return h.b.Write(p) }
func (h *concatHash) Sum(b []byte) []byte         { return h.b.Sum(h.a.Sum(b)) }
func (h *concatHash) Reset()                      { h.a.Reset(); h.b.Reset() }
func (h *concatHash) Size() int                   { return h.a.Size() + h.b.Size() }
func (h *concatHash) BlockSize() int              { return h.a.BlockSize() }

func hashHex(name string, in any) (string, error) {
	n := strings.ToLower(name)
	if a, ok := hashAliases[n]; ok {
		n = a
	}
	newHash, ok := hashes[n]
	if !ok {
		if strings.HasPrefix(n, "shake") {
			return "", errors.New("hexdigest() missing required argument 'length' (pos 1)")
		}
		return "", fmt.Errorf("unsupported hash type %s", name)
	}
	h := newHash()
	h.Write([]byte(pyText(in)))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fHash is hash(hashtype='sha1'): hashlib.new(hashtype, data).hexdigest().
func fHash(in any, args *exec.VarArgs) (any, error) {
	return hashHex(argString(args, 0, "hashtype", "sha1"), in)
}

// iterables returns the filter input and the positional arguments as
// Python would iterate them.
func iterables(in any, args *exec.VarArgs) ([][]any, error) {
	out := [][]any{}
	for i, v := range append([]any{in}, argsNative(args)...) {
		s, err := sequence(v)
		if err != nil {
			return nil, fmt.Errorf("'%s' object is not iterable (argument %d)", pyTypeName(v), i+1)
		}
		out = append(out, s)
	}
	return out, nil
}

func argsNative(args *exec.VarArgs) []any {
	out := make([]any, len(args.Args))
	for i, a := range args.Args {
		out[i] = toNative(a)
	}
	return out
}

// fZip is Python's zip(in, *others): tuples (lists here) up to the
// shortest. Ansible returns the iterator; drover returns the list it yields.
func fZip(in any, args *exec.VarArgs) (any, error) {
	its, err := iterables(in, args)
	if err != nil {
		return nil, err
	}
	n := math.MaxInt
	for _, it := range its {
		n = min(n, len(it))
	}
	out := make([]any, n)
	for i := range out {
		t := make([]any, len(its))
		for j, it := range its {
			t[j] = it[i]
		}
		out[i] = t
	}
	return out, nil
}

// fZipLongest is itertools.zip_longest(in, *others, fillvalue=None).
func fZipLongest(in any, args *exec.VarArgs) (any, error) {
	its, err := iterables(in, args)
	if err != nil {
		return nil, err
	}
	fill, _ := argValue(args, -1, "fillvalue")
	n := 0
	for _, it := range its {
		n = max(n, len(it))
	}
	out := make([]any, n)
	for i := range out {
		t := make([]any, len(its))
		for j, it := range its {
			if i < len(it) {
				t[j] = it[i]
			} else {
				t[j] = fill
			}
		}
		out[i] = t
	}
	return out, nil
}

// maxProduct bounds product's result, as range() is bounded.
const maxProduct = 1000000

// fProduct is itertools.product(in, *others, repeat=1).
func fProduct(in any, args *exec.VarArgs) (any, error) {
	its, err := iterables(in, args)
	if err != nil {
		return nil, err
	}
	repeat := argInt(args, -1, "repeat", 1)
	if repeat < 0 {
		return nil, errors.New("repeat argument cannot be negative")
	}
	pools := [][]any{}
	for r := 0; r < repeat; r++ {
		pools = append(pools, its...)
	}
	total := 1
	for _, p := range pools {
		total *= len(p)
		if total > maxProduct {
			return nil, fmt.Errorf("product of more than %d items", maxProduct)
		}
	}
	out := []any{[]any{}}
	for _, p := range pools {
		next := make([]any, 0, len(out)*len(p))
		for _, prefix := range out {
			for _, x := range p {
				t := append(append([]any{}, prefix.([]any)...), x)
				next = append(next, t)
			}
		}
		out = next
	}
	return out, nil
}

// fToUUID is to_uuid(namespace='361E6D51-FAEC-444A-9079-341386DA8E2E'):
// uuid.uuid5(namespace, string).
func fToUUID(in any, args *exec.VarArgs) (any, error) {
	nsText := argString(args, 0, "namespace", "361E6D51-FAEC-444A-9079-341386DA8E2E")
	h := strings.ReplaceAll(strings.ReplaceAll(nsText, "urn:", ""), "uuid:", "")
	h = strings.ReplaceAll(strings.Trim(h, "{}"), "-", "")
	ns, err := hex.DecodeString(h)
	if err != nil || len(ns) != 16 {
		return nil, fmt.Errorf("Invalid value '%s' for 'namespace': badly formed hexadecimal UUID string", nsText)
	}
	s := sha1.New()
	s.Write(ns)
	s.Write([]byte(pyText(in)))
	u := s.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

// fSubelements is subelements(subelements, skip_missing=False): the pairs
// (item, sub-item) of a list (or a dict's values) and the list found in
// each item at a dotted key path.
func fSubelements(in any, args *exec.VarArgs) (any, error) {
	var elements []any
	switch t := in.(type) {
	case []any:
		elements = t
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			elements = append(elements, t[k])
		}
	default:
		return nil, errors.New("obj must be a list of dicts or a nested dict")
	}
	var path []any
	sv, _ := argValue(args, 0, "subelements")
	switch t := sv.(type) {
	case []any:
		path = t
	case string:
		for _, p := range strings.Split(t, ".") {
			path = append(path, p)
		}
	default:
		return nil, errors.New("subelements must be a list or a string")
	}
	skip := argBool(args, 1, "skip_missing", false)
	out := []any{}
	for _, el := range elements {
		values := el
		for _, key := range path {
			m, ok := values.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("the key %s should point to a dictionary, got '%s'", pyText(key), pyText(values))
			}
			v, ok := m[pyText(key)]
			if !ok {
				if skip {
					values = []any{}
					break
				}
				return nil, fmt.Errorf("could not find '%s' key in iterated item %s", pyText(key), pyText(values))
			}
			values = v
		}
		list, ok := values.([]any)
		if !ok {
			return nil, fmt.Errorf("the key '%s' should point to a list, got %s", pyText(path[len(path)-1]), pyText(values))
		}
		for _, v := range list {
			out = append(out, []any{el, v})
		}
	}
	return out, nil
}

// fPathJoin is path_join: os.path.join of a list, or a string as it is.
func fPathJoin(in any, _ *exec.VarArgs) (any, error) {
	switch t := in.(type) {
	case string:
		return t, nil
	case []any:
		if len(t) == 0 {
			return nil, errors.New("join() missing 1 required positional argument: 'a'")
		}
		path := ""
		for i, p := range t {
			s, ok := p.(string)
			if !ok {
				return nil, fmt.Errorf("join() argument must be str, bytes, or os.PathLike object, not '%s'", pyTypeName(p))
			}
			switch {
			case i == 0:
				path = s
			case strings.HasPrefix(s, "/"):
				path = s
			case path == "" || strings.HasSuffix(path, "/"):
				path += s
			default:
				path += "/" + s
			}
		}
		return path, nil
	}
	return nil, fmt.Errorf("|path_join expects string or sequence, got %s instead.", pyTypeName(in))
}

// sizeRanges is formatters.SIZE_RANGES, largest first.
var sizeRanges = []struct {
	suffix string
	limit  float64
}{
	{"Y", 1 << 80}, {"Z", 1 << 70}, {"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40},
	{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1},
}

// fHumanReadable is human_readable(isbits=False, unit=None).
func fHumanReadable(in any, args *exec.VarArgs) (any, error) {
	var size float64
	switch t := in.(type) {
	case int:
		size = float64(t)
	case float64:
		size = t
	case bool:
		if t {
			size = 1
		}
	default:
		return nil, fmt.Errorf("human_readable() failed on bad input: '>=' not supported between instances of '%s' and 'int'", pyTypeName(in))
	}
	isbits := argBool(args, 0, "isbits", false)
	unitV, _ := argValue(args, 1, "unit")
	unit, hasUnit := unitV.(string)
	if unitV != nil && !hasUnit {
		return nil, fmt.Errorf("human_readable() can't interpret following string: %s", pyText(in))
	}
	base := "Bytes"
	if isbits {
		base = "bits"
	}
	suffix, limit := "", 1.0
	for _, r := range sizeRanges {
		suffix, limit = r.suffix, r.limit
		if (!hasUnit && size >= limit) || (hasUnit && strings.ToUpper(unit) == suffix) {
			break
		}
	}
	if limit != 1 {
		suffix += base[:1]
	} else {
		suffix = base
	}
	return fmt.Sprintf("%.2f %s", size/limit, suffix), nil
}

var humanRe = regexp.MustCompile(`^\s*(\d*\.?\d*)\s*([A-Za-z]+)?`)

// fHumanToBytes is human_to_bytes(default_unit=None, isbits=False).
func fHumanToBytes(in any, args *exec.VarArgs) (any, error) {
	fail := fmt.Errorf("human_to_bytes() can't interpret following string: %s", pyText(in))
	s := pyText(in)
	m := humanRe.FindStringSubmatch(s)
	num, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return nil, fail
	}
	unit := m[2]
	if unit == "" {
		if d, ok := argValue(args, 0, "default_unit"); ok && d != nil {
			unit = pyText(d)
		}
	}
	round := func(f float64) any {
		r := math.RoundToEven(f)
		if math.Abs(r) < 1<<63 {
			return int(r)
		}
		return r
	}
	if unit == "" {
		return round(num), nil
	}
	key := strings.ToUpper(unit[:1])
	limit := 0.0
	for _, r := range sizeRanges {
		if r.suffix == key {
			limit = r.limit
		}
	}
	if limit == 0 {
		return nil, fail
	}
	class, className := "B", "byte"
	if argBool(args, 1, "isbits", false) {
		class, className = "b", "bit"
	}
	if len(unit) > 1 && !strings.Contains(strings.ToLower(unit), className) && unit[1:2] != class {
		return nil, fail
	}
	return round(num * limit), nil
}

// dictGlobal is Python's dict(mapping_or_pairs, **kwargs) as a Jinja2
// global: dict(keys | zip(values)) builds a dict from pairs.
func dictGlobal(_ *exec.Evaluator, params *exec.VarArgs) *exec.Value {
	out := map[string]any{}
	if len(params.Args) > 1 {
		return exec.AsValue(fmt.Errorf("dict expected at most 1 argument, got %d", len(params.Args)))
	}
	if len(params.Args) == 1 {
		switch src := toNative(params.Args[0]).(type) {
		case map[string]any:
			for k, v := range src {
				out[k] = v
			}
		default:
			items, err := sequence(src)
			if err != nil {
				return exec.AsValue(fmt.Errorf("'%s' object is not iterable", pyTypeName(src)))
			}
			for i, item := range items {
				pair, err := sequence(item)
				if err != nil {
					return exec.AsValue(fmt.Errorf("cannot convert dictionary update sequence element #%d to a sequence", i))
				}
				if len(pair) != 2 {
					return exec.AsValue(fmt.Errorf("dictionary update sequence element #%d has length %d; 2 is required", i, len(pair)))
				}
				out[pyText(pair[0])] = pair[1]
			}
		}
	}
	for k, v := range params.KwArgs {
		out[k] = toNative(v)
	}
	return exec.AsValue(out)
}
