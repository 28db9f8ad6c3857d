from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from exports.document import page_document
from filings.access import SIGNED_IN, VIEW, requires
from filings.forms import FilingFilterForm
from filings.listing import paginate
from filings.models import Filing
from review import approvers

PAGE_SIZE = 20


@login_required
@requires(SIGNED_IN)
def filing_list(request):
    visible = Filing.objects.visible_to(request.user)
    form = FilingFilterForm(request.GET or None, visible=visible, user=request.user)
    filings = form.filter(visible) if form.is_bound else visible
    # Page first, then count the page's indicators (filings.listing): no join to children.
    page = paginate(request, filings.select_related("organisation"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "filings/filing_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@requires(VIEW)
def filing_detail(request, access):
    filing = access.filing
    context = {
        "access": access,
        "filing": filing,
        "form_document": page_document(filing),
        "approver": approvers.approver_of(filing),
    }
    return render(request, "filings/filing_detail.html", context)
