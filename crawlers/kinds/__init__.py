"""Source kinds: how each kind of source is asked for its articles.

Every module of this package is imported here, and each SourceKind subclass in it
registers itself under its names: a new kind is one class in one new module.
"""

from __future__ import annotations

import importlib
import pkgutil

from crawlers.kinds.base import SourceKind

__all__ = ["SourceKind", "kind_class", "kind_names"]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def kind_class(name: str | None) -> type[SourceKind]:
    """The class of a kind named in the registry (None: a feed, detected per response)."""
    return SourceKind.registry[name]


def kind_names() -> list[str]:
    return sorted(name for name in SourceKind.registry if name is not None)
