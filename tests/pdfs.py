"""Tiny hand-written PDFs for loader tests (no PDF-writing dependency needed)."""

from __future__ import annotations


def text_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page."""
    contents = []
    for text in pages:
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        contents.append(stream(f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode()))
    return pages_pdf(contents)


def pages_pdf(contents: list[bytes]) -> bytes:
    """A PDF whose pages have these content stream objects (Helvetica as font /F1)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(contents)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>".encode())
    font_id = 3 + 2 * len(contents)
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(content)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return assemble(objects)


def stream(data: bytes, dictionary: str = "") -> bytes:
    """A stream object holding `data`, with extra `dictionary` entries (e.g. a filter)."""
    return f"<< /Length {len(data)} {dictionary}>>\nstream\n".encode() + data + b"\nendstream"


def assemble(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1; object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
