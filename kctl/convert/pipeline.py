"""The one Compose -> objects -> chart path: `kctl convert [--chart]` and `kctl up` on a
Compose project both go through here, so both validate every object the same way and neither
changes the loaded project (built images come in through ConvertOptions.images)."""

from __future__ import annotations

from kctl.compose import Project
from kctl.convert.options import Conversion, ConvertOptions


def validated(project: Project, options: ConvertOptions) -> Conversion:
    """The project's objects, every one checked against the strict schema of kube_version."""
    from kctl.convert.translate import convert_project
    from kctl.kube import validate

    conversion = convert_project(project, options)
    for obj in conversion.objects:
        validate(obj, options.kube_version)
    return conversion


def chart_files(conversion: Conversion, name: str, description: str) -> dict[str, str]:
    """The files of the Helm chart for a conversion."""
    from kctl.chart import ChartSpec, render_chart

    spec = ChartSpec(
        name=name,
        components=conversion.components,
        shared=conversion.shared,
        description=description,
    )
    return render_chart(spec)
