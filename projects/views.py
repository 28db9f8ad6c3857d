"""The 项目库 pages of a finance bureau: the year's projects, and the load of its export.

A finance reviewer opens their bureau's library, an admin any bureau's
(``filings.access.library_bureau``: another bureau's is a 404); filers start
a filing from their organisation's projects on 新建申报 instead.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organisation
from filings import cleaning
from filings.access import PROJECT_LIBRARY, library_bureau, library_bureaus, requires
from importers.slots import Busy, upload_slot
from projects.forms import FilterForm, LoadForm, default_year
from projects.loading import LoadRefused, load
from projects.models import LibraryLoad, Project

PAGE_SIZE = 50


@login_required
@require_GET
@requires(PROJECT_LIBRARY)
def index(request):
    """A finance reviewer goes to their bureau's library; an admin picks a bureau."""
    bureaus = list(library_bureaus(request.user).order_by("name")[:2])
    if len(bureaus) == 1:
        return redirect("projects:library", bureau=bureaus[0].pk)
    bureaus = library_bureaus(request.user).order_by("name")
    return render(request, "projects/index.html", {"bureaus": bureaus})


def _year(request):
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if cleaning.FIRST_YEAR <= year <= cleaning.LAST_YEAR else None


def _page(request, bureau, *, load_form=None, problems=(), status=200):
    years = list(
        LibraryLoad.objects.filter(bureau=bureau)
        .values_list("year", flat=True)
        .order_by("-year")
        .distinct()
    )
    year = _year(request) or (years[0] if years else default_year())
    organisations = Organisation.objects.subtree(bureau).exclude(pk=bureau.pk).order_by("name")
    filters = FilterForm(request.GET or None, organisations=organisations)
    projects = Project.objects.filter(bureau=bureau, year=year).with_filing()
    projects = filters.filter(projects) if filters.is_bound else projects
    page = Paginator(projects.select_related("organisation"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    last = LibraryLoad.objects.filter(bureau=bureau, year=year).first()
    latest = LibraryLoad.objects.filter(bureau=bureau, year=year).aggregate(pk=Max("pk"))["pk"]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "bureau": bureau,
        "year": year,
        "years": years,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "last_load": last,
        "latest_load_id": latest,
        "load_form": load_form or LoadForm(initial={"year": year}),
        "problems": problems,
    }
    return render(request, "projects/library.html", context, status=status)


@login_required
@require_GET
@requires(PROJECT_LIBRARY)
def library(request, bureau):
    return _page(request, library_bureau(request.user, bureau))


@login_required
@require_POST
@requires(PROJECT_LIBRARY)
def load_library(request, bureau):
    """Load the year's 项目库 from an uploaded export: all of it, or nothing with the reasons."""
    bureau = library_bureau(request.user, bureau)
    form = LoadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, bureau, load_form=form, problems=form.named_errors(), status=400)
    year = form.cleaned_data["year"]
    try:
        with upload_slot():
            loaded = load(bureau, year, form.cleaned_data["file"], request.user)
    except LoadRefused as refused:
        return _page(request, bureau, load_form=form, problems=refused.problems, status=400)
    except Busy:
        problem = _("服务器正在处理其他上传，请稍后再试。")
        return _page(request, bureau, load_form=form, problems=[problem], status=503)
    counts = {
        "year": year,
        "created": loaded.created,
        "updated": loaded.updated,
        "removed": loaded.removed,
    }
    messages.success(
        request,
        _("已导入 %(year)s 年度项目库：新增 %(created)s 个、更新 %(updated)s 个、") % counts
        + _("移除 %(removed)s 个项目。") % counts,
    )
    if loaded.unmatched:
        messages.warning(
            request,
            _("%(count)s 个项目的单位在本系统中找不到，已导入但暂无填报人可见：")
            % {"count": loaded.unmatched}
            + _("请核对单位名称或编码，添加单位后重新导入。"),
        )
    return redirect(f"{reverse('projects:library', args=[bureau.pk])}?year={year}")
