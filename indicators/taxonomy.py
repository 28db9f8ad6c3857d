"""The first and second indicator levels, looked up by name or by id: the one lookup.

The taxonomy lives in the database (Level1, Level2, seeded from
``fixtures/taxonomy.json``). ``Taxonomy.load()`` reads it in one query, once
per request or per import, and the editor, the checker, the importers and the
JSON format all ask that one object. Code that must work without a database,
such as the parser of published forms in tests, reads the same class from the
fixture file (``from_fixture``): names only, no rows.
"""

import json
from functools import cached_property
from pathlib import Path

from indicators.models import Framework, Level1, Level2

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "taxonomy.json"


class Taxonomy:
    """The 一级 names in display order, each with its 二级 names; the Level2 rows when loaded.

    ``tree`` maps a 一级 name to its 二级 names. ``level2s`` holds the Level2
    rows (their ``level1`` selected), in display order, when the taxonomy was
    read from the database; it is empty when read from the fixture.
    """

    def __init__(self, tree, level2s=()):
        self.tree = {level1: list(level2_names) for level1, level2_names in tree.items()}
        self.level2s = list(level2s)
        self.by_id = {level2.pk: level2 for level2 in self.level2s}
        self.by_names = {(level2.level1.name, level2.name): level2 for level2 in self.level2s}

    @classmethod
    def load(cls):
        """The taxonomy as held in the database now, with its rows (one query)."""
        level2s = Level2.objects.select_related("level1").order_by("level1__order", "order", "pk")
        level2s = list(level2s)
        tree = {}
        for level2 in level2s:
            tree.setdefault(level2.level1.name, []).append(level2.name)
        return cls(tree, level2s)

    @cached_property
    def editions(self):
        """Framework id -> the ids of the 二级 that edition offers (one query, when first asked).

        None maps to the classic edition's: a filing saved before it was given one.
        Read from the fixture (no rows), there are none.
        """
        if not self.level2s:
            return {}
        editions = {}
        for framework_id, code, level2_id in Framework.level2s.through.objects.values_list(
            "framework_id", "framework__code", "level2_id"
        ):
            editions.setdefault(framework_id, set()).add(level2_id)
            if code == Framework.CLASSIC:
                editions.setdefault(None, set()).add(level2_id)
        return editions

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

    def level2(self, level1, level2):
        """The Level2 row named ``level2`` under the 一级 ``level1``, or None."""
        return self.by_names.get((level1, level2))

    def overall_level2s(self):
        """The 二级 rows of the 一级 only overall forms carry (投入管理指标), in order."""
        return [level2 for level2 in self.level2s if level2.level1.scope == Level1.Scope.OVERALL]

    def edition_of(self, framework_id):
        """What ``edition_of`` answers, from the loaded editions (no query once they are read)."""
        if framework_id not in self.editions:
            return None
        return {pk: self.by_id[pk].level1.name for pk in self.editions[framework_id]}

    def in_edition(self, framework_id, level2_id):
        """Whether the edition offers that 二级 (the classic edition for a filing with none).

        Read from the fixture (no editions known), every 二级 is in every edition.
        """
        if framework_id not in self.editions:
            return True
        return level2_id in self.editions[framework_id]

    def for_filing(self, filing, used_level2_ids=()):
        """The 一级 offered on this filing's form, each with its 二级, in taxonomy order.

        Only the 二级 of the filing's edition (indicators.Framework); a project
        filing does not offer the 一级 meant for overall filings. A 二级 a row
        already uses is offered whatever the edition (an imported form, a copy of
        another edition's filing): its select must still show it.
        """
        level1s = {}
        for level2 in self.level2s:
            level1 = level2.level1
            offered = self.in_edition(filing.framework_id, level2.pk) and not (
                filing.is_project and level1.scope == Level1.Scope.OVERALL
            )
            if not offered and level2.pk not in used_level2_ids:
                continue
            entry = level1s.setdefault(
                level1.pk,
                {"id": level1.pk, "name": level1.name, "scope": level1.scope, "level2s": []},
            )
            entry["level2s"].append({"id": level2.pk, "name": level2.name})
        return list(level1s.values())


def edition_of(framework_id):
    """The 二级 one edition offers, {level2 id: its 一级's name}, in one query.

    For a single filing, without loading the whole taxonomy (``Taxonomy.editions``
    reads every edition at once, for many). None is the classic edition, as in
    ``Taxonomy.in_edition``; an edition that lists no 二级 offers them all (None).
    """
    offered = dict(edition_rows(framework_id).values_list("level2_id", "level2__level1__name"))
    return offered or None


def edition_rows(framework_id):
    """The (edition, 二级) rows of one edition, a queryset: None is the classic edition.

    For a subquery where a caller reads the filing's rows anyway (the checker
    annotates them, so a check costs no query more).
    """
    through = Framework.level2s.through.objects
    if framework_id is None:
        return through.filter(framework__code=Framework.CLASSIC)
    return through.filter(framework_id=framework_id)


def from_fixture(path=FIXTURE):
    """Read the taxonomy's names straight from the fixture file (no database needed)."""
    tree = {}
    for obj in json.loads(Path(path).read_text(encoding="utf-8")):
        fields = obj["fields"]
        if obj["model"] == "indicators.level1":
            tree.setdefault(fields["name"], [])
        elif obj["model"] == "indicators.level2":
            tree.setdefault(fields["level1"][0], []).append(fields["name"])
    return Taxonomy(tree)
