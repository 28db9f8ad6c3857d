"""The context of the official-form templates (templates/filings/forms/), built once.

The filing page and the wizard's last step print the same form from the same
context, so that the preview a filer checks is exactly what reviewers see.
"""

from filings import layout


def official_form_context(filing, indicators=None, tasks=None):
    """What ``filings/forms/project.html`` or ``overall.html`` needs for ``filing``.

    ``indicators`` (with ``level2__level1`` selected) and ``tasks`` may be passed
    when the caller already fetched them, to avoid reading them twice.
    """
    if indicators is None:
        indicators = filing.indicators.select_related("level2__level1")
    context = {
        "filing": filing,
        "rows": layout.indicator_rows(indicators, filing.input_note),
        "value_heading": filing.value_heading or filing.default_value_heading,
    }
    if filing.is_project:
        context["money_rows"] = layout.project_money_rows(filing)
        context["category_boxes"] = layout.category_tick_boxes(filing.category)
    else:
        context["tasks"] = filing.tasks.all() if tasks is None else tasks
        context["budget_rows"] = layout.overall_budget_rows(filing)
    return context
