"""Answer stage: the answerer protocol, the extractive default, the optional LLMs and the table
of answerers. The settings, the CLI, the UI and the wiring all read that one table."""
