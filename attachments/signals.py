"""The file of an attachment row deleted goes with it, once the deletion is committed.

Only a row no version lists is ever deleted (``services.remove``; a never-submitted
draft deleted with its rows): a listed one keeps its file for good.
"""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from attachments.models import Attachment
from attachments.services import storage


@receiver(post_delete, sender=Attachment)
def _delete_file(sender, instance, **kwargs):
    if instance.first_version_id is not None:
        return
    name = instance.stored_name
    transaction.on_commit(lambda: storage().delete(name))
