"""A bounded matcher for the .NET regular expressions that policies carry (SetClaimsIfRegexMatch, MatchesRegex).

Python's ``re`` has no timeout, and a pattern such as ``(a+)+$`` or UT's own phone predicate can
backtrack for hours on a short input. So patterns are parsed by ``re``'s parser, compiled to a small
program, and run by a backtracking search that visits each (instruction, position) pair at most once
(as RE2's BitState does). A search therefore costs at most len(program) x (len(text) + 1) steps, and
every search is also held to ``MAX_STEPS``. Leftmost-first semantics and captures are those of
backtracking engines (.NET, ``re``). Not supported (refused with RegexError): backreferences,
conditionals, atomic groups and possessive quantifiers; captures inside lookarounds are not kept.
"""

from __future__ import annotations

from typing import Any

from ._regex_compile import ASSERT, CHAR, CHECK, JMP, LOOK, SAVE, SPLIT, RegexError, compile_pattern

__all__ = ["MAX_INPUT", "MAX_STEPS", "RegexError", "search", "validate"]

#: Longest text a pattern runs on (characters).
MAX_INPUT = 65_536
#: Most engine steps one search may take, lookarounds included: the deterministic "timeout".
MAX_STEPS = 1_000_000
_MAX_CELLS = 8_000_000  # program x text cells of the visited map


def _word(text: str, pos: int) -> bool:
    return 0 <= pos < len(text) and (text[pos].isalnum() or text[pos] == "_")


def _at(kind: str, multiline: bool, text: str, pos: int) -> bool:
    n = len(text)
    if kind == "AT_BEGINNING":
        return pos == 0 or (multiline and text[pos - 1] == "\n")
    if kind == "AT_BEGINNING_STRING":
        return pos == 0
    if kind == "AT_END":
        return pos == n or (pos < n and text[pos] == "\n" and (multiline or pos == n - 1))
    if kind == "AT_END_STRING":
        return pos == n
    if kind in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
        return (_word(text, pos - 1) != _word(text, pos)) == (kind == "AT_BOUNDARY")
    raise RegexError(f"the anchor {kind} is not supported")


class _Search:
    def __init__(self, prog: list[list[Any]], text: str, slots: int) -> None:
        self.main, self.text, self.slots, self.steps = prog, text, slots, 0
        self.looks: dict[tuple[int, int], bool] = {}

    def run(self, prog: list[list[Any]], starts: Any, end_at: int | None = None) -> list[Any] | None:
        text, n = self.text, len(self.text)
        width = n + 1
        seen: Any = bytearray(2 * len(prog) * width) if end_at is None and prog is self.main else set()
        for start in starts:
            caps: list[Any] = [None] * self.slots
            stack: list[tuple[int, Any]] = [(0, start)]
            while stack:
                pc, pos = stack.pop()
                if pc < 0:  # undo a capture on backtrack
                    caps[~pc] = pos
                    continue
                while True:
                    if prog[pc][0] == CHECK:  # not memoized: where it goes depends on the register
                        pc = prog[pc][2] if caps[prog[pc][1]] != pos else prog[pc][3]
                        continue
                    # Key: (instruction, position, whether the innermost loop's iteration is still empty),
                    # so the empty last iteration of a loop records its captures as backtracking does.
                    register = prog[pc][-1]
                    cell = 2 * (pc * width + pos) + (register >= 0 and caps[register] == pos)
                    if isinstance(seen, bytearray):
                        if seen[cell]:
                            break
                        seen[cell] = 1
                    elif cell in seen:
                        break
                    else:
                        seen.add(cell)
                    self.steps += 1
                    if self.steps > MAX_STEPS:
                        raise RegexError(f"the match needs more than {MAX_STEPS} steps on this input")
                    op = prog[pc]
                    code = op[0]
                    if code == CHAR:
                        if pos < n and op[1](text[pos]):
                            pc, pos = pc + 1, pos + 1
                            continue
                        break
                    if code == SPLIT:
                        stack.append((op[2], pos))
                        pc = op[1]
                    elif code == JMP:
                        pc = op[1]
                    elif code == SAVE:
                        stack.append((~op[1], caps[op[1]]))
                        caps[op[1]] = pos
                        pc += 1
                    elif code == ASSERT:
                        if not _at(op[1], op[2], text, pos):
                            break
                        pc += 1
                    elif code == LOOK:
                        if not self.look(op, pos):
                            break
                        pc += 1
                    elif end_at is None or pos == end_at:
                        return caps + [start, pos]
                    else:
                        break
        return None

    def look(self, op: list[Any], pos: int) -> bool:
        key = (id(op), pos)
        if key not in self.looks:
            sub, negate, width = op[1], op[2], op[3]
            if width is None:
                found = self.run(sub, (pos,)) is not None
            else:
                found = pos - width >= 0 and self.run(sub, (pos - width,), end_at=pos) is not None
            self.looks[key] = found != negate
        return self.looks[key]



def validate(pattern: str) -> None:
    """Raise RegexError if the pattern cannot be used (invalid .NET/Python syntax or unsupported)."""
    compile_pattern(pattern)


def search(pattern: str, text: str) -> dict[str, str | None] | None:
    """Regex.IsMatch semantics (match anywhere): None when no match, else the named groups' captures."""
    prog, names, slots = compile_pattern(pattern)
    if len(text) > MAX_INPUT or 2 * len(prog) * (len(text) + 1) > _MAX_CELLS:
        raise RegexError(f"the text ({len(text)} characters) is too long for this pattern")
    engine = _Search(prog, text, slots)
    caps = engine.run(prog, range(len(text) + 1))
    if caps is None:
        return None
    groups: dict[str, str | None] = {}
    for name, number in names.items():
        begin, end = caps[2 * number], caps[2 * number + 1]
        groups[name] = text[begin:end] if begin is not None and end is not None else None
    return groups
