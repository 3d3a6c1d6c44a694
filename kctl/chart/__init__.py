"""Kubernetes objects + per-service values → a real, parameterized Helm chart.

Input is plain Kubernetes objects grouped by component (a Compose service, or the single app of
`kctl create`), never Compose. With default values the chart renders the input objects back,
plus Helm's own labels; values expose what users tune (image, replicas, ports, env, resources,
probes, persistence, ingress, autoscaling, scheduling, security contexts).
"""

from __future__ import annotations

from kctl.chart.naming import chart_name, values_key
from kctl.chart.render import ChartSpec, render_chart

__all__ = ["ChartSpec", "chart_name", "render_chart", "values_key"]
