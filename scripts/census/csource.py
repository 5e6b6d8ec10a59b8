"""Just enough C for a grep-level census: comments and string contents blanked (line
numbers kept), #define and enum constants, function extents and statement clauses."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path


def blank(text: str) -> str:
    """The text with comments and the contents of string/char literals replaced by spaces;
    newlines stay, so offsets and line numbers are those of the file."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j, n - 1)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j]) + text[j])
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in "/\"'":
                j += 1
            if j == i:
                j += 1
            out.append(text[i:j])
            i = j
    return "".join(out)


NUM = re.compile(r"^\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?$")
DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$", re.M)
FUNC_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)[ \t]*((?:.*\\\n)*.*)$", re.M)
ENUM = re.compile(r"\benum\b[^{;=()]*\{([^}]*)\}", re.S)


def number(text: str) -> int | None:
    m = NUM.match(text.strip())
    if not m:
        return None
    return int(m.group(1), 16) if m.group(1)[:2].lower() == "0x" else int(m.group(1))


@dataclass
class Constants:
    """Object-like #defines and enum members: name -> expression text / value."""

    raw: dict[str, str] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)

    def add_text(self, code: str) -> None:
        for m in DEFINE.finditer(code):
            if "(" in m.group(0).split(m.group(1), 1)[1][:1]:
                continue  # function-like
            self.raw.setdefault(m.group(1), m.group(2).rstrip("\\ \t"))
        for body in ENUM.findall(code):
            nxt = 0
            for item in body.split(","):
                item = item.strip()
                if not item:
                    continue
                name, _, expr = item.partition("=")
                name = name.strip()
                if not re.fullmatch(r"\w+", name):
                    break
                if expr.strip():
                    v = self.value(expr.strip())
                    if v is None:
                        break
                    nxt = v
                self.values.setdefault(name, nxt)
                nxt += 1

    def value(self, expr: str, depth: int = 0) -> int | None:
        expr = expr.strip()
        while expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1]):
            expr = expr[1:-1].strip()
        expr = re.sub(r"^\((?:u8|u16|u32|int|unsigned int)\)\s*", "", expr)
        v = number(expr)
        if v is not None:
            return v
        if expr in self.values:
            return self.values[expr]
        if depth < 6 and expr in self.raw:
            v = self.value(self.raw[expr], depth + 1)
            if v is not None:
                self.values[expr] = v
            return v
        m = re.fullmatch(r"(.+?)\s*(<<|\||\+)\s*(.+)", expr)
        if m and depth < 6 and _balanced(m.group(1)) and _balanced(m.group(3)):
            a, b = self.value(m.group(1), depth + 1), self.value(m.group(3), depth + 1)
            if a is not None and b is not None:
                return {"<<": a << b if b < 32 else None, "|": a | b, "+": a + b}[m.group(2)]
        return None


def _balanced(s: str) -> bool:
    d = 0
    for c in s:
        d += c == "("
        d -= c == ")"
        if d < 0:
            return False
    return d == 0


def function_macros(code: str) -> dict[str, tuple[list[str], str]]:
    out = {}
    for m in FUNC_DEFINE.finditer(code):
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        out[m.group(1)] = (params, m.group(3).replace("\\\n", " "))
    return out


class Source:
    """One C file: its blanked text, line lookup, functions and clauses."""

    def __init__(self, path: Path, rel: str):
        self.path, self.rel = path, rel
        self.text = path.read_text(encoding="utf-8", errors="replace")
        self.code = blank(self.text)
        self._nl = [m.start() for m in re.finditer("\n", self.code)]
        self._funcs: list[tuple[int, int, str]] | None = None

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self._nl, pos) + 1

    def functions(self) -> list[tuple[int, int, str]]:
        """(start, end, name) of every function body (a '{' at depth 0 after ')'); macro
        bodies count when a #define's text holds the match."""
        if self._funcs is None:
            funcs, depth, start, name = [], 0, 0, ""
            code = self.code
            for m in re.finditer(r"[{}]", code):
                if m.group() == "{":
                    if depth == 0:
                        head = code[max(0, m.start() - 400):m.start()]
                        hm = re.search(r"(\w+)\s*\([^;{}]*\)\s*(?:__\w+(?:\([^)]*\))?\s*)*$", head)
                        name = hm.group(1) if hm else ""
                        start = m.start()
                    depth += 1
                else:
                    depth = max(0, depth - 1)
                    if depth == 0:
                        funcs.append((start, m.end(), name))
            self._funcs = funcs
        return self._funcs

    def function_at(self, pos: int) -> tuple[int, int, str]:
        for s, e, n in self.functions():
            if s <= pos < e:
                return s, e, n
        # a #define line (inline predicate macros) is its own scope
        ls = self.code.rfind("\n", 0, pos) + 1
        dm = re.match(r"[ \t]*#[ \t]*define[ \t]+(\w+)", self.code[ls:])
        if dm:
            end = ls
            while True:
                e = self.code.find("\n", end)
                e = len(self.code) if e < 0 else e
                if not self.code[:e].rstrip().endswith("\\"):
                    break
                end = e + 1
            return ls, e, dm.group(1)
        return 0, len(self.code), ""

    def clause(self, pos: int) -> tuple[int, int]:
        """From the previous ';', '{' or '}' to the next ';' or '{', with parentheses kept
        whole (a 'for (;;)' head or a condition spanning lines stays one clause)."""
        code = self.code
        s = pos
        depth = 0
        while s > 0:
            c = code[s - 1]
            if c == ")":
                depth += 1
            elif c == "(":
                if depth == 0:
                    pass
                else:
                    depth -= 1
            elif c in ";{}" and depth == 0:
                break
            elif c == "\n" and re.match(r"[ \t]*#", code[s:]) and depth == 0:
                break
            s -= 1
        while True:  # preprocessor lines before the clause are not part of it
            m = re.match(r"\s*#[^\n]*(?:\\\n[^\n]*)*\n", code[s:pos])
            if not m:
                break
            s += m.end()
        e = pos
        depth = 0
        n = len(code)
        while e < n:
            c = code[e]
            if c == "(":
                depth += 1
            elif c == ")":
                depth = max(0, depth - 1)
            elif c in ";{" and depth == 0:
                break
            elif c == "}" and depth == 0:
                break
            elif c == "\n" and depth == 0 and code[:e].rstrip().endswith("\\") is False and \
                    re.match(r"[ \t]*#", code[code.rfind("\n", 0, e) + 1:]):
                break
            e += 1
        return s, e

    def block_after(self, pos: int) -> str:
        """The statement or braced block that follows an if-condition ending near pos."""
        code = self.code
        i = pos
        while i < len(code) and code[i] in " \t\n":
            i += 1
        if i < len(code) and code[i] == "{":
            depth = 0
            for j in range(i, len(code)):
                if code[j] == "{":
                    depth += 1
                elif code[j] == "}":
                    depth -= 1
                    if depth == 0:
                        return code[i:j + 1]
            return code[i:]
        j = code.find(";", i)
        return code[i:j + 1 if j >= 0 else len(code)]
