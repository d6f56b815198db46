"""GitHub Actions expressions (`${{ ... }}`), evaluated the way the runner does, for tests.

Enough of the language for this project's workflows: literals, context paths
(`needs.deploy.outputs.mode`, `github.event.repository.name`), `!`, `==`, `!=`,
`<`, `>`, `&&`/`||` (which return an operand, as GitHub's do), parentheses, and
the functions used here. Loose equality follows GitHub's documentation: strings
compare case-insensitively, mixed types compare as numbers. Also lists the
context paths an expression reads, for the static step/needs reference checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(expression: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read expression {expression!r} at {text[pos:]!r}")
        kind = match.lastgroup or ""
        out.append(Token(kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def truthy(value: Any) -> bool:
    """GitHub's truthiness: false, 0, -0, "" and null are falsy."""
    return value not in (None, False, 0, "")


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return float("nan")
    return float("nan")


def loose_equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right):
        return bool(left == right)
    return _number(left) == _number(right)


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _format(template: str, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: to_string(args[int(m.group(1))]), template)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": lambda hay, needle: (
        any(loose_equal(item, needle) for item in hay)
        if isinstance(hay, list)
        else to_string(needle).lower() in to_string(hay).lower()
    ),
    "startsWith": lambda s, p: to_string(s).lower().startswith(to_string(p).lower()),
    "endsWith": lambda s, p: to_string(s).lower().endswith(to_string(p).lower()),
    "format": _format,
    "join": lambda items, sep=",": sep.join(to_string(i) for i in items),
    "toJSON": lambda value: json.dumps(value, indent=2),
    "fromJSON": json.loads,
}
STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")


class _Parser:
    def __init__(self, expression: str, contexts: Mapping[str, Any]) -> None:
        self.toks = tokens(expression)
        self.pos = 0
        self.contexts = contexts
        self.paths: list[tuple[str, ...]] = []

    def peek(self) -> str | None:
        return self.toks[self.pos].text if self.pos < len(self.toks) else None

    def take(self, expected: str | None = None) -> Token:
        tok = self.toks[self.pos]
        if expected is not None and tok.text != expected:
            raise ValueError(f"expected {expected!r}, got {tok.text!r}")
        self.pos += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.toks):
            raise ValueError(f"unexpected {self.toks[self.pos].text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.eq()
        while self.peek() == "&&":
            self.take()
            right = self.eq()
            value = right if truthy(value) else value
        return value

    def eq(self) -> Any:
        value = self.cmp()
        while self.peek() in ("==", "!="):
            op = self.take().text
            right = self.cmp()
            same = loose_equal(value, right)
            value = same if op == "==" else not same
        return value

    def cmp(self) -> Any:
        value = self.unary()
        while self.peek() in ("<", ">", "<=", ">="):
            op = self.take().text
            a, b = _number(value), _number(self.unary())
            value = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        tok = self.take()
        if tok.text == "(":
            value = self.or_()
            self.take(")")
            return value
        if tok.kind == "str":
            return tok.text[1:-1].replace("''", "'")
        if tok.kind == "num":
            return float(tok.text)
        if tok.kind != "name":
            raise ValueError(f"unexpected {tok.text!r}")
        if self.peek() == "(":
            return self.call(tok.text)
        literal = {"true": True, "false": False, "null": None}
        if tok.text in literal:
            return literal[tok.text]
        return self.path(tok.text)

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        if name in STATUS_FUNCTIONS:
            status = self.contexts.get("__status__", "success")
            return {
                "always": True,
                "success": status == "success",
                "failure": status == "failure",
                "cancelled": False,
            }[name]
        return FUNCTIONS[name](*args)

    def path(self, root: str) -> Any:
        parts = [root]
        value: Any = self.contexts.get(root)
        while self.peek() in (".", "["):
            if self.take().text == ".":
                key = self.take().text
            else:
                key = to_string(self.or_())
                self.take("]")
            parts.append(key)
            value = value.get(key) if isinstance(value, Mapping) else None
        self.paths.append(tuple(parts))
        return value


def evaluate(expression: str, contexts: Mapping[str, Any]) -> Any:
    """The value of one expression (with or without its `${{ }}`)."""
    inner = _EMBEDDED.fullmatch(expression.strip())
    return _Parser(inner.group(1) if inner else expression, contexts).parse()


def interpolate(text: str, contexts: Mapping[str, Any]) -> str:
    """`text` with every `${{ ... }}` replaced by its value as a string."""
    return _EMBEDDED.sub(lambda m: to_string(evaluate(m.group(1), contexts)), text)


def embedded(text: str) -> Iterator[str]:
    """The expressions inside `${{ }}` in a string."""
    for match in _EMBEDDED.finditer(text):
        yield match.group(1)


def paths_read(expression: str) -> list[tuple[str, ...]]:
    """The context paths an expression reads, e.g. ('steps', 'tune', 'outputs', 'result')."""
    parser = _Parser(expression, {})
    parser.parse()
    return parser.paths
