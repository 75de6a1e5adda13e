import os, sys, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goq import goq
import jinja2
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
env = jinja2.Environment()
t = Templar(loader=DataLoader(), variables={"v": "v1.2.3", "kernel": "5.10.0-21-amd64", "words": "foo bar\tbaz"})
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'litlist.py')).read())
def run(f):
    try: return f(), None
    except Exception as e: return None, str(e)
print("// Code generated from Jinja2 3.1.2 and ansible-core 2.14.18 by testdata/ansible_gen; DO NOT EDIT.\n")
print("package template\n")
print("// literalCases: a literal as the template engine receives it; its value")
print("// under Jinja2's rules (template files, conditions, {% %} blocks) or the")
print("// error Jinja2 gives; its value in a playbook's {{ }} (Ansible doubles the")
print("// backslashes first), or \"\" with pbErr when Ansible fails.")
print("var literalCases = []struct {\n\tlit, jinja, jinjaErr, playbook string\n\tpbErr bool\n}{")
for lit in lits:
    jw, je = run(lambda: env.from_string("{{ " + lit + " }}").render())
    pw, pe = run(lambda: str(t.template("{{ " + lit + " }}")))
    bw, be = run(lambda: t.template("{% set x = " + lit + " %}{{ x }}"))
    assert (bw is None) == (jw is None) and (bw == jw or jw is None), (lit, bw, jw)
    je = (je or "").split("\n")[0]
    print("\t{%s, %s, %s, %s, %s}," % (goq(lit), goq(jw or ""), goq(je), goq(pw or ""), "true" if pe else "false"))
print("}\n")
print("// regexCases: expressions with regular expressions; their value in a")
print("// playbook's {{ }}, in a template file's {{ }} and as a condition (as")
print("// Ansible renders them: None is None; ERROR when it fails).")
print("var regexCases = []struct {\n\texpr, playbook, file, cond string\n}{")
for e in regexes:
    pw, pe = run(lambda: str(t.template("{{ " + e + " }}")))
    fw, fe = run(lambda: str(t.template("{{ " + e + " }}", escape_backslashes=False)))
    cw, ce = run(lambda: t.template("{% if " + e + " %} True {% else %} False {% endif %}").strip())
    print("\t{%s, %s, %s, %s}," % (goq(e), goq("ERROR" if pe else pw), goq("ERROR" if fe else fw), goq("ERROR" if ce else cw)))
print("}")
