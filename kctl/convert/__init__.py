"""Compose Project → Kubernetes objects (kompose-compatible, nothing dropped silently)."""

from __future__ import annotations

from kctl.convert.options import Conversion, ConversionWarning, ConvertOptions
from kctl.convert.translate import TRANSLATED, convert_project

__all__ = ["TRANSLATED", "Conversion", "ConversionWarning", "ConvertOptions", "convert_project"]
