"""`kctl pack list|show` as use cases: the packs kctl create can use (user packs override
built-ins by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kctl.errors import InputError
from kctl.progress import Progress


class PackRequest(Struct, frozen=True):
    pack_dirs: list[Path] = field(default_factory=list)  # extra pack folders, in order
    name: str | None = None  # `show`: the pack to show


class PackList(Struct, frozen=True):
    rows: list[dict[str, Any]]  # one per pack, sorted by name

    def table(self) -> str:
        width = max((len(r["name"]) for r in self.rows), default=4)
        return "\n".join(
            f"{r['name']:<{width}}  {r['language']:<10}  {r['framework']:<12}  {r['port']:<5}  "
            f"{r['source']:<9}  {r['description']}"
            for r in self.rows
        )


def list_packs(request: PackRequest, progress: Progress | None = None) -> PackList:
    from kctl.packs import load_packs

    packs = load_packs(request.pack_dirs)
    rows = [
        {
            "name": p.name,
            "language": p.language,
            "framework": p.framework or "",
            "port": p.port,
            "source": p.source,
            "description": p.description,
            "variables": {k: v.description for k, v in p.variables.items()},
        }
        for p in sorted(packs.values(), key=lambda p: p.name)
    ]
    return PackList(rows)


class PackShown(Struct, frozen=True):
    name: str
    source: str  # builtin or user
    path: Path  # its pack.toml
    text: str  # pack.toml as written

    def table(self) -> str:
        return f"# {self.path} ({self.source})\n" + self.text

    def document(self) -> dict[str, Any]:
        """pack.toml's settings, with where they come from."""
        from kctl import tomlio

        return {"name": self.name, "source": self.source, "path": str(self.path),
                "pack": tomlio.loads(self.text, self.path)}  # fmt: skip


def show(request: PackRequest, progress: Progress | None = None) -> PackShown:
    """An unknown name is exit 2, pointing at `kctl pack list`."""
    from kctl.packs import load_packs

    packs = load_packs(request.pack_dirs)
    if request.name not in packs:
        raise InputError(f"unknown pack {request.name!r}", hint="see `kctl pack list`")
    pack = packs[request.name]
    path = pack.directory / "pack.toml"
    return PackShown(pack.name, pack.source, path, path.read_text())
