"""Main text of an HTML page: no scripts, styles, templates, comments or hidden elements."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Comment, Tag

DROPPED_TAGS = ("script", "style", "template", "noscript", "iframe", "svg", "head", "nav")
BLOCK_TAGS = (
    "p",
    "div",
    "section",
    "article",
    "li",
    "tr",
    "br",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "header",
    "footer",
    "main",
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """Return (text, meta); headings become Markdown `#` lines so sections survive."""
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[str] = []
    for block in _blocks(root):
        lines.append(block)
    text = "\n".join(lines)
    return text, ({"title": title} if title else {})


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    return bool(HIDDEN_STYLE.search(str(tag.get("style", ""))))


def _blocks(root: Tag | BeautifulSoup) -> list[str]:
    """One line per block element; heading lines prefixed with '#' by level."""
    for heading in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        level = int(heading.name[1])
        heading.insert(0, "#" * level + " ")
    for item in root.find_all("li"):
        item.insert(0, "- ")
    for tag in root.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = root.get_text()
    return [" ".join(line.split()) for line in raw.splitlines() if line.strip()]
