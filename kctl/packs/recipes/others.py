"""Ruby's, Elixir's, .NET's and PHP's production recipes: the few facts each needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.packs.files import first, procfile_web, read


def ruby(root: Path) -> dict[str, Any]:
    """What a production Rails/Rack image needs: precompiled assets, bootsnap, C headers."""
    gems = read(root / "Gemfile") + read(root / "Gemfile.lock")
    headers = ["build-essential", "git", "libyaml-dev", "pkg-config"]
    runtime = []
    for gem, dev, lib in (
        ("pg", "libpq-dev", "libpq5"),
        ("mysql2", "default-libmysqlclient-dev", "libmariadb3"),
        ("sqlite3", "libsqlite3-dev", "libsqlite3-0"),
    ):
        if re.search(rf"^\s*(?:gem\s+['\"]{gem}['\"]|{gem} \()", gems, re.M):
            headers.append(dev)
            runtime.append(lib)
    return {
        "procfile_web": procfile_web(root),
        "ruby_build_packages": headers,
        "ruby_runtime_packages": runtime,
        "assets_precompile": (root / "app" / "assets").is_dir()
        or (root / "app" / "javascript").is_dir(),
        "bootsnap": "bootsnap" in gems,
    }


def elixir(root: Path) -> dict[str, Any]:
    mix = read(root / "mix.exs")
    return {"assets_deploy": '"assets.deploy"' in mix or (root / "assets").is_dir()}


def dotnet(root: Path, projects: list[str]) -> dict[str, Any]:
    text = "".join(read(root / p) for p in projects)
    return {"publish_aot": bool(re.search(r"<PublishAot>\s*true\s*</PublishAot>", text, re.I))}


def php(root: Path) -> dict[str, Any]:
    """The document root a Procfile gives Heroku's PHP boot scripts (heroku-php-apache2 DIR)."""
    web = procfile_web(root) or ""
    stated = first(r"heroku-php-(?:apache2|nginx)\b.*?\s([\w./-]+)/?\s*$", web)
    if stated and ".." not in stated and (root / stated).is_dir():
        return {"docroot": stated.strip("./").rstrip("/")}
    return {}
