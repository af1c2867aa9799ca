"""ChipQA's exceptions. Each message says what went wrong and how to fix it."""


class ChipQAError(Exception):
    """Base class: the CLI and UI show `str(error)` as one line."""


class ConfigError(ChipQAError):
    """A setting is invalid or inconsistent."""


class LoadError(ChipQAError):
    """A document could not be read; the message names the file and the reason."""


class StoreError(ChipQAError):
    """The vector store is unavailable, locked or incompatible."""


class BusyError(StoreError):
    """Another process is writing to the same store; retry when it has finished."""


class IndexMismatchError(StoreError):
    """The collection was built with another embedding model or dimension."""


class EmptyIndexError(ChipQAError):
    """Nothing is indexed yet."""


class QuestionError(ChipQAError):
    """The question cannot be answered as given (e.g. it is empty)."""


class LLMError(ChipQAError):
    """The LLM endpoint failed or timed out."""
