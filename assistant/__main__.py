"""`python -m assistant`: the `chipqa` command."""

from assistant.cli import main

main()
