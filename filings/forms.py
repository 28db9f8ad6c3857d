import html

from django import forms
from django.db.models import Max, Min
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, organisations_of
from filings.models import Filing


def organisations_visible_to(user):
    """The organisations whose filings ``user`` may see, for a filter's choices.

    Read from the organisation tree (``organisations_of``), not from the
    filings: a DISTINCT over every visible filing grows with the filings, the
    tree does not. Bureaus are left out because no filer works at one, so no
    filing belongs to one.
    """
    filing_levels = (Organisation.Level.DEPARTMENT, Organisation.Level.UNIT)
    return organisations_of(user).filter(level__in=filing_levels)


class PlainSelect(forms.Select):
    """A select whose options are written in Python, not one template each.

    An admin's organisation filter lists every filing organisation (550 in the
    benchmark's city). Through Django's option template that was most of the
    list page's time; building a model instance and a ``format_html`` call per
    option still took 12 ms of a 50 ms page. For a ``ModelChoiceField`` the
    options are therefore read with ``values_list`` (no instances) and joined as
    plain strings: about 2 ms, half of it the query. ``label_field`` names the
    model field printed as the label; it must be what the model's ``__str__``
    prints. Other choices must be flat (no optgroups).
    """

    label_field = "name"

    def _options(self):
        if isinstance(self.choices, ModelChoiceIterator):
            field = self.choices.field
            if field.empty_label is not None:
                yield "", field.empty_label
            key = field.to_field_name or "pk"
            yield from self.choices.queryset.values_list(key, self.label_field)
        else:
            yield from self.choices

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = [
            # html.escape is what django.utils.html.escape calls, without its lazy wrapper.
            f'<option value="{html.escape(str(key))}"{" selected" if str(key) in selected else ""}>'
            f"{html.escape(str(label))}</option>"
            for key, label in self._options()
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # every part escaped above
        )


class FilingFilterForm(forms.Form):
    """Filters of the filing list; choices come from what the user may see.

    ``visible`` is the user's visible filings (for the years on offer) and
    ``user`` the user (for the organisations on offer). Both choice lists take
    one cheap query each, at 15 filings as at 10,000.
    """

    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    form = forms.ChoiceField(label=_("表式"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("填报单位"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=PlainSelect,
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    q = forms.CharField(label=_("名称包含"), required=False, max_length=100)

    def __init__(self, data, *, visible, user):
        super().__init__(data)
        # From the first to the last year, not a DISTINCT over every visible filing: MIN
        # and MAX are each one step down an index that starts with the year
        # (filing_default_order, or filing_org_year for a filer), at any number of filings.
        span = visible.order_by().aggregate(first=Min("year"), last=Max("year"))
        years = range(span["last"], span["first"] - 1, -1) if span["last"] else []
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, f"{y}年度") for y in years]
        self.fields["form"].choices = [("", _("全部表式")), *Filing.Form.choices]
        self.fields["status"].choices = [("", _("全部状态")), *Filing.Status.choices]
        self.fields["organisation"].queryset = organisations_visible_to(user).order_by("name")
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
