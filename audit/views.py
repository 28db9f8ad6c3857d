"""审计日志: the audit log for admins, newest first, filtered by user, action, organisation,
date and text.

Cost: a COUNT and one query for the page's rows (with its organisation), plus
the organisation choices of the filter form — whatever the number of events.
"""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from audit.models import AuditEvent
from filings.access import READ_AUDIT, requires

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    user = forms.CharField(
        label=gettext_lazy("用户"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("用户名或姓名的一部分"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("操作"),
        required=False,
        choices=[("", gettext_lazy("全部操作")), *AuditEvent.Action.choices],
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("组织"),
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label=gettext_lazy("全部组织"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label=gettext_lazy("内容包含"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"
        # Django's own message does not say which format; the page puts the label before it.
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _(
                "不是有效的日期，请按 年-月-日 填写，例如 2026-01-31。"
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("不能早于「开始日期」。"))
        return data

    def filter(self, events):
        """``events`` narrowed by the valid fields (an invalid one is shown, not applied)."""
        if not self.is_bound:
            return events
        self.is_valid()
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(
                Q(username__icontains=data["user"]) | Q(user_display__icontains=data["user"])
            )
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("organisation"):
            events = events.filter(organisation=data["organisation"])
        # Whole days in the site's time zone, as bounds on the indexed column.
        if data.get("date_from"):
            events = events.filter(created_at__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            next_day = data["date_to"] + datetime.timedelta(days=1)
            events = events.filter(created_at__lt=_day_start(next_day))
        if data.get("q"):
            events = events.filter(description__icontains=data["q"])
        return events


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
@requires(READ_AUDIT)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = form.filter(AuditEvent.objects.select_related("organisation"))
    # Not a list of filings, so not filings.listing.paginate (it counts filings' indicators).
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
