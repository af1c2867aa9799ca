"""Main text of an HTML page: no scripts, styles, templates, comments or text a reader
cannot see.

Unseen is what the `hidden` attribute or CSS hides (inline, a `<style>` rule with a plain
selector, or a `<font color>`): see `css` for the rules, from `display: none` to white on
white. Such text cannot be a source of an answer (it is a favourite place for injected
instructions), and the page says how much of it was left out. `aria-hidden` hides text from
screen readers only, not from the eye, so its text stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from soupsieve import SelectorSyntaxError

from assistant.load.css import COMMENT, Looks, Style, declarations, hides

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
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
PRESENTATION = {"color": "color", "bgcolor": "background-color"}  # <font color>, <td bgcolor>


@dataclass(frozen=True, slots=True)
class Page:
    """An HTML page's main text, its title and how many characters of text it hides."""

    text: str
    title: str
    hidden_chars: int


def html_to_text(html: str) -> Page:
    """The page's visible main text; headings become Markdown `#` lines so sections survive."""
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    sheet = _sheet_styles(soup)
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    hidden = _drop_invisible(soup, sheet)
    root = soup.find("main") or soup.find("article") or soup.body or soup
    return Page("\n".join(_blocks(root)), title, hidden)


def _drop_invisible(soup: BeautifulSoup, sheet: dict[int, Style]) -> int:
    """Remove every element and text a reader cannot see; return the characters removed."""
    removed = 0
    pending: list[tuple[Tag, Looks]] = [(soup, Looks())]
    while pending:
        tag, outer = pending.pop()
        style = {**sheet.get(id(tag), {}), **_own_style(tag)}
        if tag.has_attr("hidden") or hides(style):
            removed += _length(tag.get_text())
            tag.decompose()
            continue
        looks = outer.within(style)
        for child in list(tag.children):
            if isinstance(child, Tag):
                pending.append((child, looks))
            elif isinstance(child, NavigableString) and looks.invisible():
                removed += _length(str(child))
                child.extract()
    return removed


def _own_style(tag: Tag) -> Style:
    """An element's inline style, with its presentational colour attributes under it."""
    style = {
        css: str(tag[attribute])
        for attribute, css in PRESENTATION.items()
        if tag.has_attr(attribute)
    }
    return {**{k: v.lower() for k, v in style.items()}, **declarations(str(tag.get("style", "")))}


def _sheet_styles(soup: BeautifulSoup) -> dict[int, Style]:
    """Each element's declarations from the page's `<style>` rules, in document order."""
    styles: dict[int, Style] = {}
    for element in soup.find_all("style"):
        for selectors, body in CSS_RULE.findall(COMMENT.sub("", element.get_text())):
            found = declarations(body)
            for tag in (t for s in selectors.split(",") for t in _select(soup, s.strip())):
                styles[id(tag)] = {**styles.get(id(tag), {}), **found}
    return styles


def _length(text: str) -> int:
    """Characters of `text` once its whitespace is collapsed, as the index would hold it."""
    return len(" ".join(text.split()))


def _select(soup: BeautifulSoup, selector: str) -> list[Tag]:
    """Elements a plain selector matches; a pseudo-class (`:hover`) applies only at times."""
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
