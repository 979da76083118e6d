"""Fuzzing the shell splitter and the string-template decoder with arbitrary text.

These two modules read text that users wrote for other languages (bash, jinja, ``%`` and ``str.format``
templates), so they must accept anything: no exception, and every offset they hand back must stay inside
the text it describes, or a diagnostic would point past the end of a string.
"""

from __future__ import annotations

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfok_lint.syntax.shell_words import split_commands
from mfok_lint.syntax.string_literals import (
    HOLE,
    StrText,
    brace_format,
    jinja_holes,
    literal_text,
    node_code,
    percent_format,
    template_variants,
)

# Text biased towards the characters the splitter and the template readers treat specially.
_SPECIAL = list("'\"\\$(){}[]%#;&|<>-\n\r\t !:.*") + ["<<EOF", "\nEOF\n", "<<-'X'", "${", "$(", "{{", "}}", "{%", "%}", "%(a)s", "%s", "{0}", "{x!r}"]
shellish = st.lists(st.one_of(st.sampled_from(_SPECIAL), st.text(max_size=6)), max_size=60).map("".join)
any_text = st.one_of(st.text(max_size=200), shellish)

FUZZ = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(any_text)
def test_split_commands_never_raises_and_offsets_stay_inside(text):
    commands, heredocs = split_commands(text)
    n = len(text)
    for words in commands:
        assert words, "an empty command is never returned"
        for word in words:
            assert 0 <= word.start < word.end <= n, (word, n)
    for start, end in heredocs:
        assert 0 <= start <= end <= n, ((start, end), n)


@FUZZ
@given(any_text)
def test_unquoted_plain_words_are_their_own_source(text):
    # A word with no quoting, escapes or expansions is exactly the text it was read from.
    commands, _ = split_commands(text)
    for words in commands:
        for word in words:
            source = text[word.start : word.end]
            if not any(c in source for c in "'\"\\$"):
                assert word.text == source


def _plain_strtext(value: str) -> StrText:
    out = StrText()
    out.append_text(value, [None] * len(value))
    return out


def _assert_consistent(text: StrText) -> None:
    assert len(text.origins) == len(text.value)
    for hole in text.holes:
        assert 0 <= hole.index < len(text.value)
        assert text.value[hole.index] == HOLE


@FUZZ
@given(any_text)
def test_template_readers_never_raise_and_keep_holes_in_place(value):
    template = _plain_strtext(value)
    for produced in (
        percent_format(template, None),
        brace_format(template, None),
        jinja_holes(template),
        *template_variants(template),
    ):
        _assert_consistent(produced)


@FUZZ
@given(any_text, st.integers(0, 40), st.integers(0, 40))
def test_slices_of_templates_stay_consistent(value, start, end):
    sliced = brace_format(_plain_strtext(value), None).slice(start, end)
    _assert_consistent(sliced)


def test_many_placeholders_in_one_template():
    # Generated code can hold very long templates; the placeholder count must not be capped.
    for template, reader in (("%s " * 12_000, percent_format), ("{} " * 12_000, brace_format)):
        produced = reader(_plain_strtext(template), None)
        assert produced.value.count(HOLE) == 12_000
        _assert_consistent(produced)


def test_brace_fields_that_look_numeric_but_are_not_indexes():
    # "²" is a digit to str.isdigit() but not a number to int(); a 5000-digit index exceeds int()'s limit.
    for template in ("{²}", "{" + "9" * 5000 + "}", "{٣}"):
        produced = brace_format(_plain_strtext(template), None)
        assert produced.value == HOLE
        _assert_consistent(produced)


def _literal_sources():
    body = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40)
    escapes = st.sampled_from(["\\n", "\\\\", "\\x41", "\\u00e9", "\\N{BULLET}", "\\777", "\\q", "{{", "}}", "\\\n"])
    pieces = st.lists(st.one_of(body, escapes), max_size=8).map("".join)
    prefixes = st.sampled_from(["", "r", "u", "R", "f", "rf", "F", "fr"])
    quotes = st.sampled_from(["'", '"', "'''", '"""'])
    return st.tuples(prefixes, quotes, pieces)


@FUZZ
@given(_literal_sources())
def test_literal_text_maps_every_character_into_its_literal(parts):
    prefix, quote, body = parts
    source = f"{prefix}{quote}{body}{quote}"
    try:
        node = cst.parse_expression(source)
    except cst.ParserSyntaxError:
        return  # not a literal Python accepts; nothing to decode
    except Exception:  # libcst rejects some f-string bodies with its own errors
        return
    decoded = literal_text(node)
    if decoded is None:
        return
    _assert_consistent(decoded)
    for origin in decoded.origins:
        if origin is None:
            continue
        origin_node, offset = origin
        assert 0 <= offset < len(node_code(origin_node)), (source, offset)
