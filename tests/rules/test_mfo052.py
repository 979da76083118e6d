"""MFO052 generated-fstring-escaped: an f-string of generated code must not keep doubled braces through `%`."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO052"

VALID = [
    Valid('''
def join_paths(parents):
    items = ", ".join('f"{run_id}/%s/{task_ids[%r]}"' % (p, p) for p in parents)
    return 'input_paths = ",".join([%s])' % items
''', why="single braces: % formatting leaves them for the generated f-string"),
    Valid('''
def join_paths(parents):
    return ", ".join('f"{{run_id}}/{step}/{{task_ids[{step!r}]}}"'.format(step=p) for p in parents)
''', why=".format turns the doubled braces into single ones"),
    Valid('''
def join_paths(parents):
    return ", ".join('f"{{run_id}}/%s/{{task_ids[%r]}}"'.format() % (p, p) for p in parents)
''', why="the template goes through .format before %"),
    Valid('''
def step_line(step):
    return 'print(f"{{literal}} braces for {name}")' % ()
''', why="the generated f-string has a real field: the doubled braces may be wanted"),
    Valid('''
def step_line(step):
    return 'template = "{{run_id}}/%s"' % step
''', why="not an f-string in the generated code"),
]

INVALID = [
    Invalid('''
def join_paths(parents):
    items = ", ".join('f"{{run_id}}/%s/{{task_ids[%r]}}"' % (p, p) for p in parents)
    return 'input_paths = ",".join([%s])' % items
''', rows=[3], message="`{{run_id}}`, `{{task_ids[%r]}}`", no_fix=True,
        why="a split-join's input paths emitted with doubled braces through %"),
    Invalid('''
def pathspec_line(step):
    return (
        "pathspec = f'{{flow_name}}/{{run_id}}/%s'\\n"
        "print(pathspec)" % step
    )
''', rows=[4], why="a concatenated template"),
]

test_cases = rule_cases(RULE, VALID, INVALID)
