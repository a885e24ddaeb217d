"""The recipes of recently served answers, for predictive preloading (the cache's L3).

After a user's request, the answers that usually follow it are computed in the background, so
the next click is a cache hit. The cache learns which keys follow which (per session = user
id); to compute a predicted key it needs that key's :class:`~scriptohio.api.recipes.Recipe`,
which this book keeps for recently served keys (bounded, least recently used out).
"""

from __future__ import annotations

from collections import OrderedDict

from scriptohio.api.recipes import Recipe

__all__ = ["DEFAULT_MAX_RECIPES", "RecipeBook"]

DEFAULT_MAX_RECIPES = 20_000


class RecipeBook:
    """Key -> :class:`Recipe` for the most recently served keys."""

    def __init__(self, max_recipes: int = DEFAULT_MAX_RECIPES) -> None:
        self.max_recipes = max_recipes
        self._recipes: OrderedDict[str, Recipe] = OrderedDict()

    def remember(self, key: str, recipe: Recipe) -> None:
        if key in self._recipes:
            self._recipes.move_to_end(key)
            return
        self._recipes[key] = recipe
        if len(self._recipes) > self.max_recipes:
            self._recipes.popitem(last=False)

    def get(self, key: str) -> Recipe | None:
        return self._recipes.get(key)

    def __len__(self) -> int:
        return len(self._recipes)
