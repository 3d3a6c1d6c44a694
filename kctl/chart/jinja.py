"""The Jinja environment that writes the chart's files from templates/chart."""

from __future__ import annotations

from typing import Any

from kctl import yamlio


class ChartJinja:
    """The chart's Jinja environment (delimiters that do not clash with Go templates)."""

    def __init__(self) -> None:
        from kctl.resources import templates_dir
        from kctl.templating import environment
        from kctl.usercache import cache_dir

        self.env = environment(  # kctl's own templates: no sandbox, compiled once per version
            templates_dir() / "chart", sandboxed=False, compiled_cache=cache_dir("jinja")
        )
        self.env.filters["toyaml"] = lambda data: yamlio.dump(data).rstrip("\n")
        self.snippets: Any = self.env.get_template("_snippets.j2").module
        # one chart renders a template thousands of times: look each up (and check its file's
        # modification time, as Environment.get_template does on every call) only once
        self.templates: dict[str, Any] = {}

    def render(self, template: str, **context: Any) -> str:
        """Render one template of templates/chart."""
        compiled = self.templates.get(template)
        if compiled is None:
            compiled = self.templates[template] = self.env.get_template(template)
        return str(compiled.render(**context))
