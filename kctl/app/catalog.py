"""`kctl upgrade catalog [update]` as use cases: the release catalog in use, and a newer one
fetched, validated and installed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from kctl.progress import Progress

if TYPE_CHECKING:
    from kctl.cluster.catalog import Catalog


def load(path: Path | None) -> Catalog:
    """--catalog FILE, else the catalog installed by `catalog update`, else the shipped one."""
    from kctl.cluster.catalog import load_catalog
    from kctl.cluster.catalog_store import resolve

    return load_catalog(resolve(path))


class CatalogResult(Struct, frozen=True):
    catalog: Catalog

    def document(self) -> dict[str, Any]:
        return self.catalog.to_dict()

    def table(self) -> str:
        from kctl.cluster.report import catalog_text

        return catalog_text(self.catalog)


def show(catalog_file: Path | None, progress: Progress | None = None) -> CatalogResult:
    return CatalogResult(load(catalog_file))


class UpdateRequest(Struct, frozen=True):
    source: str  # URL (http/https) or file
    force: bool = False  # install even an older catalog


class UpdateResult(Struct, frozen=True):
    path: Path
    date: str
    minors: int
    first: str
    last: str
    replaced: str | None  # the date of the catalog it replaced


def update(request: UpdateRequest, progress: Progress | None = None) -> UpdateResult:
    """A bad or older (without force) catalog changes nothing."""
    from kctl.cluster.catalog_store import update as install

    installed = install(request.source, force=request.force)
    new = installed.catalog
    return UpdateResult(
        installed.path,
        str(new.date),
        len(new.releases),
        str(new.releases[0].minor),
        str(new.releases[-1].minor),
        installed.replaced,
    )
