"""The 附件 panel of the filing page, the wizard's last step and the review page.

The inclusion tag reads its own rows (one query), so each page shows the panel
with one line of template and no change to its view.
"""

from django import template
from django.template.defaultfilters import filesizeformat

from attachments.forms import UploadForm
from attachments.models import Attachment

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(context, access, back="detail", form=None):
    """The filing's kept attachments; the upload form and 删除 for whoever may edit it.

    ``back`` is where an upload or a removal returns: "detail" (the filing page),
    "wizard" (the wizard's last step) or "list" (the attachments page).
    """
    filing = access.filing
    return {
        "filing": filing,
        "attachments": Attachment.objects.filter(filing=filing).kept(),
        "can_edit": access.can_edit,
        "form": form or (UploadForm() if access.can_edit else None),
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def file_size(size):
    """Bytes as the panel prints them (KB, MB)."""
    return filesizeformat(size)
