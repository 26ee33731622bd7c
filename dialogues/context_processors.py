from dialogues.models import Membership


def navigation(request):
    """The roles the signed-in user holds anywhere, for the role-aware navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())
    return {
        "nav_roles": roles,
        "nav_is_facilitator": Membership.Role.FACILITATOR in roles,
        "nav_is_officer": Membership.Role.PROGRAMME_OFFICER in roles,
        "nav_is_legal": Membership.Role.LEGAL_REVIEWER in roles,
        "nav_is_donor": Membership.Role.DONOR in roles,
    }
