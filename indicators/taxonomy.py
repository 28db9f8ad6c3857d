"""The first and second indicator levels as a plain mapping.

The taxonomy lives in the database (Level1, Level2, seeded from
``fixtures/taxonomy.json``); code that must work without a database, such as
the parser of published forms, takes this mapping instead.
"""

import json
from pathlib import Path

from indicators.models import Level1

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "taxonomy.json"


class Taxonomy:
    """Ordered mapping of 一级指标 name to its 二级指标 names."""

    def __init__(self, tree):
        self.tree = {level1: list(level2s) for level1, level2s in tree.items()}

    def __contains__(self, level1):
        return level1 in self.tree

    def level1_names(self):
        return list(self.tree)

    def level2_names(self, level1):
        return self.tree.get(level1, [])

    def parents_of(self, level2):
        """The 一级 names that have ``level2`` as a child (usually exactly one)."""
        return [level1 for level1, level2s in self.tree.items() if level2 in level2s]

    def is_level1(self, name):
        return name in self.tree

    def is_level2(self, name):
        return bool(self.parents_of(name))


def from_fixture(path=FIXTURE):
    """Read the taxonomy straight from the fixture file (no database needed)."""
    tree = {}
    for obj in json.loads(Path(path).read_text(encoding="utf-8")):
        fields = obj["fields"]
        if obj["model"] == "indicators.level1":
            tree.setdefault(fields["name"], [])
        elif obj["model"] == "indicators.level2":
            tree.setdefault(fields["level1"][0], []).append(fields["name"])
    return Taxonomy(tree)


def from_database():
    """The taxonomy as currently held in the database, in display order."""
    tree = {}
    for level1 in Level1.objects.prefetch_related("level2s").order_by("order", "pk"):
        tree[level1.name] = [level2.name for level2 in level1.level2s.all()]
    return Taxonomy(tree)
