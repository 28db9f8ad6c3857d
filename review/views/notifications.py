"""The inbox (通知): a user's own notifications, newest first, marked read one by one or all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.access import SIGNED_IN, requires
from review.models import Notification

PAGE_SIZE = 20


@login_required
@requires(SIGNED_IN)
def inbox(request):
    # Not a list of filings, so not filings.listing.paginate: nothing to annotate,
    # and the count is one COUNT over the inbox index.
    notifications = Notification.objects.filter(recipient=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/notifications.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
@requires(SIGNED_IN)
def mark_read(request, pk):
    """Mark one notification read; with ``open`` go on to what it is about."""
    # Someone else's notification does not exist, as far as this user can tell.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.POST.get("open") and _is_local(request, notification.url):
        # The target page decides again who may see it (filings.access).
        return redirect(notification.url)
    return redirect(_back(request))


@login_required
@require_POST
@requires(SIGNED_IN)
def mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect(_back(request))


def _is_local(request, url):
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request):
    target = request.POST.get("next", "")
    return target if _is_local(request, target) else "review:notifications"
