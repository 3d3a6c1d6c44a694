"""Kubernetes object helpers: names, strict schema validation, writers."""

from __future__ import annotations

from kctl.kube.naming import dns_label, dns_subdomain, unique
from kctl.kube.validate import DEFAULT_KUBE_VERSION, validate

__all__ = ["DEFAULT_KUBE_VERSION", "dns_label", "dns_subdomain", "unique", "validate"]
