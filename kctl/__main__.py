"""`python -m kctl` runs the CLI."""

from kctl.cli.main import main

raise SystemExit(main())
