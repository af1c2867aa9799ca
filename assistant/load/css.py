"""What CSS hides from a reader: an element's declarations, read into a style, and the rules
that decide whether its text can be seen.

An element hides its whole subtree when it is not displayed (`display: none`,
`visibility: hidden`), fully transparent (`opacity` near 0, `transform: scale(0)`), pushed
off-screen (a left, top, margin or text-indent of -100px or less) or clipped to nothing
(`clip`, `clip-path`, or a size of at most 1px with overflow hidden). Its own text is
invisible when its font is under `MIN_FONT_PX` or its colour, composited on the background
behind it, has a contrast ratio under `MIN_CONTRAST` (white on white, `transparent`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Style = dict[str, str]  # property → value, lower-cased; the last declaration wins
RGBA = tuple[float, float, float, float]  # channels and alpha, 0..1

MIN_FONT_PX = 4.0  # smaller text is a speck, not something a reader reads
MIN_CONTRAST = 1.1  # WCAG contrast ratio below which text melts into its background
OFFSCREEN_PX = -100.0  # an offset this far left or up puts text outside the page
TINY_PX = 1.0  # a box this small, with its overflow hidden, shows nothing
ROOT_FONT_PX = 16.0
WHITE: RGBA = (1.0, 1.0, 1.0, 1.0)
BLACK: RGBA = (0.0, 0.0, 0.0, 1.0)

COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
LENGTH = re.compile(r"^(-?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|%|vw|vh|ex|ch|cm|mm|in)?$")
FONT_SIZE = re.compile(r"(?:^|\s)(0|(?:\d+\.?\d*|\.\d+)(?:px|pt|em|rem|%))(?=[\s/]|$)")
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)%?")
HEX = re.compile(r"^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$")
FUNCTION = re.compile(r"^(rgba?|hsla?)\((.*)\)$")
SCALE_ZERO = re.compile(r"\bscale[xy]?\(\s*0*\.?0+\s*[,)]")
UNIT_PX = {"px": 1.0, "pt": 4 / 3, "cm": 96 / 2.54, "mm": 96 / 25.4, "in": 96.0}
NAMED = {  # the basic colours and the near-whites a page could hide text with
    "transparent": (0, 0, 0, 0),
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "silver": (192, 192, 192),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "navy": (0, 0, 128),
    "snow": (255, 250, 250),
    "ivory": (255, 255, 240),
    "whitesmoke": (245, 245, 245),
    "ghostwhite": (248, 248, 255),
    "floralwhite": (255, 250, 240),
    "seashell": (255, 245, 238),
    "mintcream": (245, 255, 250),
    "azure": (240, 255, 255),
    "aliceblue": (240, 248, 255),
    "honeydew": (240, 255, 240),
    "linen": (250, 240, 230),
    "oldlace": (253, 245, 230),
    "lightyellow": (255, 255, 224),
    "lavenderblush": (255, 240, 245),
    "lightcyan": (224, 255, 255),
    "cornsilk": (255, 248, 220),
}


def declarations(css: str) -> Style:
    """`prop: value; …` as a style (comments and `!important` dropped)."""
    style: Style = {}
    for part in COMMENT.sub("", css).split(";"):
        name, colon, value = part.partition(":")
        if colon and name.strip():
            style[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return style


def hides(style: Style) -> bool:
    """Whether an element with this style hides everything inside it."""
    return (
        style.get("display") == "none"
        or style.get("visibility") in ("hidden", "collapse")
        or _fraction(style.get("opacity", "1")) <= 0.05
        or bool(SCALE_ZERO.search(style.get("transform", "")))
        or _offscreen(style)
        or _clipped(style)
    )


@dataclass(frozen=True, slots=True)
class Looks:
    """What an element's text inherits: its colour, the background behind it (None: an
    image or unknown) and its font size."""

    colour: RGBA = BLACK
    background: RGBA | None = WHITE
    font_px: float = ROOT_FONT_PX

    def within(self, style: Style) -> Looks:
        """The looks of an element with `style` inside one that looks like this."""
        colour = parse_colour(style.get("color", "")) or self.colour
        return Looks(colour, self._background(style), self._font(style))

    def invisible(self) -> bool:
        """Whether text drawn this way cannot be read."""
        if self.font_px < MIN_FONT_PX:
            return True
        if self.background is None:
            return False
        return contrast(_over(self.colour, self.background), self.background) < MIN_CONTRAST

    def _background(self, style: Style) -> RGBA | None:
        value = style.get("background-color") or style.get("background")
        if not value:
            return self.background
        colour = parse_colour(value) or _first_colour(value)
        if colour is None:
            return None if "url(" in value or "gradient(" in value else self.background
        return None if self.background is None else _over(colour, self.background)

    def _font(self, style: Style) -> float:
        size = style.get("font-size")
        if size is None and "font" in style:
            found = FONT_SIZE.search(style["font"])
            size = found.group(1) if found else None
        px = _px(size, self.font_px) if size else None
        return self.font_px if px is None else px


def parse_colour(value: str) -> RGBA | None:
    """A CSS colour (name, #hex, rgb(a), hsl(a)), or None when it is not one."""
    value = value.strip()
    if value in NAMED:
        r, g, b, *alpha = NAMED[value]
        return (r / 255, g / 255, b / 255, float(alpha[0]) if alpha else 1.0)
    found = HEX.match(value)
    if found:
        return _hex(found.group(1))
    function = FUNCTION.match(value)
    return _function(function.group(1), function.group(2)) if function else None


def contrast(a: RGBA, b: RGBA) -> float:
    """The WCAG contrast ratio of two opaque colours (1: identical, 21: black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _hex(digits: str) -> RGBA:
    if len(digits) <= 4:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
    return (channels[0], channels[1], channels[2], channels[3] if len(channels) > 3 else 1.0)


def _function(name: str, body: str) -> RGBA | None:
    numbers = NUMBER.findall(body)
    if len(numbers) < 3:
        return None
    alpha = _fraction(numbers[3]) if len(numbers) > 3 else 1.0
    if name.startswith("rgb"):
        r, g, b = (_channel(n) for n in numbers[:3])
        return (r, g, b, alpha)
    hue, saturation, lightness = float(numbers[0].rstrip("%")), *map(_fraction, numbers[1:3])
    return (*_hsl(hue, saturation, lightness), alpha)


def _hsl(hue: float, s: float, lightness: float) -> tuple[float, float, float]:
    def channel(n: int) -> float:
        k = (n + hue / 30) % 12
        return lightness - s * min(lightness, 1 - lightness) * max(-1, min(k - 3, 9 - k, 1))

    return channel(0), channel(8), channel(4)


def _channel(text: str) -> float:
    value = float(text.rstrip("%")) / (100 if text.endswith("%") else 255)
    return max(0.0, min(1.0, value))


def _fraction(text: str) -> float:
    """An opacity or alpha: `0.5` or `50%` (unreadable: 1)."""
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        return 1.0
    return max(0.0, min(1.0, value))


def _over(colour: RGBA, background: RGBA) -> RGBA:
    """`colour` composited on an opaque `background`."""
    alpha = colour[3]
    r, g, b = (alpha * c + (1 - alpha) * d for c, d in zip(colour[:3], background[:3], strict=True))
    return (r, g, b, 1.0)


def _luminance(colour: RGBA) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _first_colour(value: str) -> RGBA | None:
    """The colour in a `background` shorthand (`url(x.png) #fff no-repeat`)."""
    for token in re.findall(r"#[0-9a-f]+|(?:rgba?|hsla?)\([^)]*\)|[a-z]+", value):
        colour = parse_colour(token)
        if colour is not None:
            return colour
    return None


def _px(value: str, inherited: float) -> float | None:
    """A length in px (em and % of the inherited font size); None when not a length."""
    found = LENGTH.match(value.strip())
    if not found:
        return None
    number, unit = float(found.group(1)), found.group(2) or "px"
    if unit in ("em", "%", "ex", "ch"):
        return number * inherited / (100 if unit == "%" else 1)
    if unit == "rem":
        return number * ROOT_FONT_PX
    return number * UNIT_PX.get(unit, 1.0) if unit in UNIT_PX else None


def _offscreen(style: Style) -> bool:
    for name in ("left", "top", "margin-left", "margin-top", "text-indent"):
        px = _px(style.get(name, ""), ROOT_FONT_PX)
        if px is not None and px <= OFFSCREEN_PX:
            return True
    return False


def _clipped(style: Style) -> bool:
    clip = style.get("clip", "")
    if clip.startswith("rect("):
        edges = [_px(n, ROOT_FONT_PX) or 0.0 for n in re.findall(r"-?[\d.]+\w*", clip)]
        if len(edges) == 4 and (edges[2] - edges[0] <= TINY_PX or edges[1] - edges[3] <= TINY_PX):
            return True
    path = style.get("clip-path", "")
    if re.match(r"(?:circle|ellipse)\(\s*0", path) or re.match(r"inset\(\s*(?:[5-9]\d|100)%", path):
        return True
    return style.get("overflow") == "hidden" and any(
        (px := _px(style.get(name, ""), ROOT_FONT_PX)) is not None and px <= TINY_PX
        for name in ("width", "height", "max-width", "max-height")
    )
