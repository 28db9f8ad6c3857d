"""The URL × persona matrix: every named URL of the site, how to request it, who may see what.

tests/web/test_url_persona_matrix.py requests each route (GET and, where it takes one,
POST) as each persona against a draft of organisation A (a budget unit under a
department under a bureau): the personas outside A's tree must get a refusal and never
see A's name, and insiders get what their role allows. The routes come from the URL
configuration itself, so a new view that is not listed in ROUTES fails
``test_every_url_is_in_the_matrix`` until somebody says how to request it.
tests/browser/test_small_screens.py opens every page an insider gets in Chromium.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Organisation, User
from attachments import services as attachment_services
from attachments.models import Attachment
from exports import jobs
from exports.models import ExportJob
from filings.models import FilingVersion
from indicators.models import LibraryEntry
from projects.models import LibraryLoad, Project
from review.models import ApprovalNotice, Comment, Notification, Review, Round
from tests.conftest import PASSWORD, make_filing

SECRET = "甲单位机密项目"
SECRET_ROW = "甲单位机密指标"

# Who is who, relative to organisation A (上海市闵行区老龄事业发展中心).
INSIDERS = ("filer_a", "department_reviewer", "finance_reviewer", "admin")
OUTSIDERS = ("filer_b", "other_department_reviewer", "other_bureau_finance_reviewer")
PERSONAS = ("anonymous", *INSIDERS, *OUTSIDERS)
REFUSED = {403, 404, 405}
# Insiders to whom A's draft is hidden until it is submitted (filings.access).
DRAFT_HIDDEN_FROM = ("department_reviewer",)
ANONYMOUS = {302, 401, 405}  # to the login page, or 401 for a JSON endpoint


@dataclass
class Route:
    """How to request one named URL, and what the insiders may get."""

    kwargs: object = None  # ctx -> dict of URL kwargs
    methods: tuple = ("GET",)
    query: str = ""  # appended to the URL (GET)
    data: object = None  # ctx -> dict of POST data (an empty POST by default)
    # persona -> allowed status codes for insiders; outsiders and anonymous are fixed above.
    insiders: dict = field(default_factory=dict)
    # Routes that are not about one filing (lists, pages of one's own) answer outsiders
    # with a page of their own: it must not contain A's data, whatever the status.
    own_page: bool = False


def _filing(ctx):
    return {"pk": ctx.filing.pk}


def _step(ctx):
    return {"pk": ctx.filing.pk, "step": "basic"}


def _a_row(ctx):
    return {"filing": ctx.filing.pk, "key": str(ctx.filing.indicators.first().key)}


ALL_OK = {"filer_a": {200}, "department_reviewer": {200}, "finance_reviewer": {200}, "admin": {200}}
FILER_ONLY = {
    "filer_a": {200},
    "department_reviewer": {403},
    "finance_reviewer": {403},
    "admin": {403},
}

REVIEWERS_ONLY = {
    "filer_a": {403},
    "department_reviewer": {200},
    "finance_reviewer": {200},
    "admin": {403},
}


def _a_decided_review(ctx):
    """A's filing returned once by its department: its 审核表 is on record."""
    version, _created = FilingVersion.objects.get_or_create(
        filing=ctx.filing,
        number=1,
        defaults={"reason": "submitted", "snapshot": {"name": SECRET}, "content_hash": "0" * 64},
    )
    review, _created = Review.objects.get_or_create(
        version=version,
        stage="department",
        defaults={
            "filing": ctx.filing,
            "to_improve": SECRET_ROW,
            "decision": "return",
            "decided_at": timezone.now(),
        },
    )
    return {"pk": ctx.filing.pk, "review_id": review.pk}


def _a_notification(ctx):
    """A notification to A's filer that names A's filing: only its recipient may touch it."""
    notification, _created = Notification.objects.get_or_create(
        recipient=ctx.users["filer_a"],
        kind="returned",
        defaults={"filing": ctx.filing, "message": f"「{SECRET}」被退回修改", "url": "/"},
    )
    return {"pk": notification.pk}


def _a_round(ctx):
    """The round of A's bureau (闵行区财政局)."""
    round_, _created = Round.objects.get_or_create(
        bureau=ctx.filing.organisation.parent.parent,
        year=ctx.filing.year,
        defaults={"opens_on": "2024-01-01", "deadline": "2024-03-31"},
    )
    return {"pk": round_.pk}


def _a_bureau(ctx):
    """A's bureau (闵行区财政局): whose rule profile applies to A's filings."""
    return {"bureau": ctx.filing.organisation.parent.parent_id}


def _two_versions(ctx):
    """Two versions of A's filing, the second with A's indicator row: a diff to show."""
    for number, rows in ((1, []), (2, [{"key": "k1", "name": SECRET_ROW, "value": "≥1(个)"}])):
        FilingVersion.objects.get_or_create(
            filing=ctx.filing,
            number=number,
            defaults={
                "reason": "submitted",
                "snapshot": {"form": "project", "name": SECRET, "indicators": rows},
                "content_hash": str(number) * 64,
            },
        )
    return {"pk": ctx.filing.pk}


def _a_comment(ctx):
    """A remark to A's filer on A's filing."""
    comment, _created = Comment.objects.get_or_create(
        filing=ctx.filing, defaults={"body": "请补充测算依据", "part": "funds"}
    )
    return {"pk": ctx.filing.pk, "comment_id": comment.pk}


def _a_job(ctx):
    """A finished export job of A's filer, its file holding A's data: its creator's alone."""
    job, created = ExportJob.objects.get_or_create(
        created_by=ctx.users["filer_a"],
        defaults={
            "organisation": ctx.filing.organisation,
            "year": ctx.filing.year,
            "kind": ExportJob.Kind.PDF_ZIP,
            "filing_ids": [ctx.filing.pk],
            "status": ExportJob.Status.DONE,
            "done": 1,
            "total": 1,
            "output_name": "export.zip",
        },
    )
    if created:
        path = jobs.job_folder(job) / "output.zip"
        path.parent.mkdir(parents=True)
        path.write_text(SECRET, encoding="utf-8")
        job.output_path = str(path.relative_to(settings.EXPORT_ROOT))
        job.save()
    return {"pk": job.pk}


def _an_attachment(ctx):
    """An attachment of A's draft whose file holds A's secret."""
    attachment = Attachment.objects.filter(filing=ctx.filing).first()
    if attachment is None:
        stored = "ab/matrix-secret"
        attachment_services.storage().save(stored, ContentFile(SECRET.encode("utf-8")))
        attachment = Attachment.objects.create(
            filing=ctx.filing,
            kind=Attachment.Kind.BASIS,
            name=f"{SECRET}.pdf",
            file_type=Attachment.FileType.PDF,
            size=len(SECRET.encode("utf-8")),
            sha256="0" * 64,
            stored_name=stored,
        )
    return {"pk": ctx.filing.pk, "key": attachment.key}


def _org_year(ctx):
    """A's organisation and year: the 批复 page of A."""
    return {"organisation_id": ctx.filing.organisation_id, "year": ctx.filing.year}


def _a_notice(ctx):
    """A 批复 issued to A by its department (listing nothing: its PDF is the cover alone)."""
    organisation = ctx.filing.organisation
    notice, _created = ApprovalNotice.objects.get_or_create(
        organisation=organisation,
        year=ctx.filing.year,
        issuer=organisation.parent,
        sequence=1,
        defaults={"number": f"{SECRET}绩批〔2024〕1号"},
    )
    return {"pk": notice.pk}


def _export_of_a(ctx):
    return {"organisation": ctx.filing.organisation_id, "year": ctx.filing.year, "kind": "pdf_zip"}


def _a_library(ctx):
    """A's bureau's 项目库 with a project of A's named as A's secret."""
    bureau = ctx.filing.organisation.parent.parent
    load = LibraryLoad.objects.create(bureau=bureau, year=ctx.filing.year, file_name="x.xlsx")
    Project.objects.get_or_create(
        bureau=bureau,
        year=ctx.filing.year,
        code="A0001",
        defaults={"name": SECRET, "organisation": ctx.filing.organisation, "load": load},
    )
    return {"bureau": bureau.pk}


def _a_library_project(ctx):
    _a_library(ctx)
    return {"project": Project.objects.get(code="A0001").pk}


CREATOR_ONLY = {
    "filer_a": {200},
    "department_reviewer": {404},
    "finance_reviewer": {404},
    "admin": {404},
}


FINANCE_ONLY = {
    "filer_a": {403},
    "department_reviewer": {403},
    "finance_reviewer": {200},
    "admin": {403},
}


ROUTES = {
    "home": Route(own_page=True, insiders={p: {302} for p in INSIDERS}),
    "login": Route(methods=("GET", "POST"), own_page=True, insiders={p: {200} for p in INSIDERS}),
    "logout": Route(methods=("POST",), own_page=True, insiders={p: {302} for p in INSIDERS}),
    # One's own password (Django's views, templates/registration/): an empty POST is refused.
    "password_change": Route(
        methods=("GET", "POST"), own_page=True, insiders={p: {200} for p in INSIDERS}
    ),
    "password_change_done": Route(own_page=True, insiders={p: {200} for p in INSIDERS}),
    # Login lockouts (accounts/lockout.py): admins only; unlocking is a POST.
    "lockouts": Route(own_page=True, insiders={**{p: {403} for p in INSIDERS}, "admin": {200}}),
    "unlock": Route(methods=("GET", "POST"), own_page=True, insiders={p: {405} for p in INSIDERS}),
    "filings:list": Route(own_page=True, insiders=ALL_OK),
    "filings:detail": Route(kwargs=_filing, insiders=ALL_OK),
    # The filer's pages and the wizard.
    "filings:mine": Route(own_page=True, insiders=ALL_OK),
    "filings:new": Route(own_page=True, insiders={"filer_a": {200}}),
    "filings:create": Route(
        kwargs=lambda ctx: {"form": "project"}, methods=("GET", "POST"), own_page=True
    ),
    "filings:copy": Route(kwargs=_filing, methods=("GET", "POST")),
    # A's project of the 项目库: only A's filer starts a filing from it (others: 403, 404).
    "filings:create_from_library": Route(
        kwargs=_a_library_project, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    "filings:delete": Route(kwargs=_filing, methods=("GET", "POST")),
    "filings:wizard": Route(kwargs=_step, methods=("GET", "POST"), insiders=FILER_ONLY),
    # The indicator editor.
    "indicators:editor_page": Route(kwargs=_filing, insiders=FILER_ONLY),
    "indicators:save_rows": Route(kwargs=_filing, methods=("GET", "POST")),
    "indicators:parse_paste": Route(kwargs=_filing, methods=("GET", "POST")),
    "indicators:parse_value": Route(query="?value=%E2%89%A590%25", own_page=True, insiders=ALL_OK),
    # The library: A's own (个性) entry must stay A's.
    "indicators:library": Route(own_page=True, insiders=ALL_OK),
    "indicators:library_suggest": Route(query="?q=%E7%94%B2", own_page=True, insiders=ALL_OK),
    "indicators:library_add": Route(methods=("GET", "POST"), data=_a_row, own_page=True),
    # The 项目库 (projects/): the bureau's finance reviewers and admins; another bureau's is a 404.
    "projects:index": Route(
        own_page=True,
        insiders={**FILER_ONLY, "filer_a": {403}, "finance_reviewer": {302}, "admin": {200}},
    ),
    "projects:library": Route(
        kwargs=_a_library,
        insiders={**FILER_ONLY, "filer_a": {403}, "finance_reviewer": {200}, "admin": {200}},
    ),
    "projects:load": Route(
        kwargs=_a_library, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    # The reviewer's pages (review/views/review.py).
    "review:queue": Route(own_page=True, insiders=REVIEWERS_ONLY),
    "review:review": Route(kwargs=_filing, insiders=REVIEWERS_ONLY),
    "review:add_comment": Route(
        kwargs=_filing,
        methods=("GET", "POST"),
        data=lambda ctx: {"target": "part:general", "body": "请补充测算依据"},
    ),
    "review:decide": Route(
        kwargs=_filing, methods=("GET", "POST"), data=lambda ctx: {"decision": "return"}
    ),
    "review:review_sheet": Route(kwargs=_a_decided_review, insiders=ALL_OK),
    "review:mark_level": Route(
        kwargs=_filing, methods=("GET", "POST"), data=lambda ctx: {"project_level": "二级"}
    ),
    "review:reopen": Route(
        kwargs=_filing, methods=("GET", "POST"), data=lambda ctx: {"reason": "复议"}
    ),
    # Notifications, rounds and the dashboard.
    "review:notifications": Route(own_page=True, insiders=ALL_OK),
    "review:notification_read": Route(kwargs=_a_notification, methods=("GET", "POST")),
    "review:notifications_read_all": Route(methods=("GET", "POST"), own_page=True),
    "review:rounds": Route(
        methods=("GET", "POST"),
        data=lambda ctx: {"year": "2030", "opens_on": "2030-01-01", "deadline": "2030-03-31"},
        own_page=True,
        insiders={**FINANCE_ONLY, "admin": {200}},  # admins manage every bureau's rounds
    ),
    "review:round_edit": Route(
        kwargs=_a_round, methods=("GET", "POST"), insiders={**FINANCE_ONLY, "admin": {200}}
    ),
    # 批复 (review/views/notices.py): reviewers issue, whoever sees A downloads.
    "review:approvals": Route(own_page=True, insiders=REVIEWERS_ONLY),
    "review:approval_page": Route(kwargs=_org_year, insiders=REVIEWERS_ONLY),
    "review:approval_issue": Route(
        kwargs=_org_year, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    "review:notice_pdf": Route(kwargs=_a_notice, insiders=ALL_OK),
    "review:dashboard": Route(own_page=True, insiders={**FINANCE_ONLY, "admin": {200}}),
    # 审核规则 (filings/views.py): a bureau's rule profile, its finance reviewers' and admins'.
    "filings:check_profiles": Route(
        own_page=True, insiders={**FINANCE_ONLY, "finance_reviewer": {302}, "admin": {302}}
    ),
    "filings:check_profile": Route(kwargs=_a_bureau, insiders={**FINANCE_ONLY, "admin": {200}}),
    "filings:check_profile_save": Route(
        kwargs=_a_bureau, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    # What changed: the diff of two versions (review/views/changes.py).
    "review:diff": Route(kwargs=_two_versions, insiders=ALL_OK),
    # Comments answered and marked 已处理 (review/views/comments.py).
    "review:resolve_comment": Route(kwargs=_a_comment, methods=("GET", "POST")),
    "review:reply": Route(
        kwargs=_a_comment, methods=("GET", "POST"), data=lambda ctx: {"body": "已补充测算依据"}
    ),
    # Downloads and batch exports (exports/views.py): a job is its creator's alone.
    "exports:export_pdf": Route(kwargs=_filing, insiders=ALL_OK),
    "exports:export_excel": Route(kwargs=_filing, insiders=ALL_OK),
    "exports:review_sheet_pdf": Route(kwargs=_a_decided_review, insiders=ALL_OK),
    "exports:exports": Route(own_page=True, insiders=ALL_OK),
    "exports:export_start": Route(
        methods=("GET", "POST"),
        data=_export_of_a,
        own_page=True,
        insiders={p: {405} for p in INSIDERS},
    ),
    "exports:export_status": Route(kwargs=_a_job, insiders=CREATOR_ONLY),
    "exports:export_download": Route(kwargs=_a_job, insiders=CREATOR_ONLY),
    # 导入Excel (importers/views.py): only A's filer may upload into A's draft.
    # A filing's attachments (attachments/views.py): seen with the filing, changed by its filer.
    "attachments:list": Route(kwargs=_filing, insiders=ALL_OK),
    "attachments:upload": Route(
        kwargs=_filing,
        methods=("GET", "POST"),
        insiders={p: {405} for p in INSIDERS},
    ),
    "attachments:download": Route(
        kwargs=_an_attachment, insiders={**ALL_OK, "department_reviewer": {404}}
    ),
    "attachments:remove": Route(
        kwargs=_an_attachment,
        methods=("GET", "POST"),
        insiders={p: {405} for p in INSIDERS},
    ),
    "importers:upload_excel": Route(kwargs=_filing, methods=("GET", "POST"), insiders=FILER_ONLY),
    "importers:upload_excel_confirm": Route(kwargs=_filing, methods=("GET", "POST")),
    "importers:upload_excel_new": Route(
        methods=("GET", "POST"), own_page=True, insiders=FILER_ONLY
    ),
    "importers:upload_excel_new_confirm": Route(methods=("GET", "POST"), own_page=True),
    # 导入已公开的申报表 (importers/published_views.py): admins only; an empty POST is a 400.
    "importers:import_published": Route(
        methods=("GET", "POST"),
        own_page=True,
        insiders={**{p: {403} for p in INSIDERS}, "admin": {200, 400}},
    ),
    "importers:import_published_confirm": Route(methods=("GET", "POST"), own_page=True),
    # The audit log (audit/views.py): admins only.
    "audit:log": Route(own_page=True, insiders={**{p: {403} for p in INSIDERS}, "admin": {200}}),
    # The filer's transitions (review/views/workflow.py): POST only; an empty POST from
    # A's filer is a stale page (refused with a message), anyone else inside is 403.
    "review:submit": Route(
        kwargs=_filing, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    "review:withdraw": Route(
        kwargs=_filing, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    "review:adjust": Route(
        kwargs=_filing, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    # Batch review from 待我审核 (review/views/batch.py): POST only, reviewers; a filing of A
    # ticked by an outsider is left out and named by its number only.
    "review:batch_decide": Route(
        methods=("GET", "POST"),
        own_page=True,
        data=lambda ctx: {
            "filing": [str(ctx.filing.pk)],
            f"lock_{ctx.filing.pk}": "0",
            "decision": "return",
            "opinion": "请修改",
        },
        insiders={p: {405} for p in INSIDERS},
    ),
    # Adjustments that are asked for (review/views/adjustments.py): POST only; on A's
    # draft the filer's and the approver's POST is answered with a message.
    "review:adjustment_apply": Route(
        kwargs=_filing,
        methods=("GET", "POST"),
        data=lambda ctx: {"reason": "随预算调整", "budget_adjustment": ""},
        insiders={p: {405} for p in INSIDERS},
    ),
    "review:adjustment_withdraw": Route(
        kwargs=_filing, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    "review:adjustment_cancel": Route(
        kwargs=_filing, methods=("GET", "POST"), insiders={p: {405} for p in INSIDERS}
    ),
    "review:adjustment_decide": Route(
        kwargs=_filing,
        methods=("GET", "POST"),
        data=lambda ctx: {"decision": "grant", "answer": "同意"},
        insiders={p: {405} for p in INSIDERS},
    ),
}


def named_routes(resolver=None, namespace=""):
    """(name, pattern) of every named URL outside the admin site."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


@dataclass
class World:
    filing: object
    users: dict


def _user(username, role, organisation):
    user = User(username=username, role=role, organisation=organisation)
    user.set_password(PASSWORD)
    user.is_staff = user.is_superuser = role == "admin"
    user.save()
    return user


def build_world(orgs):
    """A's draft with its library entry, B's draft, and a user per persona (committed or not)."""
    other_department = Organisation.objects.create(
        name="其他主管部门", level="department", parent=orgs.city_bureau
    )
    filing = make_filing(orgs.elderly_centre, name=SECRET)
    filing.indicators.update(name=SECRET_ROW)
    users = {
        "anonymous": None,
        "filer_a": _user("filer_a", "filer", orgs.elderly_centre),
        "department_reviewer": _user("dept_a", "department_reviewer", orgs.civil_affairs),
        "finance_reviewer": _user("fin_a", "finance_reviewer", orgs.minhang_bureau),
        "admin": _user("root", "admin", None),
        "filer_b": _user("filer_b", "filer", orgs.disabled_federation),
        "other_department_reviewer": _user("dept_b", "department_reviewer", other_department),
        "other_bureau_finance_reviewer": _user("fin_b", "finance_reviewer", orgs.city_bureau),
    }
    # B has data of its own, so that its pages are not trivially empty.
    make_filing(orgs.disabled_federation, name="乙单位项目")
    # A's own library entry carries A's indicator name.
    row = filing.indicators.first()
    LibraryEntry.objects.create(
        level2=row.level2, name=SECRET_ROW, scope="own", organisation=orgs.elderly_centre
    )
    return World(filing, users)
