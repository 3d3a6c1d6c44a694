"""Packs: one folder per language/framework (pack.toml + templates), loaded as data."""

from __future__ import annotations

from kctl.packs.model import Pack, load_pack, load_packs, pack_search_path

__all__ = ["Pack", "load_pack", "load_packs", "pack_search_path"]
