"""Child-process PDF extraction: `python -m assistant.load.pdf FILE MEMORY_BYTES`.

Runs apart from the app so that a hostile PDF (decompression bomb, cyclic
structure) can exhaust only this process, under an address-space limit.
"""

from __future__ import annotations

import json
import resource
import sys


def main(path: str, memory_bytes: int) -> None:
    """Print {"pages": [...], "meta": {...}} as JSON, or exit 1 with one reason line."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            _fail("PDF is encrypted (password protected)")
        pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
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
    json.dump({"pages": pages, "meta": meta}, sys.stdout)


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
