package modules

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

func init() {
	Register(iniFileModule{}, "community.general.ini_file")
}

// iniFileModule is community.general.ini_file: set, add or remove options
// and sections of an INI-style file.
//
// It follows plugins/modules/ini_file.py of ansible-collections/
// community.general in the version that has modify_inactive_option (8.0.0)
// and section_has_values (8.6.0). That text was read from the public code
// index without its commit; the same do_ini is in the fork
// skinnayt/community.general at 176eb7428a6787a7874d19579960b02781d5d625
// (which only adds option_prefix_spaces, not ported), and the earlier
// upstream form, with section_has, is at community.general commit
// 038935e01c065cf969b8919d9df991b3ed551a35. Ported: the same arguments and
// defaults, and do_ini's line-by-line algorithm ported statement by
// statement, so that the file it writes is byte for byte the module's: the
// file is decoded as UTF-8 with a BOM dropped and universal newlines
// (CRLF and CR become LF, but only when the file is rewritten), a missing
// final newline is added (and counts as a change), the fake section before
// the first header, options matched as `[#;]? option [ \t]*(=|$) value`
// (commented ones only with modify_inactive_option), values first
// replaced where they already are, then other occurrences replaced or
// removed (exclusive), missing ones inserted after the section's last
// line that is neither blank nor a comment, a missing section appended at
// the end (with the section_has_values options), the same messages (OK,
// option changed, option added, section removed, section and option
// added, only section added) and result (changed, msg, path, backup_file,
// diff with "PATH (content)" headers, and the path's attributes).
//
// It is also where the module fails: a missing file with create=false (rc
// 257, "Destination PATH does not exist!"), state=present without value(s)
// unless allow_no_value, and the Python TypeError the module dies with when
// value(s) are given without option and the (possibly implicit) section
// exists.
//
// The file is read in one session (stat and content), edited here, and
// written back atomically in one more only when the module would write it
// (its `changed`, not a byte comparison); mode/owner/group are applied as
// the module does: not in check mode, and only to a file that exists.
type iniFileModule struct{}

func (iniFileModule) Name() string { return "ini_file" }

func (iniFileModule) Schema() Schema {
	a := fileArgs()
	a["path"] = Arg{Type: TypePath, Required: true, Aliases: []string{"dest"}}
	a["section"] = Arg{Type: TypeString}
	a["section_has_values"] = Arg{Type: TypeList}
	a["option"] = Arg{Type: TypeString}
	a["value"] = Arg{Type: TypeString}
	a["values"] = Arg{Type: TypeList}
	a["backup"] = Arg{Type: TypeBool, Default: false}
	a["state"] = Arg{Type: TypeString, Default: "present", Choices: []string{"absent", "present"}}
	a["exclusive"] = Arg{Type: TypeBool, Default: true}
	a["no_extra_spaces"] = Arg{Type: TypeBool, Default: false}
	a["ignore_spaces"] = Arg{Type: TypeBool, Default: false}
	a["allow_no_value"] = Arg{Type: TypeBool, Default: false}
	a["modify_inactive_option"] = Arg{Type: TypeBool, Default: true}
	a["create"] = Arg{Type: TypeBool, Default: true}
	a["follow"] = Arg{Type: TypeBool, Default: false}
	return Schema{
		Args:              a,
		MutuallyExclusive: [][]string{{"value", "values"}},
		Unsupported:       unsupportedFileArgs(),
	}
}

// iniCond is one entry of section_has_values.
type iniCond struct {
	option string
	values []string
}

// iniParams are do_ini's parameters.
type iniParams struct {
	section        string // "" (or null): before the first section
	shv            []iniCond
	hasSHV         bool // section_has_values given (None in Python otherwise)
	option         string
	hasOption      bool // option given (not None)
	values         []string
	present        bool
	exclusive      bool
	noExtraSpaces  bool
	ignoreSpaces   bool
	allowNoValue   bool
	modifyInactive bool
}

// iniFakeSection is the module's fake section name for the lines before
// the first header.
const iniFakeSection = "ad01e11446efb704fcdbdb21f2c43757423d91c5"

// pySpaceClass is Python's \s for str patterns (str.isspace()).
const pySpaceClass = `[\t\n\v\f\r \x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

var iniBlankOrComment = regexp.MustCompile(`^[ \t]*([#;].*)?$`)

// iniCrash is the Python exception do_ini dies with.
type iniCrash struct{ msg string }

// iniMatcher compiles match_opt (active false) or match_active_opt for an
// option. Lines are matched without their final newline: Python's `$`
// also matches just before it, and `.` never crosses it.
func iniMatcher(option string, active bool) func(line string) []string {
	pre := `^( |\t)*([#;]?)`
	if active {
		pre = `^()()`
	}
	re := regexp.MustCompile(pre + `( |\t)*(` + regexp.QuoteMeta(option) + `)( |\t)*(=|$)( |\t)*(.*)`)
	return func(line string) []string {
		return re.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
	}
}

func strIn(s string, l []string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// iniDecode reads the file as the module does: UTF-8 with a BOM dropped,
// universal newlines, split after each LF.
func iniDecode(content []byte) ([]string, error) {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(content) {
		return nil, fmt.Errorf("'utf-8' codec can't decode the file: it is not valid UTF-8")
	}
	s := strings.ReplaceAll(string(content), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return splitKeepEnds([]byte(s)), nil
}

// doIni is the module's do_ini on the file's lines (nil for a file that
// does not exist): the new content, whether the module writes it, and its
// message. A non-nil crash is the Python exception it raises.
func doIni(lines []string, p iniParams) (after string, changed bool, msg string, crash *iniCrash) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(iniCrash)
			if !ok {
				panic(r)
			}
			crash = &c
		}
	}()
	// deduplicate entries in values
	var values []string
	for _, v := range p.values {
		if !strIn(v, values) {
			values = append(values, v)
		}
	}
	option := p.option
	optionSet := p.hasOption && option != "" // Python's `if option`
	iniLines := append([]string{}, lines...)
	if len(iniLines) == 0 {
		iniLines = append(iniLines, "\n")
	}
	if last := iniLines[len(iniLines)-1]; last == "" || !strings.HasSuffix(last, "\n") {
		iniLines[len(iniLines)-1] += "\n"
		changed = true
	}
	iniLines = append([]string{"[" + iniFakeSection + "]"}, iniLines...)
	iniLines = append(iniLines, "[")
	section := p.section
	if section == "" {
		section = iniFakeSection
	}
	withinSection := false
	sectionStart, sectionEnd := 0, 0
	msg = "OK"
	assignment := func(o, v string) string {
		if p.noExtraSpaces {
			return o + "=" + v + "\n"
		}
		return o + " = " + v + "\n"
	}
	optionNoValuePresent := false
	sectionPattern := regexp.MustCompile(`^\[` + pySpaceClass + `*` + regexp.QuoteMeta(pyStripSpace(section)) + pySpaceClass + `*]`)

	matchers := map[string]func(string) []string{}
	matchOpt := func(o, line string) []string {
		m, ok := matchers[o]
		if !ok {
			m = iniMatcher(o, false)
			matchers[o] = m
		}
		return m(line)
	}
	checkSectionHasValues := func(sectionLines []string) bool {
		if !p.hasSHV {
			return true
		}
		for _, cond := range p.shv {
			found := false
			for _, line := range sectionLines {
				if m := matchOpt(cond.option, line); m != nil && (len(cond.values) == 0 || strIn(m[8], cond.values)) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}

	for index, line := range iniLines {
		// end of section
		if withinSection && strings.HasPrefix(line, "[") {
			if checkSectionHasValues(iniLines[sectionStart:index]) {
				sectionEnd = index
				break
			}
			// look for another section
			withinSection = false
			sectionStart, sectionEnd = 0, 0
		}
		// find start and end of section
		if sectionPattern.MatchString(line) {
			withinSection = true
			sectionStart = index
		}
	}
	before := append([]string{}, iniLines[:sectionStart]...)
	sectionLines := append([]string{}, iniLines[sectionStart:sectionEnd]...)
	afterLines := append([]string{}, iniLines[sectionEnd:]...)
	changedLines := make([]bool, len(sectionLines))

	// match_function: Python's re.escape(None) raises when no option was
	// given.
	var optMatcher, activeMatcher func(string) []string
	if p.hasOption {
		optMatcher = iniMatcher(option, false)
		activeMatcher = iniMatcher(option, true)
	}
	noOption := func(string) []string {
		panic(iniCrash{"TypeError: decoding to str: need a bytes-like object, NoneType found"})
	}
	if optMatcher == nil {
		optMatcher, activeMatcher = noOption, noOption
	}
	matchFunction := activeMatcher
	if p.modifyInactive {
		matchFunction = optMatcher
	}
	updateSectionLine := func(index int, newline string) {
		optionChanged, decided := false, false
		if p.ignoreSpaces {
			old := optMatcher(sectionLines[index])
			if old == nil {
				panic(iniCrash{"AttributeError: 'NoneType' object has no attribute 'group'"})
			}
			if old[2] == "" {
				nm := optMatcher(newline)
				if nm == nil {
					panic(iniCrash{"AttributeError: 'NoneType' object has no attribute 'group'"})
				}
				optionChanged, decided = old[8] != nm[8], true
			}
		}
		if !decided {
			optionChanged = sectionLines[index] != newline
		}
		if optionChanged {
			sectionLines[index] = newline
			changed = true
			msg = "option changed"
		}
		changedLines[index] = true
	}
	removeValue := func(v string) {
		for i, x := range values {
			if x == v {
				values = append(values[:i:i], values[i+1:]...)
				return
			}
		}
	}

	// 1. edit all lines where we have a option=value pair with a matching
	// value in values, 2. edit the remaining lines with the option, 3.
	// delete remaining ones, 4. insert missing lines at the end of the
	// section.
	if p.present && optionSet {
		for index, line := range sectionLines {
			m := matchFunction(line)
			if m == nil {
				continue
			}
			if len(values) > 0 && strIn(m[8], values) {
				matched := m[8]
				var newline string
				if matched == "" && p.allowNoValue {
					newline = option + "\n"
					optionNoValuePresent = true
				} else {
					newline = assignment(option, matched)
				}
				updateSectionLine(index, newline)
				removeValue(matched)
			} else if len(values) == 0 && p.allowNoValue {
				updateSectionLine(index, option+"\n")
				optionNoValuePresent = true
				break
			}
		}
	}
	if p.present && p.exclusive && !p.allowNoValue {
		if len(values) > 0 {
			for index, line := range sectionLines {
				if !changedLines[index] && matchFunction(line) != nil {
					v := values[0]
					values = values[1:]
					updateSectionLine(index, assignment(option, v))
					if len(values) == 0 {
						break
					}
				}
			}
		}
		for index := len(sectionLines) - 1; index > 0; index-- {
			if !changedLines[index] && matchFunction(sectionLines[index]) != nil {
				sectionLines = append(sectionLines[:index:index], sectionLines[index+1:]...)
				changedLines = append(changedLines[:index:index], changedLines[index+1:]...)
				changed = true
				msg = "option changed"
			}
		}
	}
	if p.present {
		for index := len(sectionLines); index > 0; index-- {
			if iniBlankOrComment.MatchString(strings.TrimSuffix(sectionLines[index-1], "\n")) {
				continue
			}
			if optionSet && len(values) > 0 {
				for i := len(values) - 1; i >= 0; i-- {
					sectionLines = insertAt(sectionLines, index, assignment(option, values[i]))
					msg = "option added"
					changed = true
				}
			} else if optionSet && len(values) == 0 && p.allowNoValue && !optionNoValuePresent {
				sectionLines = insertAt(sectionLines, index, option+"\n")
				msg = "option added"
				changed = true
			}
			break
		}
	}
	if !p.present {
		if optionSet {
			if p.exclusive || len(values) > 0 {
				var kept []string
				for _, line := range sectionLines {
					m := activeMatcher(line)
					if m != nil && (p.exclusive || strIn(m[8], values)) {
						continue
					}
					kept = append(kept, line)
				}
				if len(kept) != len(sectionLines) {
					changed = true
					msg = "option changed"
					sectionLines = kept
				}
			}
		} else if len(sectionLines) > 0 {
			// drop the entire section
			sectionLines = nil
			msg = "section removed"
			changed = true
		}
	}

	// reassemble, and remove the fake section lines (the first and the
	// last line, whatever they now are)
	out := append(append(before, sectionLines...), afterLines...)
	out = out[1:]
	if len(out) > 0 {
		out = out[:len(out)-1]
	}
	if !withinSection && p.present {
		out = append(out, "["+section+"]\n")
		msg = "section and option added"
		for _, cond := range p.shv {
			if cond.option != option || !p.hasOption {
				if len(cond.values) > 0 {
					for _, v := range cond.values {
						out = append(out, assignment(cond.option, v))
					}
				} else if p.allowNoValue {
					out = append(out, cond.option+"\n")
				}
			} else if !p.exclusive {
				for _, v := range cond.values {
					if !strIn(v, values) {
						values = append(values, v)
					}
				}
			}
		}
		switch {
		case optionSet && len(values) > 0:
			for _, v := range values {
				out = append(out, assignment(option, v))
			}
		case optionSet && len(values) == 0 && p.allowNoValue:
			out = append(out, option+"\n")
		default:
			msg = "only section added"
		}
		changed = true
	}
	return strings.Join(out, ""), changed, msg, nil
}

// iniSectionHasValues parses section_has_values as the module's sub-spec.
func iniSectionHasValues(v any) ([]iniCond, error) {
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case map[string]any:
		items = []any{x}
	default:
		return nil, fmt.Errorf("Elements value for option 'section_has_values' is of type %T and we were unable to convert to dict", v)
	}
	var out []iniCond
	for _, it := range items {
		d, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Elements value for option 'section_has_values' is of type %T and we were unable to convert to dict", it)
		}
		var unknown []string
		for k := range d {
			if k != "option" && k != "value" && k != "values" {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return nil, fmt.Errorf("Unsupported parameters for (community.general.ini_file) module: %s found in section_has_values. Supported parameters include: option, value, values.", strings.Join(unknown, ", "))
		}
		if d["option"] == nil {
			return nil, fmt.Errorf("missing required arguments: option found in section_has_values")
		}
		if d["value"] != nil && d["values"] != nil {
			return nil, fmt.Errorf("parameters are mutually exclusive: value|values found in section_has_values")
		}
		c := iniCond{option: pyStrArg(d["option"]), values: []string{}}
		if d["value"] != nil {
			c.values = []string{pyStrArg(d["value"])}
		} else if d["values"] != nil {
			c.values = pyStrListArg(d["values"])
		}
		out = append(out, c)
	}
	return out, nil
}

func (iniFileModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	p := argString(args, "path")
	if p == "" {
		p = argString(args, "dest")
	}
	if p == "" {
		return Fail("missing required arguments: path")
	}
	ip := iniParams{
		section:        pyStrArg(args["section"]),
		present:        strArg(args, "state", "present") != "absent",
		exclusive:      argBool(args, "exclusive", true),
		noExtraSpaces:  argBool(args, "no_extra_spaces", false),
		ignoreSpaces:   argBool(args, "ignore_spaces", false),
		allowNoValue:   argBool(args, "allow_no_value", false),
		modifyInactive: argBool(args, "modify_inactive_option", true),
	}
	if o, ok := args["option"]; ok && o != nil {
		ip.option, ip.hasOption = pyStrArg(o), true
	}
	value, hasValue := args["value"]
	hasValue = hasValue && value != nil
	rawValues, hasValues := args["values"]
	hasValues = hasValues && rawValues != nil
	if hasValue && hasValues {
		return Fail("parameters are mutually exclusive: value|values")
	}
	var values []string
	if hasValues {
		values = pyStrListArg(rawValues)
	}
	if ip.present && !ip.allowNoValue && !hasValue && len(values) == 0 {
		return Fail("Parameter 'value(s)' must be defined if state=present and allow_no_value=False.")
	}
	if hasValue {
		values = []string{pyStrArg(value)}
	}
	ip.values = values
	if v, ok := args["section_has_values"]; ok && v != nil {
		shv, err := iniSectionHasValues(v)
		if err != nil {
			return Fail(err.Error())
		}
		ip.shv, ip.hasSHV = shv, true
	}
	follow := argBool(args, "follow", false)

	st, fr := remoteStat(ctx, env, p, statOpts{Follow: true, Checksum: "sha1", Content: true, Resolve: follow})
	if fr != nil {
		return fr
	}
	target := p
	if follow && st.IsLnk && st.LnkReal != "" {
		target = st.LnkReal
	}
	if st.IsDir {
		return Fail(fmt.Sprintf("[Errno 21] Is a directory: '%s'", target))
	}
	var lines []string
	if st.Exists {
		if !st.HasContent {
			return Fail(fmt.Sprintf("could not read %s", target))
		}
		var err error
		if lines, err = iniDecode(st.Content); err != nil {
			return Fail(fmt.Sprintf("%s: %v", target, err))
		}
	} else if !argBool(args, "create", true) {
		return Result{"failed": true, "changed": false, "rc": 257, "msg": fmt.Sprintf("Destination %s does not exist!", target)}
	}
	after, changed, msg, crash := doIni(lines, ip)
	if crash != nil {
		return Fail("MODULE FAILURE: " + crash.msg)
	}
	res := Result{"failed": false, "changed": changed, "msg": msg, "path": p}
	if env.Diff {
		res["diff"] = map[string]any{"before": strings.Join(lines, ""), "after": after,
			"before_header": p + " (content)", "after_header": p + " (content)"}
	}
	if env.Check || (!changed && !st.Exists) {
		// The module applies mode/owner/group only outside check mode
		// and to a file that exists.
		return fileResult(res, st)
	}
	r := applyFile(ctx, env, args, target, st, []byte(after), changed, !st.DirExists, res)
	if !r.Failed() && !r.Unreachable() {
		r["msg"] = msg
		r["path"] = p
	}
	return r
}
