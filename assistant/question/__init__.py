"""Question stage: what a question asks (its type, names, attribute and parts) and the
standalone query it is retrieved with. A `Question` carries both; a rewriter, with or without
a chat model, makes the query."""
