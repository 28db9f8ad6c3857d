from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from filings import layout
from filings.access import filing_access
from filings.forms import FilingFilterForm
from filings.models import Filing

PAGE_SIZE = 20


@login_required
def filing_list(request):
    visible = Filing.objects.visible_to(request.user)
    form = FilingFilterForm(request.GET or None, visible=visible)
    filings = form.filter(visible) if form.is_bound else visible
    # Meta.ordering is not applied to GROUP BY queries, so order explicitly.
    filings = (
        filings.select_related("organisation")
        .annotate(indicator_count=Count("indicators"))
        .order_by(*Filing._meta.ordering)
    )
    page = Paginator(filings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "filings/filing_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def filing_detail(request, pk):
    access = filing_access(request.user, pk)
    filing = access.filing
    indicators = filing.indicators.select_related("level2__level1")
    context = {
        "access": access,
        "filing": filing,
        "rows": layout.indicator_rows(indicators, filing.input_note),
        "value_heading": filing.value_heading or filing.default_value_heading,
    }
    if filing.is_project:
        context["money_rows"] = layout.project_money_rows(filing)
        context["category_boxes"] = layout.category_tick_boxes(filing.category)
    else:
        context["tasks"] = filing.tasks.all()
        context["budget_rows"] = layout.overall_budget_rows(filing)
    return render(request, "filings/filing_detail.html", context)
