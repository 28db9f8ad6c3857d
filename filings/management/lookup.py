"""Finding the organisation a command's --org names."""

from django.core.management.base import CommandError

from accounts.models import Organisation
from filings.money import echo


def find_organisation(text):
    """The organisation named ``text``, or by its path 上级/本级 when names repeat."""
    *parents, name = [part.strip() for part in text.split("/")]
    matches = Organisation.objects.filter(name=name)
    for depth, parent in enumerate(reversed(parents), start=1):
        matches = matches.filter(**{"__".join(["parent"] * depth) + "__name": parent})
    matches = list(matches.select_related("parent__parent")[:10])
    if not matches:
        raise CommandError(f"找不到组织「{echo(text)}」")
    if len(matches) > 1:
        paths = "；".join("/".join(org.path()) for org in matches)
        raise CommandError(f"有多个名为「{echo(name)}」的组织，请写完整路径：{paths}")
    return matches[0]
