"""JSON files that hold one value, several values one after another (JSONL, or arrays as
``gh api --paginate`` writes them), or arrays of arrays (pages): every object with the line it
starts on.

Values are decoded one element at a time with ``json.JSONDecoder.raw_decode``, so each keeps
its own line number, and a file cut short is told apart from one that is malformed.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

from productpath.errors import InputError
from productpath.ingest.tabular import read_text, text_problem

_SPACE = " \t\r\n"


def json_values(path: Path, *, expected: str) -> list[tuple[int, Any]]:
    """(line, value) for every top-level value of ``path`` that is not an array, and for every
    element of its arrays, one level down (pages). ``expected`` describes the right content for
    the messages of a file that is empty or not JSON at all.
    """
    text = read_text(path)
    problem = text_problem(path, text)
    if problem is not None:
        raise problem
    return _Scanner(path, text, expected).run()


class _Scanner:
    """Walks the top-level JSON values of a file and the elements of its arrays (one level of
    nesting: pages), noting the line each object starts on."""

    def __init__(self, path: Path, text: str, expected: str) -> None:
        self.path = path
        self.expected = expected
        self.text = text
        self.end = len(text)
        self.decoder = json.JSONDecoder()
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.found: list[tuple[int, Any]] = []

    def line_at(self, pos: int) -> int:
        return bisect_right(self.newlines, pos - 1) + 1

    def skip(self, pos: int) -> int:
        while pos < self.end and self.text[pos] in _SPACE:
            pos += 1
        return pos

    def run(self) -> list[tuple[int, Any]]:
        pos = self.skip(0)
        if pos == self.end:
            raise InputError(
                f"the file is empty (expected {self.expected})",
                file=self.path,
                line=1,
            )
        while pos < self.end:
            pos = self.array(pos, nested=False) if self.text[pos] == "[" else self.value(pos)
            pos = self.skip(pos)
        return self.found

    def value(self, pos: int) -> int:
        try:
            value, end = self.decoder.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise self.syntax_error(exc) from None
        except ValueError as exc:  # an integer too long for Python to convert
            reason = str(exc).split(";")[0]
            raise InputError(reason, file=self.path, line=self.line_at(pos)) from None
        self.found.append((self.line_at(pos), value))
        return end

    def array(self, pos: int, *, nested: bool) -> int:
        pos = self.skip(pos + 1)
        if pos < self.end and self.text[pos] == "]":
            return pos + 1
        while True:
            if pos >= self.end:
                raise self.truncated()
            if self.text[pos] == "[" and not nested:
                pos = self.array(pos, nested=True)
            else:
                pos = self.value(pos)
            pos = self.skip(pos)
            if pos >= self.end:
                raise self.truncated()
            if self.text[pos] == "]":
                return pos + 1
            if self.text[pos] != ",":
                raise InputError(
                    "invalid JSON: expected ',' or ']' after an element",
                    file=self.path,
                    line=self.line_at(pos),
                )
            pos = self.skip(pos + 1)

    def truncated(self) -> InputError:
        return InputError(
            "the file ends before its JSON array is closed (is it truncated?)",
            file=self.path,
            line=self.line_at(self.end),
        )

    def syntax_error(self, exc: json.JSONDecodeError) -> InputError:
        if exc.pos >= len(self.text.rstrip()) or exc.msg.startswith("Unterminated string"):
            return InputError(
                "the file ends in the middle of a JSON value (is it truncated?)",
                file=self.path,
                line=exc.lineno,
            )
        if not self.found and exc.pos == self.skip(0):
            return InputError(
                f"is not JSON ({exc.msg}); expected {self.expected}",
                file=self.path,
                line=exc.lineno,
            )
        return InputError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", file=self.path, line=exc.lineno
        )
