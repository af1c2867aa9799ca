"""Evaluation tooling: the gold FAQ, its metrics, the harness and the naive baseline."""

from __future__ import annotations

from importlib.util import find_spec

from assistant.errors import ConfigError

TOOLING = ("matplotlib", "langchain_chroma", "langchain_text_splitters")


def require_tooling(command: str) -> None:
    """Raise one `ConfigError` line when the `tooling` extra is not installed."""
    missing = [module for module in TOOLING if find_spec(module) is None]
    if missing:
        raise ConfigError(
            f"chipqa {command} needs the tooling extra ({', '.join(missing)} missing): "
            "run `pip install -e '.[tooling]'` (`make test` installs it)"
        )
