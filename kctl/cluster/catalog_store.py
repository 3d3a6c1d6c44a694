"""Which release catalog kctl uses, and `kctl upgrade catalog update --from URL|FILE`.

Precedence: `--catalog FILE` (or KCTL_CATALOG) > the user's catalog installed by `catalog
update` ($XDG_CONFIG_HOME/kctl/catalog.yaml, default ~/.config/kctl/catalog.yaml) > the
catalog shipped with kctl.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from msgspec import Struct

from kctl.cluster.catalog import Catalog, default_catalog_path, load_catalog
from kctl.errors import InputError, OperationError, PreconditionError
from kctl.inputs import check_regular

MAX_CATALOG_BYTES = 4 << 20


def user_catalog_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kctl" / "catalog.yaml"


def resolve(path: Path | None) -> Path:
    """The catalog file to load: the one given, else the user's, else the shipped one."""
    if path is not None:
        return path
    user = user_catalog_path()
    return user if user.is_file() else default_catalog_path()


def fetch(source: str, timeout: float = 30.0) -> bytes:
    """The bytes at an http(s) URL or in a local file."""
    if source.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(source, headers={"User-Agent": "kctl-catalog-update"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data: bytes = response.read(MAX_CATALOG_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise OperationError(f"fetching the catalog {source}: HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:
            raise OperationError(f"fetching the catalog {source}: {exc}") from None
    else:
        path = Path(source.removeprefix("file://"))
        try:
            if path.exists() and not path.is_file():  # a FIFO would block the read forever
                check_regular(path)
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read catalog {path}: {exc.strerror}") from None
    if len(data) > MAX_CATALOG_BYTES:
        raise InputError(f"{source} is larger than {MAX_CATALOG_BYTES} bytes: not a catalog")
    return data


class Installed(Struct, frozen=True):
    path: Path
    catalog: Catalog
    replaced: str | None  # the date of the catalog it replaced


def update(source: str, *, force: bool = False) -> Installed:
    """Fetch a catalog, validate it (schema, every entry) and install it for this user.

    A catalog older than the one in use is refused unless `force`; a bad one changes nothing.
    """
    from kctl.fsio import write_file

    data = fetch(source)
    dest = user_catalog_path()
    staging = dest.with_name(".catalog.yaml.new")
    write_file(staging, data)
    try:
        try:
            new = load_catalog(staging)
        except InputError as exc:
            where = f" (line {exc.location.line})" if exc.location and exc.location.line else ""
            raise InputError(
                f"the catalog from {source} is not valid{where}: {exc.message}",
                hint="kctl keeps using its current catalog",
            ) from None
        current = load_catalog(resolve(None))
        if new.date is None:
            raise InputError(f"the catalog from {source} has no date: kctl cannot tell its age")
        if current.date and new.date < current.date and not force:
            raise PreconditionError(
                f"the catalog from {source} ({new.date}) is older than the one in use"
                f" ({current.date}, {current.path})",
                hint="pass --force to install it anyway",
            )
        os.replace(staging, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()
    return Installed(dest, load_catalog(dest), current.date)
