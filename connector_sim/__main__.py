"""``python -m connector_sim`` runs the CLI."""

from .cli import console_main

console_main()
