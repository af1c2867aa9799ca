"""`python -m assistant.embed.export_setup [MODEL]` exports the question encoder to ONNX once
(the bundled model, or the sentence-transformers folder given); `make install` runs it."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from assistant.embed import BUNDLED, SentenceEmbedder
from assistant.embed.exported import available, export, export_path, open_checked


def main(argv: Sequence[str] | None = None) -> None:
    """Export the bundled model (or the folder given), once."""
    parser = argparse.ArgumentParser(description="Export the question encoder to ONNX, once.")
    parser.add_argument("model", nargs="?", default=BUNDLED)
    args = parser.parse_args(argv)
    embedder = SentenceEmbedder(args.model)
    target = export_path(embedder.path)
    if available(embedder.path):
        try:
            open_checked(embedder.path)
            print(f"question encoder already exported: {target}")
            return
        except Exception as error:  # damaged: made again below
            print(f"the export is unusable ({str(error).splitlines()[0][:200]}): making it again")
    print(f"exporting the question encoder to ONNX: {target}", flush=True)
    export(embedder.path, embedder.load())
    print("done: vectors match the model's")


if __name__ == "__main__":
    main()
