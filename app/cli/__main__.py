"""``python -m app.cli``: the same as the ``beacon`` command."""

from app.cli.commands import main

main()
