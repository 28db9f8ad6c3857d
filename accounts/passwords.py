"""Password rules with every message in Chinese.

Django 5.2's MinimumLengthValidator asks for a message its Chinese catalogue does not have
(the text changed and the translation did not follow), so a short password was refused in
English. This one says it in Chinese; the other validators are Django's own.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码长度太短。密码必须包含至少 %(min_length)d 个字符。") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return _("你的密码必须包含至少 %(min_length)d 个字符。") % {"min_length": self.min_length}
