"""kctl: take applications to Kubernetes."""

__version__ = "0.1.0"
