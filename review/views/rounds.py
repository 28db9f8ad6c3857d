"""Filing rounds (申报批次): a finance bureau opens the year's round with a deadline.

The bureau's finance reviewers manage its rounds, and admins those of every
bureau (they pick the bureau); queues, reminders and the dashboard measure
lateness against the deadline set here.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings import cleaning
from filings.access import MANAGE_ROUNDS, requires
from filings.cleaning import CleanTextMixin
from filings.models import Filing
from filings.visibility import bureaus_managed_by, rounds_visible_to
from review import approvers
from review.models import Round
from review.notifications import NOT_SUBMITTED

FINAL_FIELDS = ("final_unit_overall", "final_second_level_project", "final_first_level_project")


class RoundForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "year",
            "title",
            "opens_on",
            "deadline",
            "adjustments_open_on",
            "adjustments_close_on",
            "framework",
            *FINAL_FIELDS,
        ]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("opens_on", "deadline", "adjustments_open_on", "adjustments_close_on")
        }

    def __init__(self, *args, bureau, **kwargs):
        super().__init__(*args, **kwargs)
        self.bureau = bureau
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["framework"].widget.attrs["class"] = "form-select"
        self.fields["framework"].empty_label = _("传统指标体系（默认）")
        for name in FINAL_FIELDS:
            # Left out, a setting keeps its value (88号's default for a new round).
            self.fields[name].required = False
            self.fields[name].widget.attrs["class"] = "form-select"
        if self.instance.pk:
            # The year names the round; moving it would mix two seasons' figures.
            self.fields["year"].disabled = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        if cleaning.year_problem(year):
            raise forms.ValidationError(
                gettext_lazy("年度应在 %(first)s 至 %(last)s 之间。")
                % {"first": cleaning.FIRST_YEAR, "last": cleaning.LAST_YEAR}
            )
        # The bureau is not a field of the form, so Django would skip this constraint.
        taken = Round.objects.filter(bureau=self.bureau, year=year).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                gettext_lazy("%(year)d 年度已有申报批次，请修改该批次的截止日期。") % {"year": year}
            )
        return year

    def clean(self):
        cleaned = super().clean()
        opens_on, deadline = cleaned.get("opens_on"), cleaned.get("deadline")
        if opens_on and deadline and opens_on > deadline:
            self.add_error("deadline", gettext_lazy("截止日期不能早于开始日期。"))
        first, last = cleaned.get("adjustments_open_on"), cleaned.get("adjustments_close_on")
        if first and last and first > last:
            self.add_error(
                "adjustments_close_on",
                gettext_lazy("调整申请截止日期不能早于调整申请开始日期。"),
            )
        return cleaned

    def clean_final_unit_overall(self):
        return self._final("final_unit_overall")

    def clean_final_second_level_project(self):
        return self._final("final_second_level_project")

    def clean_final_first_level_project(self):
        return self._final("final_first_level_project")

    def _final(self, name):
        value = self.cleaned_data.get(name)
        return value or getattr(self.instance, name)

    def validate_constraints(self):
        # Both constraints are checked above, with messages that name the field.
        pass


def _save(request, form, bureau):
    round_ = form.save(commit=False)
    round_.bureau = bureau
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        # Two reviewers opening the same year at once: the second is told, not a 500.
        form.add_error("year", _("该财政局本年度已有申报批次。"))
        return None
    return round_


def _bureau_asked(request):
    """The bureau of the page: the reviewer's own, or the one an admin picked (?bureau=)."""
    bureaus = list(bureaus_managed_by(request.user))
    if not bureaus:
        raise Http404(_("还没有财政局。"))
    asked = request.POST.get("bureau") or request.GET.get("bureau") or ""
    chosen = next((bureau for bureau in bureaus if str(bureau.pk) == asked), bureaus[0])
    return chosen, bureaus


def _rounds_url(bureau):
    return f"{reverse('review:rounds')}?bureau={bureau.pk}"


@login_required
@requires(MANAGE_ROUNDS)
def rounds(request):
    """The bureau's rounds, and a form to open a new one (POST)."""
    bureau, bureaus = _bureau_asked(request)
    if request.method == "POST":
        form = RoundForm(request.POST, bureau=bureau)
        if form.is_valid() and _save(request, form, bureau):
            messages.success(
                request,
                _("已开启 %(year)d 年度申报批次，截止日期 %(deadline)s。")
                % {"year": form.instance.year, "deadline": form.instance.deadline.isoformat()},
            )
            return redirect(_rounds_url(bureau))
    else:
        today = timezone.localdate()
        form = RoundForm(
            bureau=bureau,
            initial={
                "year": today.year + 1,
                "opens_on": today,
                "title": Round._meta.get_field("title").default,
            },
        )
    return render(request, "review/rounds.html", {**_context(bureau, form), "bureaus": bureaus})


@login_required
@requires(MANAGE_ROUNDS)
def round_edit(request, pk):
    """Change a round's title, opening day or deadline (POST); GET shows the form."""
    # Another bureau's round does not exist for this reviewer.
    round_ = get_object_or_404(rounds_visible_to(request.user, Round.objects.all()), pk=pk)
    bureau = round_.bureau
    form = RoundForm(request.POST or None, instance=round_, bureau=bureau)
    if request.method == "POST" and form.is_valid() and _save(request, form, bureau):
        messages.success(
            request,
            _("已更新 %(year)d 年度申报批次，截止日期 %(deadline)s。")
            % {"year": round_.year, "deadline": round_.deadline.isoformat()},
        )
        return redirect(_rounds_url(bureau))
    return render(request, "review/rounds.html", {**_context(bureau, form), "editing": round_})


def _context(bureau, form):
    rows = list(Round.objects.filter(bureau=bureau).order_by("-year"))
    today = timezone.localdate()
    # How many of each year's filings under the bureau are still with their filers:
    # one grouped query for all the rounds shown.
    pending = {}
    if rows:
        pending = dict(
            Filing.objects.under(bureau)
            .filter(year__in=[row.year for row in rows], status__in=NOT_SUBMITTED)
            .values("year")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("year", "n")
        )
    for row in rows:
        row.pending = pending.get(row.year, 0)
        row.days_left = (row.deadline - today).days
        row.final_table = approvers.final_stage_table(row)
    return {"bureau": bureau, "rounds": rows, "form": form}
