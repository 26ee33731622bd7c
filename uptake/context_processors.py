from uptake.models import Notification


def notifications(request):
    """The signed-in user's unread notification count, for the navigation: one COUNT query
    (served by the recipient/read_at index)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_unread_notifications": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count()
    }
