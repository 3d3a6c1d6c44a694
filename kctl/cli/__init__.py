"""The command-line face of kctl: Typer signatures and rendering only, no logic."""
