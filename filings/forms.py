from django import forms
from django.utils.translation import gettext_lazy as _

from filings.models import Filing, Organisation


class FilingFilterForm(forms.Form):
    """Filters of the filing list; choices come from what the user may see."""

    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    form = forms.ChoiceField(label=_("表式"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("填报单位"), queryset=Organisation.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    q = forms.CharField(label=_("名称包含"), required=False, max_length=100)

    def __init__(self, data, *, visible):
        super().__init__(data)
        years = visible.order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, f"{y}年度") for y in years]
        self.fields["form"].choices = [("", _("全部表式")), *Filing.Form.choices]
        self.fields["status"].choices = [("", _("全部状态")), *Filing.Status.choices]
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=visible.values("organisation")
        ).order_by("name")
        self.fields["organisation"].empty_label = _("全部单位")
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} form-select-sm form-control-sm"

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["year"]:
            queryset = queryset.filter(year=data["year"])
        if data["form"]:
            queryset = queryset.filter(form=data["form"])
        if data["organisation"]:
            queryset = queryset.filter(organisation=data["organisation"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["q"]:
            queryset = queryset.filter(name__icontains=data["q"])
        return queryset
