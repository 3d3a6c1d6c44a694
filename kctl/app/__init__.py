"""Use cases: one module per command's pipeline over the core (kctl/cli only parses options,
builds a request, calls the use case and renders what it returns or reports)."""
