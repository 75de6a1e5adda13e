import sys, warnings, os
warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goq import goq
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.utils.display import Display
Display().deprecation_warnings = False
t = Templar(loader=DataLoader(), variables={
  "users": [{"authorized": ["/a.pub", "/b.pub"], "name": "alice", "opts": {"groups": ["wheel", "adm"]}},
            {"authorized": [], "name": "bob", "opts": {"groups": []}},
            {"name": "carol", "opts": {}}],
  "byname": {"x": {"k": [1, 2]}, "y": {"k": [3]}},
})
exprs = [
 "'abc' | hash", "'abc' | hash('md5')", "'abc' | hash('sha256')", "'abc' | hash('sha512')", "'abc' | hash('SHA-384')",
 "'abc' | hash('sha3_256')", "'abc' | hash('blake2b')", "'abc' | hash('blake2s')", "'abc' | hash('sha224')", "'abc' | hash('ripemd160')",
 "'abc' | hash('md5-sha1')", "'abc' | hash('sha512_256')", "'' | hash('sha1')", "123 | hash('md5')", "'é' | hash('sha1')", "'abc' | hash('nope')", "'abc' | hash('shake_128')",
 "'abc' | md5", "'abc' | sha1", "'abc' | checksum",
 "[1, 2, 3] | zip(['a', 'b']) | list", "[1, 2] | zip('xyz', [True, False, None]) | list", "'ab' | zip('cd') | list", "{'a': 2, 'b': 1} | zip([1, 2]) | list",
 "[1, 2, 3] | zip_longest(['a']) | list", "[1] | zip_longest([2, 3], fillvalue='-') | list", "[] | zip_longest([]) | list",
 "[1, 2] | product(['a', 'b']) | list", "[1, 2] | product(repeat=2) | list", "'ab' | product('c', 'de') | list", "[1, 2] | product([]) | list",
 "dict(['a', 'b'] | zip([1, 2]))", "dict(['a', 'b'] | zip([1, 2]), c=3)", "dict([['k', 'v']])", "dict({'a': 1}, b=2)", "dict(a=1)", "dict()", "dict([1, 2])", "dict(['ab', 'cd'])",
 "'http://user:pass@www.Example.com:9000/dir/index.html?query=term#frag' | urlsplit",
 "'http://user:pass@www.Example.com:9000/dir/index.html?query=term#frag' | urlsplit('hostname')",
 "'http://user:pass@www.Example.com:9000/dir/index.html?query=term#frag' | urlsplit('port')",
 "'https://[::1]:8443/x' | urlsplit", "'HTTPS://host/p;a?q' | urlsplit", "'mailto:someone@example.com' | urlsplit",
 "'//host:80' | urlsplit", "'/just/a/path?x=1' | urlsplit", "' \\thttp://h/a b ' | urlsplit", "'http://u@h' | urlsplit",
 "'http://h:abc/' | urlsplit", "'http://h:99999/' | urlsplit", "'http://[::1/' | urlsplit", "'http://h/' | urlsplit('nope')", "'http://[1.2.3.4]/' | urlsplit",
 "'ansible' | to_uuid", "'ansible' | to_uuid(namespace='6ba7b810-9dad-11d1-80b4-00c04fd430c8')", "'x' | to_uuid('{6ba7b8109dad11d180b400c04fd430c8}')", "'x' | to_uuid('urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8')", "42 | to_uuid", "'x' | to_uuid('nope')",
 "users | subelements('authorized')", "users | subelements('opts.groups', skip_missing=True)", "users | subelements('opts.groups')", "users | subelements(['opts', 'groups'], True)",
 "byname | subelements('k')", "'x' | subelements('a')", "users | subelements('name')", "users | subelements(1)",
 "['/etc', 'nginx', 'conf.d'] | path_join", "['etc/', 'x'] | path_join", "['/a', '/b', 'c'] | path_join", "'/a/b' | path_join", "['a', '', 'b'] | path_join", "['', 'b'] | path_join", "[] | path_join", "['a', 1] | path_join", "5 | path_join",
 "0 | human_readable", "1 | human_readable", "1023 | human_readable", "1024 | human_readable", "1536 | human_readable", "10485760 | human_readable", "1099511627776 | human_readable",
 "1024 | human_readable(isbits=True)", "1 | human_readable(isbits=True)", "1073741824 | human_readable(unit='M')", "1048576 | human_readable(unit='MB')", "1048576 | human_readable(unit='b')", "12.5 | human_readable",
 "-5 | human_readable", "true | human_readable", "'1024' | human_readable",
 "'1K' | human_to_bytes", "'1 KB' | human_to_bytes", "'10M' | human_to_bytes", "'1.5G' | human_to_bytes", "'2.5' | human_to_bytes", "'3.5' | human_to_bytes", "10 | human_to_bytes('M')", "'1Mb' | human_to_bytes(isbits=True)", "'1MB' | human_to_bytes(isbits=True)",
 "'1Mb' | human_to_bytes", "'1 byte' | human_to_bytes", "'4 bytes' | human_to_bytes", "'1B' | human_to_bytes", "'x' | human_to_bytes", "'1X' | human_to_bytes", "1.5 | human_to_bytes('K')", "'  7 k' | human_to_bytes", "'1 kilobyte' | human_to_bytes", "'0.5b' | human_to_bytes", "'1Kbit' | human_to_bytes(isbits=True)",
 "'%Y-%m-%d %H:%M:%S' | strftime(1700000000, utc=True)", "'%s' | strftime('1700000000.9', utc=True)", "'%a %A %b %B %c' | strftime(0, utc=True)", "'%j %U %W %V %G %u %w %Z %z' | strftime(1704067200, utc=True)", "'%-d/%-m %e %k %l %p %I' | strftime(1704096000, utc=True)",
 "'%Y' | strftime('x')", "'%Y' | strftime(-1.5, utc=True)", "'%D %T %F %R %r %x %X %C %y %g %h' | strftime(86399, utc=True)", "'%10Y|%-5d|%_3S|%^a|%#Z|%Ey|%f|%Q|%%|%' | strftime(1700000000, utc=True)",
 "'secret' | password_hash('sha512', 'mysalt')", "'secret' | password_hash('sha256', 'mysalt')", "'secret' | password_hash('md5', 'mysalt')", "'secret' | password_hash('sha512', 'mysalt', rounds=10000)", "'secret' | password_hash('sha256', 'abc', rounds=535000)",
 "'secret' | password_hash('sha256', 'abc', rounds=5000)", "'secret' | password_hash('sha512', 'mysalt', rounds=656000)", "'secret' | password_hash('md5', 'mysalt', rounds=10)", "'' | password_hash('sha512', 'x')", "'a very long password that is longer than sixty four bytes, for sure, yes indeed' | password_hash('sha512', 'abcdefghijklmnop')",
 "'a very long password that is longer than sixty four bytes, for sure, yes indeed' | password_hash('sha256', 'abcdefghijklmnop')", "'a very long password' | password_hash('md5', 'abcdefgh')", "'pässwörd' | password_hash('sha512_crypt', 'Sa.t/9')",
 "'secret' | password_hash('sha512', 'bad salt')", "'secret' | password_hash('sha512', 'abcdefghijklmnopq')", "'secret' | password_hash('md5', '123456789')", "'secret' | password_hash('des_crypt', 'ab')", "'secret' | password_hash('sha512', 'abcdefghijklmnopqrst', salt_size=20)", "'secret' | password_hash('sha512', 'x', rounds=999)",
 "'secret' | password_hash('sha512') | length", "('secret' | password_hash('sha256'))[:3]", "('secret' | password_hash('md5'))[:3]", "('secret' | password_hash('sha512', salt_size=4)) | length",
]
print("// Code generated from ansible-core 2.14.18 (Python crypt) by testdata/ansible_gen; DO NOT EDIT.\n")
print("package template\n")
print("// coreFilterCases: expressions and Ansible's \"{{ expr | to_json }}\" of")
print("// them, or ERROR.")
print("var coreFilterCases = []struct{ expr, json string }{")
for e in exprs:
    try:
        r = t.template("{{ " + e + " | to_json }}")
    except Exception as ex:
        r = "ERROR"
        print("//", e, "->", str(ex).split("\n")[0][:150])
    print("\t{%s, %s}," % (goq(e), goq(r)))
print("}")
