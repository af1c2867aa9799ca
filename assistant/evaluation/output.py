"""Report files written by `chipqa eval` and `chipqa bench`: JSON, Markdown and PNG charts.

matplotlib comes with the `tooling` extra; charts are drawn on a bare `Figure` (no pyplot
state, no display needed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Draw = Callable[["Axes"], None]


def write_report(out: Path, stem: str, data: dict[str, Any], markdown: str) -> list[Path]:
    """`stem`.json and `stem`.md in `out` (created); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}.md"]
    paths[0].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(markdown, encoding="utf-8")
    return paths


def save_chart(path: Path, draw: Draw, size: tuple[float, float] = (7, 4.5)) -> Path:
    """Draw one chart with `draw(axes)` and save it to `path` as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=120)
    FigureCanvasAgg(figure)
    draw(figure.add_subplot())
    figure.tight_layout()
    figure.savefig(path)
    return path
