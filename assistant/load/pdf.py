"""Child-process PDF extraction: `python -m assistant.load.pdf FILE MEMORY_BYTES`.

Runs apart from the app so that a hostile PDF (decompression bomb, cyclic
structure) can exhaust only this process, under an address-space limit.

Text a reader cannot see is left out: text drawn in an invisible render mode (3, or 7:
clipping only) or painted white (on the page's white). Only the page's own content
stream is read this way, not the forms it draws.
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

Operation = tuple[list[Any], bytes]  # operands, operator
SHOW_TEXT = (b"Tj", b"TJ", b"'", b'"')
INVISIBLE_MODES = (3, 7)
WHITE = 0.95  # a grey, RGB or (1 − CMYK) level at least this light is white on white


def main(path: str, memory_bytes: int) -> None:
    """Print {"pages": [...], "meta": {...}} as JSON, or exit 1 with one reason line."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            _fail("PDF is encrypted (password protected)")
        read = [_visible_text(reader, page) for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
        meta = {"title": str(title)} if title else {}
    except LimitReachedError:
        _fail("PDF stream inflates beyond the parser's limit (possible decompression bomb)")
    except MemoryError:
        _fail("PDF needs more than the memory limit to parse (possible decompression bomb)")
    except RecursionError:
        _fail("PDF structure is cyclic or too deeply nested")
    except Exception as error:  # pypdf raises many types on malformed input
        _fail(f"PDF is damaged or unreadable ({_brief(error)})")
    pages, hidden = [text for text, _ in read], sum(n for _, n in read)
    json.dump({"pages": pages, "meta": meta, "hidden_chars": hidden}, sys.stdout)


def _visible_text(reader: PdfReader, page: PageObject) -> tuple[str, int]:
    """The page's visible text, whitespace collapsed, and how many characters were hidden."""
    from pypdf.generic import ContentStream, NameObject

    contents = page.get_contents()
    content = ContentStream(contents, reader) if contents is not None else None
    kept = _visible_operations(content.operations) if content is not None else None
    if content is None or kept is None:
        return _text(page), 0
    everything = _text(page)
    content.operations = kept
    page[NameObject("/Contents")] = content
    visible = _text(page)
    return visible, max(0, len(everything) - len(visible))


def _text(page: PageObject) -> str:
    return " ".join((page.extract_text() or "").split())


@dataclass(frozen=True, slots=True)
class _Paint:
    """The part of the graphics state that decides whether text shows."""

    mode: int = 0  # text render mode
    fill_white: bool = False
    stroke_white: bool = False

    def invisible(self) -> bool:
        filled, stroked = self.mode in (0, 2, 4, 6), self.mode in (1, 2, 5, 6)
        return (
            self.mode in INVISIBLE_MODES
            or (filled and self.fill_white and (not stroked or self.stroke_white))
            or (stroked and not filled and self.stroke_white)
        )


def _visible_operations(operations: Sequence[Operation]) -> list[Operation] | None:
    """The operations without those that show invisible text (None: nothing to remove)."""
    kept: list[Operation] = []
    saved: list[_Paint] = []
    paint, removed = _Paint(), False
    for operands, operator in operations:
        if operator in SHOW_TEXT and paint.invisible():
            kept += _moves_only(operands, operator)
            removed = True
            continue
        kept.append((operands, operator))
        if operator == b"q":
            saved.append(paint)
        elif operator == b"Q" and saved:
            paint = saved.pop()
        else:
            paint = _painted(paint, operands, operator)
    return kept if removed else None


def _painted(paint: _Paint, operands: list[Any], operator: bytes) -> _Paint:
    """The paint state after one operation."""
    if operator == b"Tr" and operands:
        return replace(paint, mode=int(operands[0]))
    if operator in (b"g", b"rg", b"k", b"sc", b"scn", b"cs"):
        return replace(paint, fill_white=operator != b"cs" and _white(operands))
    if operator in (b"G", b"RG", b"K", b"SC", b"SCN", b"CS"):
        return replace(paint, stroke_white=operator != b"CS" and _white(operands))
    return paint


def _white(operands: list[Any]) -> bool:
    """Whether colour components (grey, RGB or CMYK by their count) make white."""
    try:
        levels = [float(x) for x in operands]
    except (TypeError, ValueError):
        return False  # a pattern by name: not plain white
    if len(levels) == 4:
        return max(levels) <= 1 - WHITE
    return len(levels) in (1, 3) and min(levels) >= WHITE


def _moves_only(operands: list[Any], operator: bytes) -> list[Operation]:
    """What is left of an invisible text-showing operation: the line move `'` and `"` make."""
    if operator == b"'":
        return [([], b"T*")]
    if operator == b'"':
        return [(operands[:1], b"Tw"), (operands[1:2], b"Tc"), ([], b"T*")]
    return []


def _brief(error: Exception) -> str:
    """The error's type and the first line of its message, kept short."""
    lines = str(error).strip().splitlines()
    reason = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return reason[:160]


def _fail(reason: str) -> None:
    print(reason, file=sys.stderr)
    raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
