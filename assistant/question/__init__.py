"""Question stage: the `Question` the pipeline carries (what it asks: type, names, attribute and
parts; and the standalone query it is retrieved with, made by a rewriter with or without a
chat model)."""
