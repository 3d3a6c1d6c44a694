"""Compose files → a typed Project, meaning exactly what docker-compose means."""

from __future__ import annotations

from kctl.compose.loader import load_project
from kctl.compose.model import (
    ComposeWarning,
    LoadOptions,
    Project,
    Service,
)
from kctl.compose.spec import ServicePort, ServiceVolume
from kctl.compose.units import parse_bytes, parse_duration

__all__ = [
    "ComposeWarning",
    "LoadOptions",
    "Project",
    "Service",
    "ServicePort",
    "ServiceVolume",
    "load_project",
    "parse_bytes",
    "parse_duration",
]
