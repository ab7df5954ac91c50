"""Tiles on the home page (manuals 003 and 004): counts that link to the lists behind them.

Apps register tiles in their AppConfig.ready(); each counts for the current request's
workspace and user, with an indexed query.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    slug: str
    label: str
    count: Callable[..., int]
    url: Callable[..., str]
    capability: str = "customers.view"
    order: int = 100


_TILES: dict[str, Tile] = {}


def register_tile(tile: Tile) -> None:
    _TILES[tile.slug] = tile


def tiles_for(request) -> list[dict]:
    shown = sorted(_TILES.values(), key=lambda tile: (tile.order, tile.label))
    return [
        {
            "slug": tile.slug,
            "label": tile.label,
            "count": tile.count(request),
            "url": tile.url(request),
        }
        for tile in shown
        if request.membership.can(tile.capability)
    ]
