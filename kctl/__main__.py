"""`python -m kctl` runs the CLI."""

from kctl.cli.main import run

run()
