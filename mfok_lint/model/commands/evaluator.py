"""The evaluator: a small abstract interpreter that builds the token lists of each scope of a module.

Lists, their growth, strings and templates, helpers of the same module and generated Python held in strings are
followed as the package docstring describes; every candidate token sequence goes through ``tokens.recognise``,
and candidates that are runs of a larger one are dropped (``_dedupe``).
"""

from __future__ import annotations

import ast
import re
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from mfok_lint.core.spans import Span
from mfok_lint.model.commands.index import _Index, _is_string_node
from mfok_lint.model.commands.prefilter import _CANDIDATE_WORD
from mfok_lint.model.commands.tokens import SUBCOMMANDS, Command, Token, recognise
from mfok_lint.model.emitted_lines import EmittedText
from mfok_lint.syntax import cstparse, visiting
from mfok_lint.syntax.names import dotted_name
from mfok_lint.syntax.offsets import node_offsets
from mfok_lint.syntax.shell_words import Word, split_commands
from mfok_lint.syntax.string_literals import (
    HOLE,
    StrText,
    brace_format,
    jinja_holes,
    literal_text,
    percent_format,
    template_variants,
)

_QUOTED_FRAGMENT = re.compile(r"""^\s*(?:[rRuU]?)(['"]).*\1\s*$""", re.DOTALL)


MAX_HELPER_DEPTH = 3


# A Python string literal followed by a comma: text that is source of list elements, not one element.
_SEVERAL_ELEMENTS = re.compile(r"""(["'])(?:(?!\1).)*\1\s*,""")


MAX_TEXT_DEPTH = 3


# ---- the evaluator -------------------------------------------------------------------------------------
Spanner = Callable[[cst.CSTNode], Optional[Span]]


class _Candidate:
    __slots__ = ("anchor", "anchor_span", "function", "generated_function", "origin", "tokens")

    def __init__(self, tokens, origin, anchor, function, anchor_span=None, generated_function=None):
        self.tokens = tokens
        self.origin = origin
        self.anchor = anchor
        self.function = function
        self.anchor_span = anchor_span
        self.generated_function = generated_function  # the function of generated Python that builds it


class _Analysis:
    """State shared by every evaluator of one file (outer module and the generated sources inside it)."""

    def __init__(self) -> None:
        self.candidates: List[_Candidate] = []
        self.generated_modules: List[cst.Module] = []
        self.helper_cache: Dict[int, Optional[List[Token]]] = {}
        self.in_progress: set = set()
        self.line_anchors: set = set()  # first calls of line-builder sequences (``model.emitted_lines``)


class _Evaluator:
    def __init__(
        self,
        analysis: _Analysis,
        index: _Index,
        spanner: Spanner,
        function: Optional[cst.FunctionDef],
        report_function: Optional[cst.FunctionDef],
        origin: str = "list",
        anchor: Optional[cst.CSTNode] = None,
        depth: int = 0,
        text_depth: int = 0,
        hole_lookup: Optional[Callable[[cst.CSTNode], Optional[Tuple[StrText, int]]]] = None,
        outer: Optional["_Evaluator"] = None,
        anchor_span: Optional[Span] = None,
    ) -> None:
        self.analysis = analysis
        self.index = index
        self.spanner = spanner
        self.function = function
        self.report_function = report_function
        self.origin = origin
        self.anchor = anchor
        self.anchor_span = anchor_span
        self.depth = depth
        self.text_depth = text_depth
        self.hole_lookup = hole_lookup
        self.outer = outer
        self.env: Dict[str, List[Token]] = {}
        self.strings: Dict[str, StrText] = {}
        self.returns: List[List[Token]] = []
        self.recording = True

    # -- recording ----------------------------------------------------------------------------------------
    def _record(self, tokens: Optional[List[Token]], node: cst.CSTNode, origin: Optional[str] = None) -> None:
        if not self.recording or not tokens:
            return
        if not any(t.kind == "literal" and t.text in SUBCOMMANDS for t in tokens):
            return
        anchor = self.anchor if self.anchor is not None else node
        self.analysis.candidates.append(
            _Candidate(
                list(tokens), origin or self.origin, anchor, self.report_function, self.anchor_span,
                self.function if self.hole_lookup is not None else None,
            )
        )

    # -- statements ---------------------------------------------------------------------------------------
    def run(self, body: Iterable[cst.CSTNode], cond: Optional[cst.BaseExpression] = None) -> None:
        for stmt in body:
            self.statement(stmt, cond)
        for name, tokens in self.env.items():
            self._record(tokens, tokens[0].span.node if tokens and tokens[0].span else self.anchor)
        self._cliargs()

    def statement(self, stmt: cst.CSTNode, cond) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, cond)
        elif isinstance(stmt, cst.If):
            self.block(stmt.body, cond or stmt.test)
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                self.statement(orelse, cond or stmt.test)
            elif isinstance(orelse, cst.Else):
                self.block(orelse.body, cond or stmt.test)
        elif isinstance(stmt, (cst.For,)):
            self.block(stmt.body, cond or stmt.iter)
            if stmt.orelse is not None:
                self.block(stmt.orelse.body, cond)
        elif isinstance(stmt, cst.While):
            self.block(stmt.body, cond or stmt.test)
        elif isinstance(stmt, cst.With):
            self.block(stmt.body, cond)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            self.block(stmt.body, cond)
            for handler in stmt.handlers:
                self.block(handler.body, cond)
            if stmt.orelse is not None:
                self.block(stmt.orelse.body, cond)
            if stmt.finalbody is not None:
                self.block(stmt.finalbody.body, cond)

    def block(self, body, cond) -> None:
        statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
        if isinstance(body, cst.SimpleStatementSuite):
            statements = [cst.SimpleStatementLine(body=body.body)]
        for stmt in statements:
            self.statement(stmt, cond)

    def small(self, small: cst.CSTNode, cond) -> None:
        if isinstance(small, cst.Assign):
            value = small.value
            for target in small.targets:
                self.assign(target.target, value, cond)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.assign(small.target, small.value, cond)
        elif isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign):
            key = _target_key(small.target)
            if key is None:
                return
            if key in self.env:
                added = self.eval_list(small.value, cond)
                if added is None:
                    added = [self._unknown(small.value, cond)]
                self.env[key] = self.env[key] + [t.guarded(cond) for t in added]
            elif key in self.strings or _is_string_node(small.value):
                text = self.eval_str(small.value)
                if key in self.strings and text is not None:
                    self.strings[key].extend(text)
        elif isinstance(small, cst.Expr):
            self.expression_statement(small.value, cond)
        elif isinstance(small, cst.Return) and small.value is not None:
            tokens = self.eval_list(small.value, None)
            if tokens is not None:
                self.returns.append(tokens)
                self._record(tokens, small.value)

    def assign(self, target, value, cond) -> None:
        if isinstance(target, cst.Subscript):
            key = _target_key(target.value)
            if key in self.env and target.slice and isinstance(target.slice[0].slice, cst.Index):
                name = self.eval_str(target.slice[0].slice.value)
                if name is not None and HOLE not in name.value:
                    self.env[key] = self.env[key] + self._dict_option(
                        target.slice[0].slice.value, name.value, value, cond
                    )
            return
        key = _target_key(target)
        if key is None:
            return
        if isinstance(value, cst.Dict) and key.startswith("self."):
            self.env[key] = self.eval_dict_options(value, cond)
            return
        tokens = self.eval_list(value, None)
        if key in self.env:
            self._record(self.env[key], value)
        if tokens is not None:
            self.env[key] = [t.guarded(cond) for t in tokens]
            self._record(tokens, value)
        else:
            self.env.pop(key, None)
            text = self.eval_str(value)
            if text is not None:
                self.strings[key] = text
            else:
                self.strings.pop(key, None)

    def expression_statement(self, value, cond) -> None:
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            key = _target_key(value.func.value)
            method = value.func.attr.value
            if key in self.env and value.args:
                arg = value.args[0].value
                if method == "append":
                    self.env[key] = self.env[key] + [t.guarded(cond) for t in self.eval_element(arg, None)]
                    return
                if method == "extend":
                    added = self.eval_list(arg, None)
                    if added is None:
                        added = [self._unknown(arg, cond)]
                    self.env[key] = self.env[key] + [t.guarded(cond) for t in added]
                    return
                if method == "insert" and len(value.args) == 2:
                    self.env[key] = self.env[key] + [self._unknown(value, cond)]
                    return
        if isinstance(value, cst.Call):
            for arg in value.args:
                tokens = self.eval_list(arg.value, None)
                self._record(tokens, arg.value)

    # -- CLIArgs shape ------------------------------------------------------------------------------------
    def _cliargs(self) -> None:
        commands = self.env.get("self.commands")
        if not commands or not any(t.kind == "literal" and t.text in SUBCOMMANDS for t in commands):
            return
        head = self.env.get("self.entrypoint") or []
        top = self.env.get("self.top_level_options") or self.env.get("self.top_level_args")
        if top is None:
            top = [Token("unknown", None, None, commands[0].span)]
        args = self.env.get("self.command_args") or []
        options = self.env.get("self.command_options") or []
        tokens = head + top + commands + args + options
        node = commands[0].span.node if commands[0].span else self.anchor
        if self.recording:
            self.analysis.candidates.append(
                _Candidate(tokens, "cliargs", self.anchor or node, self.report_function, self.anchor_span)
            )

    def eval_dict_options(self, node: cst.Dict, cond) -> List[Token]:
        tokens: List[Token] = []
        for el in node.elements:
            if isinstance(el, cst.StarredDictElement):
                tokens.append(self._unknown(el.value, cond))
                continue
            name = self.eval_str(el.key)
            if name is None or HOLE in name.value:
                tokens.append(self._unknown(el.value, cond))
                continue
            tokens.extend(self._dict_option(el.key, name.value, el.value, cond))
        return tokens

    def _dict_option(self, key_node, name: str, value, cond) -> List[Token]:
        if isinstance(value, cst.Name) and value.value in ("None", "False"):
            return []
        option = "--" + name.replace("_", "-")
        opt = Token("literal", option, key_node, self.spanner(key_node), cond, option)
        if isinstance(value, cst.Name) and value.value == "True":
            return [opt]
        maybe_absent = cond
        if isinstance(value, (cst.IfExp, cst.BooleanOperation)):
            maybe_absent = cond or value
        opt = opt.guarded(maybe_absent)
        return [opt] + [t.guarded(maybe_absent) for t in self.eval_element(value, None)]

    # -- expressions --------------------------------------------------------------------------------------
    def _unknown(self, node, cond=None) -> Token:
        return Token("unknown", None, node, self.spanner(node), cond)

    def eval_element(self, node: cst.BaseExpression, cond) -> List[Token]:
        """The token(s) of one list element."""
        span = self.spanner(node)
        if isinstance(node, cst.Call):
            # [" ".join(head + step)]: the element is one string, but the command inside it is real.
            self._record(self.eval_list(node, None), node)
        if isinstance(node, cst.Name) and node.value == HOLE * len(node.value):
            return [self._hole_token(node, cond, splat=False)]
        text = self.eval_str(node)
        if text is not None:
            if _QUOTED_FRAGMENT.match(text.value) and len(text.value.strip()) >= 2:
                return self._fragment_element(node, cond)  # '"--branch=%s"' % b: source of a literal
            return self._tokens_from_text(text, node, cond)
        return [Token("value", None, node, span, cond, HOLE)]

    def _tokens_from_text(self, text: StrText, node, cond) -> List[Token]:
        value = text.value
        span = self.spanner(node)
        if value.lstrip().startswith("-") and re.search(r"\s", value.strip()):
            # "--run-id %s" % x: one list element that a later " ".join turns into several words
            pieces = []
            for m in re.finditer(r"\S+", value):
                piece = text.slice(m.start(), m.end())
                pieces.append(self._piece_token(piece, node, cond, m.start(), m.end(), text))
            return pieces
        if HOLE in value:
            return [Token("value", None, node, span, cond, value)]
        return [Token("literal", value, node, span, cond, value)]

    def _piece_token(self, piece: StrText, node, cond, start, end, whole: StrText) -> Token:
        span = self.spanner(node)
        if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)) and span is not None:
            sub = self._map_span(whole.span(start, end))
            if sub is not None and span.start is None:
                span = sub
        if HOLE in piece.value:
            return Token("value", None, node, span, cond, piece.value)
        return Token("literal", piece.value, node, span, cond, piece.value)

    def _hole_token(self, node, cond, splat: bool) -> Token:
        found = self.hole_lookup(node) if self.hole_lookup else None
        span = self.spanner(node)
        if found is not None:
            text, index = found
            hole = text.hole_at(index)
            return Token("unknown" if splat else "value", None, hole.expr if hole else node, span, cond, HOLE)
        return Token("unknown" if splat else "value", None, node, span, cond, HOLE)

    def eval_list(self, node: cst.BaseExpression, cond) -> Optional[List[Token]]:
        if isinstance(node, (cst.List, cst.Tuple)):
            fragment = _is_fragment_list(node)
            out: List[Token] = []
            for el in node.elements:
                if isinstance(el, cst.StarredElement):
                    out.extend(self._splat(el.value, cond))
                elif fragment:
                    out.extend(self._fragment_element(el.value, cond))
                else:
                    out.extend(self.eval_element(el.value, cond))
            return out
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.eval_list(node.left, cond)
            right = self.eval_list(node.right, cond)
            if left is None and right is None:
                return None
            if left is None:
                if _is_string_node(node.left) or _is_string_node(node.right):
                    return None
                left = [self._unknown(node.left, cond)]
            if right is None:
                if _is_string_node(node.right):
                    return None
                right = [self._unknown(node.right, cond)]
            return left + right
        if isinstance(node, cst.IfExp):
            body = self.eval_list(node.body, None)
            orelse = self.eval_list(node.orelse, None)
            if body is None and orelse is None:
                return None
            guard = cond or node.test
            out = [t.guarded(guard) for t in (body or [])]
            if orelse and not (body and _same_keys(body, orelse)):
                out += [t.guarded(guard) for t in orelse]
            return out
        if isinstance(node, cst.Name):
            if node.value in self.env:
                return list(self.env[node.value])
            return None
        if isinstance(node, cst.Attribute):
            key = _target_key(node)
            if key in self.env:
                return list(self.env[key])
            return None
        if isinstance(node, cst.Call):
            return self._eval_call(node, cond)
        return None

    def _splat(self, node, cond) -> List[Token]:
        if isinstance(node, cst.Name) and node.value == HOLE * len(node.value):
            return self._resolve_hole(node, cond)
        tokens = self.eval_list(node, cond)
        if tokens is None:
            return [self._unknown(node, cond)]
        return tokens

    def _fragment_element(self, node, cond) -> List[Token]:
        """One element of a list of Python source fragments: '"step"' is a literal, 'run_id' a value."""
        text = self.eval_str(node)
        span = self.spanner(node)
        if text is None:
            return [Token("value", None, node, span, cond, HOLE)]
        source = text.value.strip()
        try:
            parsed = ast.literal_eval(source) if HOLE not in source else None
        except Exception:
            parsed = None
        if isinstance(parsed, str):
            return [Token("literal", parsed, node, span, cond, parsed)]
        m = _QUOTED_FRAGMENT.match(source)
        if m:
            inner = source[source.index(m.group(1)) + 1: source.rindex(m.group(1))]
            return [Token("value", None, node, span, cond, inner)]
        pattern = HOLE
        lead = re.match(r"""^(['"])([^'"]*)\1\s*\+""", source)
        if lead:
            pattern = lead.group(2) + HOLE
        return [Token("value", None, node, span, cond, pattern)]

    def _eval_call(self, node: cst.Call, cond) -> Optional[List[Token]]:
        func = node.func
        args = node.args
        if isinstance(func, cst.Name) and func.value in ("list", "tuple") and len(args) == 1:
            return self.eval_list(args[0].value, cond)
        if isinstance(func, cst.Name) and func.value == "repr" and len(args) == 1:
            # the source of a list, spliced into generated code (``extra_args={extra}``): that list's tokens
            return self.eval_list(args[0].value, cond)
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr == "join" and len(args) == 1 and (
                _is_string_node(func.value) or dotted_name(func.value) == "shlex"
            ):
                inner = self.eval_list(args[0].value, cond)
                if inner is None and not isinstance(args[0].value, (cst.GeneratorExp, cst.ListComp)):
                    return None
                return inner if inner is not None else [self._unknown(args[0].value, cond)]
            if attr == "split" and (
                dotted_name(func.value) == "shlex" and len(args) == 1 or (not args and _is_string_node(func.value))
            ):
                target = args[0].value if args else func.value
                text = self.eval_str(target)
                if text is None:
                    return None
                return self._shell_tokens(text, target, cond)
            if attr == "copy" and not args:
                return self.eval_list(func.value, cond)
        helper = self._helper_for(func)
        if helper is not None:
            return self._call_helper(helper)
        return None

    def _helper_for(self, func) -> Optional[cst.FunctionDef]:
        name = None
        same_class = False
        if isinstance(func, cst.Name):
            name = func.value
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in (
            "self", "cls"
        ):
            name = func.attr.value
            same_class = True
        if name is None:
            return None
        choices = self.index.by_name.get(name) or []
        if not choices:
            return None
        if same_class:
            mine = self.index.class_of.get(id(self.function)) if self.function is not None else None
            for fn, cls in choices:
                if cls is mine and cls is not None:
                    return fn
            methods = [fn for fn, cls in choices if cls is not None]
            return methods[0] if len(methods) == 1 else None
        plain = [fn for fn, cls in choices if cls is None]
        return plain[0] if len(plain) == 1 else None

    def _call_helper(self, fn: cst.FunctionDef) -> Optional[List[Token]]:
        cache = self.analysis.helper_cache
        if id(fn) in cache:
            result = cache[id(fn)]
            return list(result) if result is not None else None
        if self.depth >= MAX_HELPER_DEPTH or id(fn) in self.analysis.in_progress:
            return None
        self.analysis.in_progress.add(id(fn))
        try:
            sub = _Evaluator(
                self.analysis, self.index, self.spanner, fn, fn, self.origin, self.anchor, self.depth + 1,
                self.text_depth, self.hole_lookup, self.outer, self.anchor_span,
            )
            sub.recording = False
            sub.block(fn.body, None)
            result = sub.returns[-1] if sub.returns else None
        finally:
            self.analysis.in_progress.discard(id(fn))
        cache[id(fn)] = result
        return list(result) if result is not None else None

    # -- strings ------------------------------------------------------------------------------------------
    def eval_str(self, node) -> Optional[StrText]:
        if _is_string_node(node):
            text = literal_text(node)
            return None if text is None else jinja_holes(text)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Modulo) and _is_string_node(node.left):
                template = literal_text(node.left)
                return None if template is None else jinja_holes(percent_format(template, node.right))
            if isinstance(node.operator, cst.Add):
                left = self.eval_str(node.left)
                right = self.eval_str(node.right)
                if left is None and right is None:
                    return None
                out = StrText()
                for part, src in ((left, node.left), (right, node.right)):
                    if part is None:
                        out.append_hole(src, _origin_of(self.spanner(src)))
                    else:
                        out.extend(part)
                return out
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "format" and _is_string_node(node.func.value):
                template = literal_text(node.func.value)
                return None if template is None else brace_format(template, node)
        if isinstance(node, cst.Name):
            if node.value in self.strings:
                return self.strings[node.value]
            if self.function is not None:
                local = self.index.assigned(self.function, node.value)
                if local is not None and _is_string_node(local):
                    return literal_text(local)
            const = self.index.constants.get(node.value)
            if const is not None and _is_string_node(const):
                return literal_text(const)
        return None

    def _shell_tokens(self, text: StrText, node, cond) -> Optional[List[Token]]:
        commands, _ = split_commands(text.value)
        if len(commands) != 1:
            return None
        return [self._word_token(text, w, cond) for w in commands[0]]

    def _word_token(self, text: StrText, word: Word, cond) -> Token:
        span = self._text_span(text, word.start, word.end)
        if word.text == HOLE and not word.quoted:
            hole = text.hole_at(word.start)
            kind = "value" if hole is not None and (hole.scalar or _names_one_value(hole.name)) else "unknown"
            return Token(kind, None, hole.expr if hole else None, span, cond, HOLE)
        if HOLE in word.text or word.expands:
            return Token("value", None, None, span, cond, word.text)
        return Token("literal", word.text, None, span, cond, word.text)

    def _text_span(self, text: StrText, start: int, end: int) -> Optional[Span]:
        return self._map_span(text.span(start, end))

    def _map_span(self, span: Optional[Span]) -> Optional[Span]:
        """Spans into a string of generated source point at that source's tree: map them into the file."""
        if span is None or self.hole_lookup is None:
            return span
        outer = self.spanner(span.node)
        if outer is None:
            return None
        if span.start is None or outer.start is None:
            return outer
        return Span(outer.node, outer.start + span.start, outer.start + (span.end or span.start))

    # -- templates ----------------------------------------------------------------------------------------
    def analyse_string(self, node: cst.BaseExpression) -> None:
        text = self.eval_str(node)
        if text is None:
            return
        if _is_string_node(node) and not isinstance(node, cst.FormattedString):
            # A bare literal may be a template formatted elsewhere (``_TEMPLATE.format(**values)``).
            variants = template_variants(text)
            for variant in variants:
                if _analyse_python(self, variant, node):
                    return
            self.analyse_text(variants[0], node, try_python=False)
            return
        if not _CANDIDATE_WORD.search(text.value):
            # the word was only in a placeholder's name (``%(step_args)s``): its filler may supply it
            self.analyse_filled_template(node)
            return
        self.analyse_text(text, node)

    def analyse_filled_template(self, node: cst.BaseExpression) -> None:
        """Analyse a template only when one of its fillers supplies a subcommand."""
        text = self.eval_str(node)
        if text is None:
            return
        for hole in text.holes:
            if isinstance(hole.expr, (cst.Call, cst.Name, cst.Attribute)):
                tokens = self.fragment_tokens(hole.expr, 0)
                if tokens and any(t.kind == "literal" and t.text in SUBCOMMANDS for t in tokens):
                    self.analyse_text(text, node, force=True)
                    return

    def analyse_text(self, text: StrText, anchor: cst.CSTNode, try_python: bool = True, force: bool = False) -> None:
        if self.text_depth >= MAX_TEXT_DEPTH or not (force or _CANDIDATE_WORD.search(text.value)):
            return
        if try_python and _analyse_python(self, text, anchor):
            return
        commands, heredocs = split_commands(text.value)
        for words in commands:
            tokens = [self._word_token(text, w, None) for w in words]
            start = words[0].start
            end = words[-1].end
            self._record_text(tokens, anchor, self._text_span(text, start, end))
        for start, end in heredocs:
            body = text.slice(start, end)
            self._nested(body, anchor)

    def _nested(self, body: StrText, anchor) -> None:
        sub = _Evaluator(
            self.analysis, self.index, self.spanner, self.function, self.report_function, "template", anchor,
            self.depth, self.text_depth + 1, self.hole_lookup, self.outer, self.anchor_span,
        )
        sub.analyse_text(body, anchor)

    def _record_text(self, tokens, anchor, span) -> None:
        if not any(t.kind == "literal" and t.text in SUBCOMMANDS for t in tokens):
            return
        outer_anchor = self.anchor if self.anchor is not None else anchor
        self.analysis.candidates.append(
            _Candidate(tokens, "string" if self.text_depth == 0 and self.anchor is None else "template",
                       outer_anchor, self.report_function, span)
        )

    def _resolve_hole(self, node, cond) -> List[Token]:
        """A placeholder standing for several list elements: splice its filler's tokens when they are known."""
        found = self.hole_lookup(node) if self.hole_lookup else None
        fallback = [self._hole_token(node, cond, splat=True)]
        if found is None or self.outer is None:
            return fallback
        text, index = found
        hole = text.hole_at(index)
        if hole is None or hole.expr is None:
            return fallback
        tokens = self.outer.fragment_tokens(hole.expr, 0)
        if tokens is None:
            return fallback
        return [t.guarded(cond) for t in tokens]

    def fragment_tokens(self, expr, depth: int) -> Optional[List[Token]]:
        """Tokens of an expression that fills a list-shaped placeholder of a template."""
        if depth > 3:
            return None
        if isinstance(expr, cst.IfExp):
            body = self.fragment_tokens(expr.body, depth + 1)
            orelse = self.fragment_tokens(expr.orelse, depth + 1)
            if body is None or orelse is None:
                return None
            return [t.guarded(expr.test) for t in body + orelse]
        if isinstance(expr, cst.Name) and expr.value in self.env:
            return self._source_elements(self.env[expr.value])
        if isinstance(expr, cst.Name) and expr.value not in self.strings and self.function is not None:
            assigned = self.index.assigned(self.function, expr.value)
            if assigned is not None:
                return self.fragment_tokens(assigned, depth + 1)
        tokens = self.eval_list(expr, None)
        if tokens is not None:
            return self._source_elements(tokens)
        text = self.eval_str(expr)
        if text is None:
            return None
        if not text.value.strip():
            return []
        return _python_fragment_tokens(self, text)

    def _source_elements(self, tokens: List[Token]) -> List[Token]:
        """A list joined into a template is source text: an element that holds several Python list elements
        (``'    "--%s", str(x),' % name``) is read as those elements, and as unknown when it cannot be read."""
        out: List[Token] = []
        for tok in tokens:
            static = tok.static if tok.kind != "unknown" else None
            if static is None or not _SEVERAL_ELEMENTS.search(static):
                out.append(tok)
                continue
            text = self.eval_str(tok.expr) if tok.expr is not None else None
            inner = _python_fragment_tokens(self, text) if text is not None else None
            if inner is None:
                out.append(Token("unknown", None, tok.expr, tok.span, tok.condition))
            else:
                out.extend(t.guarded(tok.condition) for t in inner)
        return out


_ONE_VALUE_NAME = re.compile(
    r"(file|path|dir|name|id|ids|step|python|exe|executable|interpreter|root|count|index|retry|retries|attempt|"
    r"url|image|type|branch|namespace|tag|value|number|num)$",
    re.IGNORECASE,
)


def _names_one_value(name: Optional[str]) -> bool:
    """A shell placeholder named like a single value (``{flow_file}``, ``{step_name}``, ``{run_id}``) is one
    word; others (``{step_cmd}``, ``{top_args}``) may expand to several words, options included."""
    return bool(name) and bool(_ONE_VALUE_NAME.search(name))


def _origin_of(span: Optional[Span]):
    if span is None:
        return None
    return (span.node, span.start or 0)


def _same_keys(a: List[Token], b: List[Token]) -> bool:
    return [t.key for t in a] == [t.key for t in b]


def _target_key(node) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return node.value.value + "." + node.attr.value
    return None


def _is_fragment_list(node) -> bool:
    for el in node.elements:
        if isinstance(el, cst.Element) and isinstance(el.value, cst.SimpleString):
            text = literal_text(el.value)
            if text is not None and _QUOTED_FRAGMENT.match(text.value) and len(text.value.strip()) >= 2:
                return True
    return False


# ---- generated Python held in strings ---------------------------------------------------------------------
def _render_python(text: StrText) -> Tuple[str, List[int]]:
    """Python source for ``text`` plus, per source char, the index in ``text`` it came from.

    A hole alone at the start of a line stands for whole elements or statements. Inside ``[...]``/``(...)``
    it becomes ``*ǁ,`` (any number of items), inside ``{...}`` ``**ǁ,``; at statement level it is dropped, so
    ``[a,\n{more}\n "init"]`` parses and the hole is known to hold any number of items.
    """
    value = text.value
    out: List[str] = []
    mapping: List[int] = []
    line_start = True
    brackets: List[str] = []
    quote: Optional[str] = None
    i = 0
    n = len(value)
    while i < n:
        ch = value[i]
        if quote is not None:
            if ch == "\\" and i + 1 < n:
                out.append(value[i: i + 2])
                mapping.extend([i, i + 1])
                i += 2
                continue
            if value.startswith(quote, i):
                out.append(quote)
                mapping.extend(range(i, i + len(quote)))
                i += len(quote)
                quote = None
                continue
            if ch == "\n" and len(quote) == 1:
                quote = None
            out.append(ch)
            mapping.append(i)
            i += 1
            continue
        hole = text.hole_at(i) if ch == HOLE and line_start else None
        if ch == HOLE and line_start and not (hole is not None and hole.scalar):
            j = i
            while j < n and value[j] == HOLE:
                j += 1
            rest = value[j:].split("\n", 1)[0].strip()
            if not brackets:
                # Statements the template inserts: invisible to us, and a bare name would break indentation.
                rendered = ""
            else:
                star = "**" if brackets[-1] == "{" else "*"
                rendered = star + HOLE * (j - i) + ("" if rest.startswith((",", ")", "]", "}")) else ",")
            out.append(rendered)
            mapping.extend([i] * len(rendered))
            i = j
            line_start = False
            continue
        if ch in "'\"":
            quote = value[i: i + 3] if value.startswith(ch * 3, i) else ch
            out.append(quote)
            mapping.extend(range(i, i + len(quote)))
            i += len(quote)
            line_start = False
            continue
        if ch == "#":
            while i < n and value[i] != "\n":
                out.append(value[i])
                mapping.append(i)
                i += 1
            continue
        if ch in "([{":
            brackets.append(ch)
        elif ch in ")]}" and brackets:
            brackets.pop()
        out.append(ch)
        mapping.append(i)
        if ch == "\n":
            line_start = True
        elif ch not in " \t":
            line_start = False
        i += 1
    source = "".join(out)
    # Dedent: templates written inside indented code carry that indent.
    lines = source.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    if cut:
        new_out: List[str] = []
        new_map: List[int] = []
        pos = 0
        for line in lines:
            strip = min(cut, len(line) - len(line.lstrip(" \t")))
            new_out.append(line[strip:] + "\n")
            new_map.extend(mapping[pos + strip: pos + len(line)])
            newline_at = pos + len(line)
            new_map.append(mapping[newline_at] if newline_at < len(mapping) else (mapping[-1] if mapping else 0))
            pos += len(line) + 1
        source = "".join(new_out)[:-1]
        mapping = new_map[: len(source)]
    return source, mapping


def _has_code_shape(module: cst.Module) -> bool:
    class _Probe(cst.CSTVisitor):
        found = False

        def visit_List(self, node) -> None:
            _Probe.found = True

        def visit_Call(self, node) -> None:
            _Probe.found = True

    probe = _Probe()
    _Probe.found = False
    visiting.visit(module, probe)
    return _Probe.found


def _inner_spanner(text: StrText, source: str, mapping: List[int], module: cst.Module, owner: "_Evaluator"):
    spans = node_offsets(module)

    def span_for(node: cst.CSTNode) -> Optional[Span]:
        found = spans.get(node)
        if found is None:
            return None
        start, end = found
        if start >= len(mapping):
            return None
        a = mapping[start]
        b = mapping[max(start, min(end, len(mapping)) - 1)] + 1
        # the text itself may come from generated source: map through every level into the file
        return owner._map_span(text.span(a, b))

    def hole_for(node: cst.CSTNode):
        found = spans.get(node)
        if found is None:
            return None
        start = found[0]
        if start >= len(mapping):
            return None
        index = mapping[start]
        if text.value[index: index + 1] != HOLE:
            return None
        return text, index

    return span_for, hole_for


def _parse_inner(text: StrText):
    source, mapping = _render_python(text)
    if not source.strip():
        return None
    try:
        module = cstparse.parse_module(source)
    except Exception:  # not Python: the caller treats it as shell
        return None
    return source, mapping, module


def _analyse_python(outer: _Evaluator, text: StrText, anchor: cst.CSTNode) -> bool:
    parsed = _parse_inner(text)
    if parsed is None:
        return False
    source, mapping, module = parsed
    if not _has_code_shape(module):
        return False
    outer.analysis.generated_modules.append(module)
    spanner, hole_lookup = _inner_spanner(text, source, mapping, module, outer)
    index = _Index()
    visiting.visit(module, index)
    top_anchor = outer.anchor if outer.anchor is not None else anchor
    hole_owner = outer.outer if outer.outer is not None else outer

    def make(function):
        return _Evaluator(
            outer.analysis, index, spanner, function, outer.report_function, "template", top_anchor,
            outer.depth, outer.text_depth + 1, hole_lookup, hole_owner, outer.anchor_span,
        )

    make(None).run(module.body)
    for fn, _cls in index.functions:
        make(fn).run(fn.body.body if isinstance(fn.body, cst.IndentedBlock) else [fn.body])
    for node, function in index.strings:
        make(function).analyse_string(node)
    for node, function in index.line_lists:
        _analyse_line_list(make(function), node)
    return True


def _python_fragment_tokens(owner: _Evaluator, text: StrText) -> Optional[List[Token]]:
    """Tokens of a string that holds Python list elements (``'"--tag", "x",'``)."""
    wrapped = StrText("[", [None])
    wrapped.extend(text)
    wrapped.append_text("\n]", [None, None])
    parsed = _parse_inner(wrapped)
    if parsed is None:
        return None
    source, mapping, module = parsed
    if not (len(module.body) == 1 and isinstance(module.body[0], cst.SimpleStatementLine)):
        return None
    expr = module.body[0].body[0]
    if not isinstance(expr, cst.Expr) or not isinstance(expr.value, cst.List):
        return None
    spanner, hole_lookup = _inner_spanner(wrapped, source, mapping, module, owner)
    sub = _Evaluator(
        owner.analysis, _Index(), spanner, None, owner.report_function, "template", owner.anchor,
        owner.depth, owner.text_depth + 1, hole_lookup, owner, owner.anchor_span,
    )
    sub.recording = False
    return sub.eval_list(expr.value, None)


def _analyse_line_list(evaluator: _Evaluator, node: cst.List) -> None:
    """A list literal of generated source lines, joined the way the code will join them."""
    joined = StrText()
    first = True
    for el in node.elements:
        if not isinstance(el, cst.Element):
            continue
        text = evaluator.eval_str(el.value)
        if text is None:
            return
        if not first:
            joined.append_text("\n", [joined.origins[-1] if joined.origins else None])
        joined.extend(text)
        first = False
    sub = _Evaluator(
        evaluator.analysis, evaluator.index, evaluator.spanner, evaluator.function, evaluator.report_function,
        "template", evaluator.anchor or node, evaluator.depth, evaluator.text_depth, evaluator.hole_lookup,
        evaluator.outer or evaluator, evaluator.anchor_span,
    )
    _analyse_python(sub, joined, node)


# ---- entry points ---------------------------------------------------------------------------------------------
def _dedupe(commands: List[Command]) -> List[Command]:
    keyed = [(cmd, [t.key for t in cmd.tokens]) for cmd in commands]
    kept: List[Command] = []
    seen_exact = set()
    for i, (cmd, keys) in enumerate(keyed):
        sub_key = keys[cmd.subcommand_index]
        exact = tuple(keys)
        if exact in seen_exact:
            continue
        dominated = False
        for j, (other, other_keys) in enumerate(keyed):
            if i == j or len(other_keys) < len(keys):
                continue
            if other_keys[other.subcommand_index] != sub_key:
                continue
            if len(other_keys) == len(keys) and (other_keys == keys) and j > i:
                continue
            if len(other_keys) == len(keys) and other_keys == keys:
                continue
            if _contains_run(other_keys, keys):
                dominated = True
                break
        if not dominated:
            seen_exact.add(exact)
            kept.append(cmd)
    return kept


# ---- arguments of generated functions -------------------------------------------------------------------
def _fill_generated_parameters(module: cst.Module, analysis: _Analysis, scope_of) -> None:
    """A generated function that extends its command with a parameter (``cmd.extend(extra_args)``) gets that
    parameter's list from the generated calls: a template of the compiler that passes ``extra_args={extra}``,
    with ``extra`` a list (or the ``repr`` of one) the compiler built, yields the command with those tokens in
    the parameter's place, one candidate per call. Calls are found by the keyword alone, which the parameter
    names: generated call sites are text, and the callee's name often sits in another piece of it."""
    splats = []
    for cand in list(analysis.candidates):
        fn = cand.generated_function
        if fn is None:
            continue
        names = {p.name.value for p in (*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params)}
        for i, tok in enumerate(cand.tokens):
            if tok.kind == "unknown" and isinstance(tok.expr, cst.Name) and tok.expr.value in names:
                splats.append((cand, i, tok.expr.value))
    if not splats:
        return
    finder = _KeywordHoles({name for _c, _i, name in splats})
    visiting.visit(module, finder)
    fills: Dict[str, List[List[Token]]] = {}
    for name, expr, function in finder.found:
        tokens = scope_of(function).fragment_tokens(expr, 0)
        if tokens and any(t.option_name() for t in tokens):
            fills.setdefault(name, []).append(tokens)
    for cand, i, name in splats:
        hole = cand.tokens[i]
        for tokens in fills.get(name, ()):
            filled = cand.tokens[:i] + [t.guarded(hole.condition) for t in tokens] + cand.tokens[i + 1:]
            analysis.candidates.append(
                _Candidate(filled, cand.origin, cand.anchor, cand.function, cand.anchor_span)
            )


class _KeywordHoles(cst.CSTVisitor):
    """f-string fields that fill a keyword argument of generated code: ``f"run(ctx, extra_args={extra})"``."""

    def __init__(self, names: set) -> None:
        self.names = names
        self.found: List[Tuple[str, cst.BaseExpression, Optional[cst.FunctionDef]]] = []
        self._funcs: List[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._funcs.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._funcs.pop()

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        before = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                before = part.value
                continue
            m = _KEYWORD_BEFORE.search(before)
            if m and m.group(1) in self.names and part.format_spec is None:
                self.found.append((m.group(1), part.expression, self._funcs[-1] if self._funcs else None))
            before = ""


_KEYWORD_BEFORE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)=$")


def _contains_run(big: List, small: List) -> bool:
    n = len(small)
    for start in range(len(big) - n + 1):
        if big[start: start + n] == small:
            return True
    return False


def _analyse_module(
    module: cst.Module,
    index: "Optional[_Index]" = None,
    groups: FrozenSet[str] = frozenset(),
    emitted_texts: Sequence[EmittedText] = (),
) -> List[Command]:
    analysis = _Analysis()
    if index is None:
        index = _Index()
        visiting.visit(module, index)

    def outer_spanner(node: cst.CSTNode) -> Span:
        return Span(node)

    _Evaluator(analysis, index, outer_spanner, None, None).run(module.body)
    # A template's placeholders are filled from the lists its function built (``top_args.append(...)``,
    # ``step_args += [...]``): the template is read with that function's variables as they stand at its end.
    scopes: Dict[int, _Evaluator] = {}
    for fn, _cls in index.functions:
        if id(fn) not in index.interesting:
            continue  # helpers without command strings are still followed on demand from callers
        body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else [fn.body]
        scope = scopes[id(fn)] = _Evaluator(analysis, index, outer_spanner, fn, fn)
        scope.run(body)

    def scope_of(function) -> _Evaluator:
        scope = scopes.get(id(function)) if function is not None else None
        return scope if scope is not None else _Evaluator(analysis, index, outer_spanner, function, function)

    for node, function in index.strings:
        scope_of(function).analyse_string(node)
    for node, function in index.line_lists:
        _analyse_line_list(_Evaluator(analysis, index, outer_spanner, function, function), node)
    for node, function in index.filled_templates:
        scope_of(function).analyse_filled_template(node)
    for emitted in emitted_texts:
        anchor = emitted.calls[0]
        analysis.line_anchors.add(id(anchor))
        scope_of(emitted.function).analyse_text(emitted.text, anchor)

    _fill_generated_parameters(module, analysis, scope_of)

    commands = []
    for cand in analysis.candidates:
        cmd = recognise(cand.tokens, cand.origin, cand.anchor, cand.function, cand.anchor_span, groups)
        if cmd is not None:
            cmd.generated_modules = analysis.generated_modules
            if id(cand.anchor) in analysis.line_anchors and cmd.subcommand_token.span is not None:
                # written line by line: the command is where its subcommand's line is written
                cmd.anchor_span = Span(cmd.subcommand_token.span.node)
            commands.append(cmd)
    return _dedupe(commands)
