"""The filer's pages: 我的申报, 新建申报, the wizard's steps, copy and delete.

Every save goes through ``filings.content`` with the ``lock_version`` the page
was showing, so that a stale page never overwrites newer work. The step view
answers the page's autosave (``X-Autosave: 1``) with JSON, and a JSON request
from an expired session with 401 JSON rather than the login page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When, prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exports.document import page_document
from filings import access as filing_actions
from filings import cleaning, content
from filings.access import creatable_forms, may, require_creatable, requires
from filings.checks import ProfileCache, counts, run_checks
from filings.editing import StaleEdit, check_fresh
from filings.fields import DISCLOSURE_FIELDS, DISTRICT_CATEGORIES
from filings.models import Filing
from filings.wizard import copying, steps
from filings.wizard.forms import (
    CITY_CATEGORIES,
    CITY_NATURES,
    EX_ANTE_CONCLUSIONS,
    INPUT_NOTE_DEFAULT,
    CopyForm,
    CreateForm,
)
from indicators.editor import editor_context
from indicators.models import Indicator
from indicators.taxonomy import Taxonomy
from perfgoals.auth import login_required_or_401
from review import history, workflow
from review.final_stage import round_of

PAGE_SIZE = 20
# How many earlier filings 新建申报 offers to copy, and how many projects of the 项目库.
COPY_CANDIDATES = 50
LIBRARY_CANDIDATES = 50


@requires(filing_actions.ANYONE)
def home(request):
    """The landing page: filers start from 我的申报, everyone else from the list."""
    if may(request.user, filing_actions.START_FILING):
        return redirect("filings:mine")
    return redirect("filings:list")


# 我的申报 -------------------------------------------------------------------


def _mine_order():
    # Work in progress first: drafts and returned filings, then the rest by year.
    return Case(
        When(status__in=Filing.EDITABLE_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


@login_required
@require_GET
@requires(filing_actions.SIGNED_IN)
def mine(request):
    user = request.user
    if not may(user, filing_actions.START_FILING):
        return render(request, "filings/mine.html", {"not_a_filer": True})
    # with_history: which drafts may still be deleted (never submitted), in the same query.
    filings = (
        Filing.objects.visible_to(user)
        .filter(organisation_id=user.organisation_id)
        .with_history()
        .order_by(_mine_order(), "-year", "-updated_at", "-pk")
    )
    page = Paginator(filings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # Check only the page's editable filings, with their rows read in two queries.
    editable = [filing for filing in rows if filing.is_editable]
    prefetch_related_objects(editable, "indicators__level2__level1", "tasks")
    taxonomy = Taxonomy.load() if editable else None
    profiles = ProfileCache()  # the filer's filings share one bureau: one query
    entries = []
    for filing in rows:
        entry = {
            "filing": filing,
            "errors": None,
            "warnings": None,
            "resume": None,
            "can_delete": filing_actions.may_be_deleted(filing),
        }
        if filing.is_editable:
            findings = run_checks(filing, taxonomy=taxonomy, profiles=profiles)
            entry["errors"], entry["warnings"] = counts(findings)
            entry["resume"] = steps.resume_step(steps.steps_for(filing.form), findings)
        entries.append(entry)
    return render(
        request,
        "filings/mine.html",
        {"page": page, "entries": entries, "can_create": bool(creatable_forms(user))},
    )


# 新建申报 -------------------------------------------------------------------


def _default_year():
    # Targets are filed in the autumn for the coming budget year.
    return timezone.localdate().year + 1


def _new_page(request, create_forms=None, copy_errors=None, library_error="", status=200):
    user = request.user
    forms = creatable_forms(user)
    year = _default_year()
    create_forms = create_forms or {}
    choices = []
    for form in forms:
        bound = create_forms.get(form) or CreateForm(
            initial={"year": year, "name": _default_name(user.organisation, form)},
            form=form,
            organisation=user.organisation,
        )
        choices.append({"form": form, "label": Filing.Form(form).label, "create_form": bound})
    earlier = []
    if forms:
        earlier = list(
            Filing.objects.visible_to(user)
            .filter(organisation_id=user.organisation_id)
            .order_by("-year", "form", "name")[:COPY_CANDIDATES]
        )
    context = {
        "choices": choices,
        "earlier": earlier,
        "copy_errors": copy_errors or {},
        "default_year": year,
        **_library_choices(request),
        "library_error": library_error,
    }
    return render(request, "filings/new.html", context, status=status)


def _library_choices(request):
    """The filer's projects of the 项目库 not yet filed, found by code or name (``?q=``)."""
    user = request.user
    if Filing.Form.PROJECT not in creatable_forms(user):
        return {"library_offered": False}
    query = request.GET.get("q", "").strip()
    if cleaning.text_problem(query, max_length=100):
        query = ""  # what could be no code or name searches nothing
    projects = filing_actions.library_projects_for(user).order_by("-year", "code")
    if query:
        projects = projects.filter(Q(code__startswith=query) | Q(name__contains=query))
    found = list(projects[: LIBRARY_CANDIDATES + 1])
    return {
        "library_offered": True,
        "library_projects": found[:LIBRARY_CANDIDATES],
        "library_more": len(found) > LIBRARY_CANDIDATES,
        "library_limit": LIBRARY_CANDIDATES,
        "library_query": query,
    }


@login_required
@require_GET
@requires(filing_actions.SIGNED_IN)
def new(request):
    return _new_page(request)


def _default_name(organisation, form):
    if form == Filing.Form.UNIT:
        return organisation.name
    if form == Filing.Form.DEPARTMENT:
        # As the published department forms print it: 上海市闵行区民政局(汇总).
        return f"{organisation.name}(汇总)"
    return ""


def _supervising_department(organisation):
    """主管部门 of a project: the filer's department, or the department above a unit."""
    if organisation.level == organisation.Level.UNIT and organisation.parent_id:
        return organisation.parent.name
    return organisation.name


def _default_variant(organisation):
    """District finance bureaus print 项目类别 as tick boxes; the city uses 项目性质."""
    bureau = organisation
    while bureau.parent_id:
        bureau = bureau.parent
    if any(mark in bureau.name for mark in ("区", "县")):
        return Filing.Variant.DISTRICT
    return Filing.Variant.CITY


def new_filing(organisation, form, year, name, **values):
    """A new draft of ``form`` with the defaults of the official form, and ``values`` set."""
    filing = Filing(organisation=organisation, form=form, year=year, name=name)
    # The round says which edition of the taxonomy its new filings follow.
    round_ = round_of(filing)
    if round_ is not None and round_.framework_id is not None:
        filing.framework_id = round_.framework_id
    if form == Filing.Form.PROJECT:
        filing.variant = _default_variant(organisation)
        filing.department = _supervising_department(organisation)
        filing.implementing_unit = organisation.name
        filing.goal_start_year = filing.goal_end_year = year
    else:
        filing.input_note = INPUT_NOTE_DEFAULT
    for field, value in values.items():
        setattr(filing, field, value)
    rows = []
    if form != Filing.Form.PROJECT:
        # The official overall forms open with the seven 投入管理指标 rows.
        rows = [
            Indicator(level2=level2, order=order)
            for order, level2 in enumerate(Taxonomy.load().overall_level2s(), start=1)
        ]
    return content.create_filing(filing, indicators=rows)


@login_required
@require_POST
@requires(filing_actions.START_FILING)
def create(request, form):
    if form not in Filing.Form.values:
        raise Http404
    require_creatable(request.user, form)
    organisation = request.user.organisation
    create_form = CreateForm(request.POST, form=form, organisation=organisation)
    if not create_form.is_valid():
        return _new_page(request, create_forms={form: create_form})
    data = create_form.cleaned_data
    name = data["name"] or _default_name(organisation, form)
    try:
        filing = new_filing(organisation, form, data["year"], name)
    except content.ContentRefused as refused:
        for problem in refused.problems:
            create_form.add_error(None, problem.message)
        return _new_page(request, create_forms={form: create_form})
    messages.success(request, _("已新建草稿《%(name)s》，请逐步填写。") % {"name": filing.name})
    return redirect("filings:wizard", filing.pk, steps.steps_for(form)[0].slug)


@login_required
@require_POST
@requires(filing_actions.START_FILING)
def create_from_library(request, project):
    """A project filing started from the filer's project of the 项目库: nothing typed twice."""
    found = filing_actions.library_projects_for(request.user).filter(pk=project).first()
    if found is None:
        return _started_already(request, project)
    project = found
    try:
        filing = new_filing(
            request.user.organisation,
            Filing.Form.PROJECT,
            project.year,
            project.name,
            **project.filing_values(),
        )
    except content.ContentRefused as refused:
        problem = "；".join(problem.message for problem in refused.problems)
        return _new_page(request, library_error=problem, status=400)
    messages.success(
        request,
        _("已从项目库新建草稿《%(name)s》（项目编码 %(code)s），名称和金额已填好。")
        % {"name": filing.name, "code": filing.project_code},
    )
    return redirect("filings:wizard", filing.pk, steps.steps_for(filing.form)[0].slug)


def _started_already(request, project_id):
    """The filing a second post for the same project started (a double click, 后退 and again).

    The project is no longer offered once filed; its filer is shown the filing rather
    than a 404 for the filing they have just made. Anyone else gets the 404.
    """
    started = (
        Filing.objects.visible_to(request.user)
        .filter(library_project_id=project_id, organisation_id=request.user.organisation_id)
        .first()
    )
    if started is None:
        raise Http404(_("找不到这个项目库项目，或您无权从它新建申报。"))
    messages.info(
        request,
        _("这个项目已从项目库新建过申报《%(name)s》，已为您打开，未重复新建。")
        % {"name": started.name},
    )
    return redirect("filings:detail", started.pk)


@login_required
@require_POST
@requires(filing_actions.COPY)
def copy(request, access):
    source = access.filing
    require_creatable(request.user, source.form)
    form = CopyForm(request.POST)
    if not form.is_valid():
        problem = _("「新年度」请填写 %(first)s 至 %(last)s 之间的年份") % {
            "first": cleaning.FIRST_YEAR,
            "last": cleaning.LAST_YEAR,
        }
        return _new_page(request, copy_errors={source.pk: problem})
    try:
        filing = copying.copy_filing(source, form.cleaned_data["year"], request.user)
    except ValidationError as exc:
        return _new_page(request, copy_errors={source.pk: " ".join(exc.messages)})
    messages.success(
        request,
        _("已复制为新草稿：%(source)s。金额已清空，请重新填写。") % {"source": filing.source},
    )
    return redirect("filings:wizard", filing.pk, steps.steps_for(filing.form)[0].slug)


@login_required
@require_POST
@requires(filing_actions.DELETE)
def delete(request, access):
    try:
        name = workflow.delete_draft(access.filing, request.user, request=request)
    except workflow.TransitionRefused as refused:
        # Submitted in another window since this page was opened: it keeps its history.
        messages.error(request, str(refused))
        return redirect("filings:detail", access.filing.pk)
    messages.success(request, _("已删除草稿《%(name)s》。") % {"name": name})
    return redirect("filings:mine")


# The wizard -----------------------------------------------------------------


def _findings_by_step(filing, step_list):
    """The checker's findings of ``filing`` grouped by the step that fixes them."""
    findings = run_checks(filing)
    grouped = {step.slug: [] for step in step_list}
    for finding in findings:
        grouped[steps.step_of_finding(step_list, finding).slug].append(finding)
    return grouped


def _render_step(request, access, step, form, *, banner="", status=200):
    filing = access.filing
    step_list = steps.steps_for(filing.form)
    # Findings describe what is saved: read the filing afresh when the form holds unsaved input.
    saved = Filing.objects.get(pk=filing.pk) if form.is_bound else filing
    grouped = _findings_by_step(saved, step_list)
    index = step_list.index(step)
    open_comments = history.open_counts(filing, [s.slug for s in step_list])
    context = {
        "access": access,
        "filing": filing,
        "saved": saved,
        "step": step,
        "form": form,
        "banner": banner,
        "lock_version": request.POST.get("lock_version", filing.lock_version)
        if status == 409
        else filing.lock_version,
        "bar": [
            {
                "step": s,
                "number": number,
                "errors": counts(grouped[s.slug])[0],
                "warnings": counts(grouped[s.slug])[1],
                "comments": open_comments.get(s.slug, 0),
            }
            for number, s in enumerate(step_list, start=1)
        ],
        "findings": grouped[step.slug],
        "previous": step_list[index - 1] if index else None,
        "next": step_list[index + 1] if index + 1 < len(step_list) else None,
        "saved_at": int(saved.updated_at.timestamp() * 1000),
    }
    if step.part == "fields":
        context["money_unit"] = filing.money_unit if filing.is_project else Filing.MoneyUnit.YUAN
        context["natures"] = CITY_NATURES
        context["city_categories"] = CITY_CATEGORIES
        context["district_categories"] = DISTRICT_CATEGORIES
        context["ex_ante_conclusions"] = EX_ANTE_CONCLUSIONS
    if step.part == "indicators":
        context.update(editor_context(saved, access), editor_available=True)
    if step.part == "review":
        context["grouped"] = [
            {"step": s, "findings": grouped[s.slug]} for s in step_list if grouped[s.slug]
        ]
        context["has_errors"] = any(f.is_error for group in grouped.values() for f in group)
        context["form_document"] = page_document(saved)
    return render(request, "filings/wizard/step.html", context, status=status)


def _step_findings_json(filing, step):
    saved = Filing.objects.get(pk=filing.pk)
    grouped = _findings_by_step(saved, steps.steps_for(saved.form))
    return [
        {
            "severity": f.severity,
            "label": str(f.severity_label),
            "message": f.message,
            "source": _("%(profile)s · 依据：%(basis)s") % {"profile": f.profile, "basis": f.basis},
        }
        for f in grouped[step.slug]
    ]


def _save(step, form, filing, seen_version):
    """Save what is valid of ``form``; return its field errors. Raises StaleEdit."""
    if step.part == "tasks":
        if not form.is_valid():
            check_fresh(filing, seen_version)
            return form.named_errors()
        if form.has_changed():
            try:
                form.save(seen_version)
            except content.ContentRefused as refused:
                return {"tasks": [problem.message for problem in refused.problems]}
        else:
            check_fresh(filing, seen_version)
        return {}
    if step.part != "fields":
        check_fresh(filing, seen_version)
        return {}
    form.is_valid()
    # A draft keeps whatever is valid: only the fields that failed are left unsaved.
    valid = [name for name in step.fields if name not in form.errors]
    if any(name in form.errors for name in DISCLOSURE_FIELDS):
        # 是否公开 and its reason are saved together, or not at all.
        valid = [name for name in valid if name not in DISCLOSURE_FIELDS]
    if valid and form.has_changed():
        try:
            content.save_fields(filing, seen_version, valid)
        except content.ContentRefused as refused:
            # The form asks the same rules first: only a value it let through lands here.
            return {**form.named_errors(), **refused.by_field()}
    else:
        check_fresh(filing, seen_version)
    return form.named_errors()


def _target(filing, step, nav):
    """Where the pressed button goes: 上一步, 下一步, a step of the bar, or stay (暂存)."""
    step_list = steps.steps_for(filing.form)
    index = step_list.index(step)
    if nav == "next" and index + 1 < len(step_list):
        return step_list[index + 1]
    if nav == "prev" and index > 0:
        return step_list[index - 1]
    if nav.startswith("goto:"):
        return steps.find_step(filing.form, nav.removeprefix("goto:")) or step
    return step


def _is_autosave(request):
    return request.headers.get("X-Autosave") == "1"


@login_required_or_401
@require_http_methods(["GET", "POST"])
@requires(filing_actions.EDIT, json=_is_autosave)
def wizard(request, access, step):
    autosave = _is_autosave(request)
    filing = access.filing
    current = steps.find_step(filing.form, step)
    if current is None:
        raise Http404
    if request.method == "GET":
        return _render_step(request, access, current, current.form_class(instance=filing))

    form = current.form_class(request.POST, instance=filing)
    seen_version = request.POST.get("lock_version")
    try:
        errors = _save(current, form, filing, seen_version)
    except StaleEdit as exc:
        if autosave:
            return JsonResponse({"ok": False, "error": str(exc)}, status=409)
        return _render_step(request, access, current, form, banner=str(exc), status=409)
    if autosave:
        return JsonResponse(
            {
                "ok": not errors,
                "lock_version": filing.lock_version,
                "errors": errors,
                "saved_at": timezone.localtime().strftime("%H:%M:%S"),
                # The step's findings as saved now: the page shows them instead of the ones it
                # was loaded with, which would still say 「…」未填写 after the filer filled it.
                "findings": _step_findings_json(filing, current),
            }
        )
    if errors:
        banner = _("有 %(count)s 处输入有误，未保存这些栏目；其余内容已暂存。") % {
            "count": sum(len(messages_) for messages_ in errors.values())
        }
        return _render_step(request, access, current, form, banner=banner)
    target = _target(filing, current, request.POST.get("nav", "save"))
    if target == current:
        messages.success(request, _("已暂存。"))
    return redirect("filings:wizard", filing.pk, target.slug)
