// Code generated from Jinja2 3.1.2 and ansible-core 2.14.18 by testdata/ansible_gen; DO NOT EDIT.

package template

// literalCases: a literal as the template engine receives it; its value
// under Jinja2's rules (template files, conditions, {% %} blocks) or the
// error Jinja2 gives; its value in a playbook's {{ }} (Ansible doubles the
// backslashes first), or "" with pbErr when Ansible fails.
var literalCases = []struct {
	lit, jinja, jinjaErr, playbook string
	pbErr                          bool
}{
	{"'a\\.b'", "a\\.b", "", "a\\.b", false},
	{"\"\\d+\"", "\\d+", "", "\\d+", false},
	{"'\\s*'", "\\s*", "", "\\s*", false},
	{"'\\1'", "\x01", "", "\\1", false},
	{"'\\/'", "\\/", "", "\\/", false},
	{"'\\w'", "\\w", "", "\\w", false},
	{"'a\\nb'", "a\nb", "", "a\\nb", false},
	{"'a\\tb'", "a\tb", "", "a\\tb", false},
	{"'\\\\'", "\\", "", "\\\\", false},
	{"'it\\'s'", "it's", "", "", true},
	{"\"say \\\"hi\\\"\"", "say \"hi\"", "", "", true},
	{"'\\\"'", "\"", "", "\\\"", false},
	{"\"\\'\"", "'", "", "\\'", false},
	{"'\\x41'", "A", "", "\\x41", false},
	{"'\\u00e9'", "é", "", "\\u00e9", false},
	{"'\\U0001F600'", "😀", "", "\\U0001F600", false},
	{"'\\101'", "A", "", "\\101", false},
	{"'\\0'", "\x00", "", "\\0", false},
	{"'\\a\\b\\f\\v\\r'", "\x07\x08\x0c\x0b\r", "", "\\a\\b\\f\\v\\r", false},
	{"'\\N{BULLET}'", "•", "", "\\N{BULLET}", false},
	{"'\\N{bullet}'", "•", "", "\\N{bullet}", false},
	{"'\\N{CJK UNIFIED IDEOGRAPH-4E00}'", "一", "", "\\N{CJK UNIFIED IDEOGRAPH-4E00}", false},
	{"'\\N{HANGUL SYLLABLE GAG}'", "각", "", "\\N{HANGUL SYLLABLE GAG}", false},
	{"'\\N{GRINNING FACE}'", "😀", "", "\\N{GRINNING FACE}", false},
	{"'\\é'", "\\xe9", "", "\\é", false},
	{"'\\一'", "\\u4e00", "", "\\一", false},
	{"'é\\n'", "é\n", "", "é\\n", false},
	{"'\\x4'", "", "truncated \\xXX escape", "\\x4", false},
	{"'\\u12'", "", "truncated \\uXXXX escape", "\\u12", false},
	{"'\\U0000004'", "", "truncated \\UXXXXXXXX escape", "\\U0000004", false},
	{"'a\\\nb'", "ab", "", "a\\\nb", false},
	{"'\\\\d'", "\\d", "", "\\\\d", false},
	{"'\\\\\\d'", "\\\\d", "", "\\\\\\d", false},
	{"'\\8'", "\\8", "", "\\8", false},
	{"'\\q'", "\\q", "", "\\q", false},
	{"'C:\\temp\\new'", "C:\temp\new", "", "C:\\temp\\new", false},
	{"'^v([0-9]\\.[0-9]).*$'", "^v([0-9]\\.[0-9]).*$", "", "^v([0-9]\\.[0-9]).*$", false},
	{"'\\\\1'", "\\1", "", "\\\\1", false},
	{"\"\\\\\"", "\\", "", "\\\\", false},
	{"'a\\\\'", "a\\", "", "a\\\\", false},
	{"'\\$'", "\\$", "", "\\$", false},
	{"'\\{'", "\\{", "", "\\{", false},
	{"'\\\\' ~ 'x'", "\\x", "", "\\\\x", false},
	{"\"a\\\\\" ~ \"b\"", "a\\b", "", "a\\\\b", false},
	{"'\\777'", "ǿ", "", "\\777", false},
	{"'\\1234'", "S4", "", "\\1234", false},
	{"'\\xzz'", "", "truncated \\xXX escape", "\\xzz", false},
	{"'\\U00110000'", "", "illegal Unicode character", "\\U00110000", false},
	{"'\\N{NO SUCH NAME}'", "", "unknown Unicode character name", "\\N{NO SUCH NAME}", false},
	{"'\\N{BULLET'", "", "malformed \\N character escape", "\\N{BULLET", false},
	{"'\\N'", "", "malformed \\N character escape", "\\N", false},
	{"'a\\\"b' ~ \"c\\'d\"", "a\"bc'd", "", "a\\\"bc\\'d", false},
	{"'\\b'", "\x08", "", "\\b", false},
	{"'tab\\\tx'", "tab\\\tx", "", "tab\\\tx", false},
	{"'%s\\%'", "%s\\%", "", "%s\\%", false},
	{"'\\\\\\\\'", "\\\\", "", "\\\\\\\\", false},
	{"'\\x41\\x42' ~ '\\\\'", "AB\\", "", "\\x41\\x42\\\\", false},
	{"'a\\' ~ 'b'", "", "expected token 'end of print statement', got 'b'", "", true},
	{"['\\d', '\\\\', 'x\\y'] | join(',')", "\\d,\\,x\\y", "", "\\d,\\\\,x\\y", false},
	{"{'k\\d': '\\n'}['k\\d']", "\n", "", "\\n", false},
	{"'}}\\n'", "}}\n", "", "}}\\n", false},
	{"'\\}}'", "\\}}", "", "\\}}", false},
}

// regexCases: expressions with regular expressions; their value in a
// playbook's {{ }}, in a template file's {{ }} and as a condition (as
// Ansible renders them: None is None; ERROR when it fails).
var regexCases = []struct {
	expr, playbook, file, cond string
}{
	{"v | regex_replace(\"^v([0-9]\\.[0-9]).*$\", \"\\1\")", "1.2", "\x01", "True"},
	{"kernel | regex_replace('^(\\d+)\\.(\\d+).*', '\\2.\\1')", "10.5", "\x02.\x01", "True"},
	{"kernel | regex_replace('(\\d+)', '<\\g<1>>')", "<5>.<10>.<0>-<21>-amd<64>", "<5>.<10>.<0>-<21>-amd<64>", "True"},
	{"kernel | regex_search('\\d+\\.\\d+')", "5.10", "5.10", "True"},
	{"kernel | regex_search('^(\\d+)\\.(\\d+)', '\\2', '\\1') | join(',')", "10,5", "ERROR", "ERROR"},
	{"kernel | regex_findall('\\d+') | join(',')", "5,10,0,21,64", "5,10,0,21,64", "True"},
	{"kernel is search('\\d+-amd64$')", "True", "True", "True"},
	{"kernel is match('\\d\\.\\d')", "True", "True", "True"},
	{"kernel is match('\\d+\\.\\d+')", "True", "True", "True"},
	{"words | regex_replace('\\s+', '_')", "foo_bar_baz", "foo_bar_baz", "True"},
	{"words | regex_replace('\\t', 'T')", "foo barTbaz", "foo barTbaz", "True"},
	{"words is search('\\bbar\\b')", "True", "False", "False"},
	{"words | regex_replace('\\bbar\\b', 'X')", "foo X\tbaz", "foo bar\tbaz", "True"},
	{"words | regex_replace('(o+)', '\\\\1')", "f\\1 bar\tbaz", "foo bar\tbaz", "True"},
	{"'a/b/c' | regex_replace('\\/', '|')", "a|b|c", "a|b|c", "True"},
	{"'x.y' | regex_replace('\\.', '\\\\\\\\')", "x\\\\y", "x\\y", "True"},
	{"'a\\\\b' | length", "4", "3", "True"},
	{"'a\\nb' | length", "4", "3", "True"},
}
