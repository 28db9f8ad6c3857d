from django import template

from review.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context):
    """How many of the current user's notifications are unread (the badge next to 通知).

    One COUNT over the inbox index (recipient, read_at), paid only by pages that
    print the navigation bar; JSON endpoints and redirects pay nothing.
    """
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
