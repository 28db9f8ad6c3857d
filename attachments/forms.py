from django import forms
from django.utils.translation import gettext_lazy as _

from attachments.filetypes import ACCEPTED
from attachments.models import Attachment
from filings import limits
from filings.cleaning import CleanTextMixin


class UploadForm(CleanTextMixin, forms.Form):
    """One file, its kind and a short description; the file's checks are the service's."""

    kind = forms.ChoiceField(label=_("附件类别"), choices=Attachment.Kind.choices)
    description = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=limits.MAX_ATTACHMENT_DESCRIPTION,
        help_text=_("如：文件名称、文号或页数，选填"),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("%(types)s，每个不超过 %(size)s MB")
        % {"types": ACCEPTED, "size": limits.MAX_ATTACHMENT_BYTES // 1024 // 1024},
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("上传的文件是空的。"),
            "invalid": _("没有收到文件，请重新选择后上传。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )
