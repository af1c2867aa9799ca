"""Main text of an HTML page: no scripts, styles, templates, comments or hidden elements.

Hidden means hidden by the `hidden` attribute, `aria-hidden`, or CSS (inline or in a
`<style>` rule with a plain selector): `display: none`, `visibility: hidden`, zero opacity
or font size, or pushed far off-screen. Such text is what a reader never sees, so it
cannot be a source of an answer (and is a favourite place for injected instructions).
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Comment, Tag
from soupsieve import SelectorSyntaxError

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
ZERO = r"(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?\s*(?:;|!|$)"
HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
    rf"|opacity\s*:\s*{ZERO}|font-size\s*:\s*{ZERO}"
    r"|(?:left|top|text-indent)\s*:\s*-\d{3,}|clip\s*:\s*rect\(\s*0",
    re.IGNORECASE,
)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """Return (text, meta); headings become Markdown `#` lines so sections survive."""
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    hidden = [*_hidden_by_stylesheets(soup), *soup.find_all(_is_hidden)]
    for tag in [*soup.find_all(DROPPED_TAGS), *hidden]:
        if not tag.decomposed:
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
    return _hides(str(tag.get("style", "")))


def _hides(css: str) -> bool:
    return bool(HIDDEN_STYLE.search(CSS_COMMENT.sub("", css)))


def _hidden_by_stylesheets(soup: BeautifulSoup) -> list[Tag]:
    """Elements that a `<style>` rule hides."""
    hidden: list[Tag] = []
    for style in soup.find_all("style"):
        for selectors, body in CSS_RULE.findall(CSS_COMMENT.sub("", style.get_text())):
            if _hides(body):
                hidden += [tag for s in selectors.split(",") for tag in _select(soup, s.strip())]
    return hidden


def _select(soup: BeautifulSoup, selector: str) -> list[Tag]:
    """Elements a plain selector matches; a pseudo-class (`:hover`) hides only at times."""
    if not selector or ":" in selector or selector.startswith("@"):
        return []
    try:
        return list(soup.select(selector))
    except SelectorSyntaxError:
        return []


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
