"""PDFs built to hurt a parser: a decompression bomb, cycles, encryption, endless operators."""

from __future__ import annotations

import io
import struct
import zlib

from pdfs import assemble, pages_pdf, stream, text_pdf
from pypdf import PdfReader, PdfWriter

BOMB_BYTES = 4 << 30  # what the bomb's one stream inflates to
MB = 1 << 20


def deflate_zeros(total: int, block: int = MB) -> bytes:
    """A zlib stream of `total` zero bytes, built without compressing them all.

    After a full flush the compressor starts afresh, so every further block of zeros
    compresses to the same bytes; the Adler-32 of n zeros is ((n mod 65521) << 16) | 1.
    """
    zeros = bytes(block)
    compressor = zlib.compressobj(9)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-4] + struct.pack(">I", ((total % 65521) << 16) | 1)
    return first + repeated * (total // block - 1) + end


def bomb_pdf() -> bytes:
    """One page whose ~4 MB FlateDecode content stream inflates to 4 GiB."""
    return pages_pdf([stream(deflate_zeros(BOMB_BYTES), "/Filter /FlateDecode ")])


def slow_pdf(operators: int = 500_000) -> bytes:
    """One page with half a million text operators: small on disk, minutes to extract."""
    ops = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n" * operators
    return pages_pdf([stream(zlib.compress(ops, 9), "/Filter /FlateDecode ")])


def cyclic_pages_pdf() -> bytes:
    """A page tree whose /Pages node lists itself as its own kid."""
    return assemble(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]
    )


def self_referencing_pdf() -> bytes:
    """A catalog whose /Pages is an object that is nothing but a reference to itself."""
    return assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"2 0 R"])


def encrypted_pdf(user_password: str = "s3cret") -> bytes:
    """A text PDF that opens only with `user_password` (owner password "owner")."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf(["The Selene fab plans are secret."]))))
    writer.encrypt(user_password, owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
