"""The taxonomy lookup: one class, read from the database or from the fixture file."""

from indicators.models import Framework
from indicators.taxonomy import Taxonomy, from_fixture
from tests.conftest import make_filing


def test_the_database_and_the_fixture_hold_the_same_levels_in_the_same_order(db):
    assert Taxonomy.load().tree == from_fixture().tree


def test_loading_the_taxonomy_is_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        taxonomy = Taxonomy.load()
    with django_assert_num_queries(0):  # the 一级 of each row came with it
        assert {level2.level1.name for level2 in taxonomy.level2s} >= {"产出指标", "投入管理指标"}


def test_a_second_level_is_found_by_its_names_and_only_under_its_own_first_level(db):
    taxonomy = Taxonomy.load()
    level2 = taxonomy.level2("产出指标", "数量指标")
    assert (level2.level1.name, level2.name) == ("产出指标", "数量指标")
    assert taxonomy.by_id[level2.pk] is level2
    assert taxonomy.level2("效益指标", "数量指标") is None
    assert taxonomy.parents_of("数量指标") == ["产出指标"]
    assert taxonomy.is_level1("产出指标") and not taxonomy.is_level1("数量指标")
    assert taxonomy.is_level2("数量指标") and not taxonomy.is_level2("产出指标")


def test_the_fixture_taxonomy_answers_by_name_without_a_database():
    taxonomy = from_fixture()
    assert taxonomy.parents_of("数量指标") == ["产出指标"]
    assert "投入管理指标" in taxonomy
    assert taxonomy.level2s == [] and taxonomy.level2("产出指标", "数量指标") is None


def test_only_overall_forms_are_offered_the_input_block(orgs):
    taxonomy = Taxonomy.load()
    overall = taxonomy.overall_level2s()
    assert {level2.level1.name for level2 in overall} == {"投入管理指标"}
    assert len(overall) == len(taxonomy.level2_names("投入管理指标"))
    project = make_filing(orgs.elderly_centre)
    unit = make_filing(orgs.elderly_centre, form="unit", name="")
    offered = [level1["name"] for level1 in taxonomy.for_filing(project)]
    assert "投入管理指标" not in offered and offered[0] == "产出指标"
    assert "投入管理指标" in [level1["name"] for level1 in taxonomy.for_filing(unit)]


def _offered(taxonomy, filing):
    return {
        (level1["name"], level2["name"])
        for level1 in taxonomy.for_filing(filing)
        for level2 in level1["level2s"]
    }


def test_each_edition_offers_cost_in_one_place_only(orgs):
    taxonomy = Taxonomy.load()
    classic = make_filing(orgs.elderly_centre)
    edition_2021 = make_filing(orgs.elderly_centre, name="2021版项目")
    edition_2021.framework = Framework.objects.get(code=Framework.EDITION_2021)
    assert classic.framework.code == Framework.CLASSIC  # the default of a new filing
    assert ("产出指标", "成本指标") in _offered(taxonomy, classic)
    assert not any(level1 == "成本指标" for level1, _ in _offered(taxonomy, classic))
    offered_2021 = _offered(taxonomy, edition_2021)
    assert ("产出指标", "成本指标") not in offered_2021
    assert {("成本指标", "经济成本指标"), ("成本指标", "社会成本指标")} <= offered_2021
    assert ("成本指标", "生态环境成本指标") in offered_2021


def test_a_level_a_row_uses_is_offered_even_outside_the_edition(orgs):
    taxonomy = Taxonomy.load()
    filing = make_filing(orgs.elderly_centre)
    cost_2021 = taxonomy.level2("成本指标", "经济成本指标")
    offered = taxonomy.for_filing(filing, {cost_2021.pk})
    names = {(l1["name"], l2["name"]) for l1 in offered for l2 in l1["level2s"]}
    assert ("成本指标", "经济成本指标") in names
    assert ("成本指标", "社会成本指标") not in names
