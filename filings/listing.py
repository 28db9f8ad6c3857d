"""Lists of filings that cost the same at 10,000 filings as at 15.

A list page must not join the indicators of every visible filing just to
show twenty rows: the count would then touch every indicator row, and the
database could not use the sort index. So a list takes its page first and
only then fetches what the page's rows show.
"""

from django.core.paginator import Paginator
from django.db.models import Count

from indicators.models import Indicator


def paginate(request, queryset, per_page=20):
    """The page of ``queryset`` asked for by ``?page=``, its rows annotated.

    Contract, for every list of filings (the filing list, 我的申报, the review
    queue):

    - ``queryset`` is a Filing queryset, already restricted to what the user
      may see (``Filing.objects.visible_to``) and filtered. It must be ordered
      (Filing's Meta ordering does) and should carry no annotation over
      children: the paginator counts it with a plain ``COUNT(*)`` over the
      filings table, which stays cheap only without joins. Add
      ``select_related`` for what the rows print (e.g. "organisation"); the
      count leaves it out.
    - A page number that is not a number gives the first page, one past the
      end the last page (``Paginator.get_page``).
    - The returned page's ``object_list`` is a list (not a queryset) of at
      most ``per_page`` filings, each with ``indicator_count``: the number of
      its written 三级指标 (placeholder rows with no name, which only keep a
      二级 row printed on the form, do not count).
    - Cost: one COUNT query, one query for the page's rows, and one grouped
      query over the page's primary keys — whatever the number of filings. An
      empty page skips the last one.
    """
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.object_list = annotate_indicator_counts(list(page.object_list))
    return page


def annotate_indicator_counts(filings):
    """Set ``indicator_count`` on each of ``filings`` (a list) in one query."""
    if not filings:
        return filings
    counts = dict(
        Indicator.objects.filter(filing_id__in=[filing.pk for filing in filings])
        .exclude(name="")
        .values("filing_id")
        .annotate(count=Count("pk"))
        # Indicator's Meta ordering would otherwise join "order" into the GROUP BY.
        .order_by()
        .values_list("filing_id", "count")
    )
    for filing in filings:
        filing.indicator_count = counts.get(filing.pk, 0)
    return filings
