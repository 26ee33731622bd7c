from uptake.permissions import notifications_for_user


def notifications(request):
    """The signed-in user's unread notification count, for the navigation: one COUNT query
    (served by the recipient/read_at index)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_unread_notifications": notifications_for_user(user)
        .filter(read_at__isnull=True)
        .count()
    }
