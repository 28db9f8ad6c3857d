"""The forms of the 项目库 pages: the load (a file and its year) and the list's filters."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings import cleaning
from filings.cleaning import CleanTextMixin


def default_year():
    # The 项目库 is loaded in the autumn for the coming budget year, as targets are filed.
    return timezone.localdate().year + 1


class LoadForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"), min_value=cleaning.FIRST_YEAR, max_value=cleaning.LAST_YEAR
    )
    file = forms.FileField(
        label=_("项目库文件（.xlsx 或 .csv）"),
        error_messages={"required": _("请选择要导入的项目库文件。")},
    )

    def named_errors(self):
        return [
            f"「{self[name].label}」{message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]


class FilterForm(CleanTextMixin, forms.Form):
    """Filters of the year's list: organisation, code or name, matched or not, filed or not."""

    STATES = (
        ("", _("全部")),
        ("unmatched", _("单位未匹配")),
        ("filed", _("已申报")),
        ("unfiled", _("未申报")),
    )
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=cleaning.FIRST_YEAR,
        max_value=cleaning.LAST_YEAR,
    )
    organisation = forms.ModelChoiceField(
        label=_("预算单位"), queryset=None, required=False, empty_label=_("全部单位")
    )
    q = forms.CharField(label=_("项目编码或名称"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("状态"), choices=STATES, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def filter(self, projects):
        if not self.is_valid():
            return projects
        data = self.cleaned_data
        if data["organisation"]:
            projects = projects.filter(organisation=data["organisation"])
        if data["q"]:
            q = data["q"].strip()
            projects = projects.filter(code__startswith=q) | projects.filter(name__contains=q)
        state = data["state"]
        if state == "unmatched":
            projects = projects.filter(organisation__isnull=True)
        elif state in ("filed", "unfiled"):
            # ``filed`` is annotated by the page (Project.objects.with_filing()).
            projects = projects.filter(filed=state == "filed")
        return projects
