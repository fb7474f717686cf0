"""Compile a .NET regular expression to the small program ``_regex`` runs (see its docstring).

The pattern is translated to Python syntax, parsed by ``re``'s own parser, and turned into
instructions: CHAR (a predicate on one character), SPLIT (two ways, the first preferred), JMP,
SAVE (a capture or loop register), ASSERT (anchors), LOOK (a lookaround sub-program), MATCH, CHECK
(leave a loop whose iteration matched nothing). Counted repeats are unrolled.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any, Callable

__all__ = [
    "ASSERT", "CHAR", "CHECK", "JMP", "LOOK", "MATCH", "MAX_PATTERN", "MAX_PROGRAM", "SAVE", "SPLIT", "RegexError",
    "compile_pattern",
]

try:  # Python 3.11+: the sre_* modules are deprecated aliases that warn on import
    _parser: Any = importlib.import_module("re._parser")
    _constants: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    _parser = importlib.import_module("sre_parse")
    _constants = importlib.import_module("sre_constants")

#: Longest pattern accepted (characters); the parser recurses on nesting.
MAX_PATTERN = 2_000
#: Most instructions a compiled pattern may have (counted repeats are unrolled).
MAX_PROGRAM = 5_000

CHAR, SPLIT, JMP, SAVE, ASSERT, LOOK, MATCH, CHECK = range(8)
_CATEGORIES: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdecimal(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}
_I, _M, _S = re.IGNORECASE, re.MULTILINE, re.DOTALL


class RegexError(ValueError):
    """The pattern is invalid, uses an unsupported construct, or needs more work than the bounds allow."""


def _translate(pattern: str) -> str:
    """.NET syntax -> Python syntax: (?<name>...) and (?'name'...) groups, \\z and \\Z anchors."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            pair = pattern[i:i + 2]
            out.append("\\Z" if pair == "\\z" and not in_class else
                       "(?=\\n?\\Z)" if pair == "\\Z" and not in_class else pair)
            i += 2
        elif in_class:
            in_class = c != "]"
            out.append(c)
            i += 1
        elif c == "[":
            in_class = True
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"  # a ']' first in a class is a literal
            out.append(pattern[i:j])
            i = j
        elif pattern.startswith("(?<", i) and pattern[i + 3:i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
        elif pattern.startswith("(?'", i) and "'" in pattern[i + 3:]:
            end = pattern.index("'", i + 3)
            out.append(f"(?P<{pattern[i + 3:end]}>")
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _literal(code: int, flags: int, negate: bool) -> Callable[[str], bool]:
    char = chr(code)
    if flags & _I:
        variants = {char, char.lower(), char.upper()}
        return lambda c: (c in variants or c.lower() in variants) != negate
    return lambda c: (c == char) != negate


def _char_class(items: Any, flags: int) -> Callable[[str], bool]:
    negate, chars, ranges, tests = False, set(), [], []
    for op, av in items:
        name = op.name
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.add(chr(av))
        elif name == "RANGE":
            ranges.append((av[0], av[1]))
        elif name == "CATEGORY" and av.name in _CATEGORIES:
            tests.append(_CATEGORIES[av.name])
        else:
            raise RegexError(f"the character class item {name} is not supported")

    def one(c: str) -> bool:
        return c in chars or any(lo <= ord(c) <= hi for lo, hi in ranges) or any(t(c) for t in tests)

    if flags & _I:
        return lambda c: any(one(v) for v in {c, c.lower(), c.upper()} if len(v) == 1) != negate
    return lambda c: one(c) != negate


class _Compiler:
    def __init__(self, slots: list[int]) -> None:
        self.prog: list[list[Any]] = []
        self.slots = slots  # shared with lookaround sub-programs: [next free register slot]
        self.loops: list[int] = []  # registers of the unbounded loops being compiled, innermost last

    def emit(self, *instruction: Any) -> int:
        if len(self.prog) >= MAX_PROGRAM:
            raise RegexError(f"the pattern compiles to more than {MAX_PROGRAM} instructions")
        # The last field is the register of the innermost loop: part of the visited-map key (see run).
        self.prog.append([*instruction, self.loops[-1] if self.loops else -1])
        return len(self.prog) - 1

    def seq(self, items: Any, flags: int) -> None:
        for op, av in items:
            self.node(op.name, av, flags)

    def node(self, name: str, av: Any, flags: int) -> None:
        if name in ("LITERAL", "NOT_LITERAL"):
            self.emit(CHAR, _literal(av, flags, name == "NOT_LITERAL"))
        elif name == "ANY":
            self.emit(CHAR, (lambda c: True) if flags & _S else (lambda c: c != "\n"))
        elif name == "IN":
            self.emit(CHAR, _char_class(av, flags))
        elif name == "AT":
            self.emit(ASSERT, av.name, bool(flags & _M))
        elif name == "BRANCH":
            jumps = []
            for alternative in av[1][:-1]:
                split = self.emit(SPLIT, 0, 0)
                self.seq(alternative, flags)
                jumps.append(self.emit(JMP, 0))
                self.prog[split][1:3] = [split + 1, len(self.prog)]
            self.seq(av[1][-1], flags)
            for jump in jumps:
                self.prog[jump][1] = len(self.prog)
        elif name == "SUBPATTERN":
            group, add, remove, items = av
            inner = (flags | add) & ~remove
            if group:
                self.emit(SAVE, 2 * group)
            self.seq(items, inner)
            if group:
                self.emit(SAVE, 2 * group + 1)
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            self.repeat(av, flags, greedy=name == "MAX_REPEAT")
        elif name in ("ASSERT", "ASSERT_NOT"):
            direction, items = av
            sub = _Compiler(self.slots)
            sub.seq(items, flags)
            sub.emit(MATCH)
            width: int | None = None
            if direction < 0:
                low, high = items.getwidth()
                if low != high:
                    raise RegexError("a lookbehind must have a fixed width")
                width = low
            self.emit(LOOK, sub.prog, name == "ASSERT_NOT", width)
        else:
            raise RegexError(f"the construct {name} (backreference, conditional, atomic) is not supported")

    def repeat(self, av: Any, flags: int, greedy: bool) -> None:
        low, high, items = av
        if low > MAX_PROGRAM or (high != _constants.MAXREPEAT and high > MAX_PROGRAM):
            raise RegexError(f"a repeat count above {MAX_PROGRAM} is not supported")
        for _ in range(low):
            self.seq(items, flags)
        if high == _constants.MAXREPEAT:
            # An iteration that matched nothing leaves the loop instead of looping again (as .NET and re
            # do); the register holds where the iteration began. This also keeps the graph acyclic per
            # position, which the visited map needs for leftmost-first results.
            register = self.slots[0]
            self.slots[0] += 1
            loop = self.emit(SPLIT, 0, 0)
            self.loops.append(register)
            self.emit(SAVE, register)
            self.seq(items, flags)
            check = self.emit(CHECK, register, loop, 0)
            self.loops.pop()
            self.prog[check][3] = len(self.prog)
            self.prog[loop][1:3] = [loop + 1, len(self.prog)] if greedy else [len(self.prog), loop + 1]
            return
        splits = []
        for _ in range(high - low):
            splits.append(self.emit(SPLIT, 0, 0))
            self.seq(items, flags)
        for split in splits:
            self.prog[split][1:3] = [split + 1, len(self.prog)] if greedy else [len(self.prog), split + 1]


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> tuple[list[list[Any]], dict[str, int], int]:
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"the pattern has more than {MAX_PATTERN} characters")
    try:
        parsed = _parser.parse(_translate(pattern), 0)
    except RecursionError:
        raise RegexError("the pattern is nested too deeply") from None
    except re.error as exc:
        raise RegexError(f"the pattern is not a valid regular expression ({exc})") from None
    slots = [2 * parsed.state.groups]
    compiler = _Compiler(slots)
    compiler.seq(parsed, parsed.state.flags)
    compiler.emit(MATCH)
    return compiler.prog, dict(parsed.state.groupdict), slots[0]


