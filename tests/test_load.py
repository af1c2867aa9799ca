"""Loaders: every format, metadata, and one clear error for each bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfs import text_pdf

from assistant.errors import LoadError
from assistant.load import load_document

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_cb4bb78572b81c0a.txt"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_seed_text_is_kept_verbatim_with_sidecar_metadata() -> None:
    doc = load_document(SEED, SEED.name)
    assert doc.text == SEED.read_text(encoding="utf-8")
    assert doc.title == "Can China catch up with the US in chips?"
    assert doc.meta["kind"] == "news explainer"
    assert doc.meta["date"] == "undated"


def test_markdown_front_matter_becomes_metadata(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "brief.md",
        "---\ntitle: Export rules\nas_of: 2026-11-01\nsources: [BIS press release, 7 Oct 2022]\n"
        "---\n# Export rules\n\nThe rules changed.\n",
    )
    doc = load_document(path, "brief.md")
    assert doc.title == "Export rules"
    assert doc.meta["date"] == "2026-11-01"
    assert doc.meta["sources"] == ["BIS press release", "7 Oct 2022"]
    assert doc.text.startswith("# Export rules")


def test_html_keeps_main_text_only(tmp_path: Path) -> None:
    html = """<html><head><title>Chip page</title><style>p{}</style></head><body>
    <nav>Menu</nav><main><h2>Controls</h2><p>Visible fact about H20.</p>
    <script>alert('x')</script><template><p>template text</p></template>
    <noscript>enable js</noscript><!-- a comment -->
    <p style="display: none">hidden style</p><div hidden>hidden attr</div>
    <ul><li>first item</li><li>second item</li></ul></main></body></html>"""
    doc = load_document(write(tmp_path, "page.html", html), "page.html")
    assert doc.title == "Chip page"
    assert "Visible fact about H20." in doc.text
    assert "## Controls" in doc.text and "- first item" in doc.text
    for gone in ("alert", "template text", "enable js", "a comment", "hidden", "Menu"):
        assert gone not in doc.text


def test_pdf_pages_are_numbered(tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", text_pdf(["Page one text.", "Page two text."]))
    doc = load_document(path, "report.pdf")
    assert "Page one text." in doc.text and "Page two text." in doc.text
    assert doc.page_at(doc.text.index("Page two")) == 2
    assert doc.page_at(0) == 1


def test_utf16_and_latin1_text_decode(tmp_path: Path) -> None:
    utf16 = load_document(write(tmp_path, "a.txt", "Huawei’s chips.".encode("utf-16")), "a")
    latin = load_document(write(tmp_path, "b.txt", "Café chips.".encode("latin-1")), "b")
    assert utf16.text == "Huawei’s chips."
    assert latin.text == "Café chips."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\t\n", "empty"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a PDF"),
        ("truncated.pdf", text_pdf(["Some text."])[:60], "PDF"),
        ("notes.docx", b"PK\x03\x04", "unsupported"),
        ("bad.md", b"---\ntitle: [unclosed\n---\nbody\n", "front matter"),
    ],
)
def test_bad_files_raise_one_line_naming_the_file(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(LoadError) as caught:
        load_document(write(tmp_path, name, data), name)
    message = str(caught.value)
    assert message.startswith(name) and reason in message and "\n" not in message
