from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone


@shared_task
def send_team_invitation(membership_id):
    """E-mail a new team member a link to choose their password. Runs after the membership
    is committed; a membership removed in the meantime sends nothing."""
    from dialogues.invitations import invitation_link
    from dialogues.models import Membership

    membership = (
        Membership.objects.select_related("user", "programme").filter(pk=membership_id).first()
    )
    if membership is None or membership.user.has_usable_password():
        return False
    user = membership.user
    context = {
        "programme": membership.programme.name,
        "role": membership.get_role_display(),
        "username": user.username,
        "link": invitation_link(user),
    }
    send_mail(
        subject=render_to_string("dialogues/email/invitation_subject.txt", context).strip(),
        message=render_to_string("dialogues/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True


@shared_task
def purge_expired_sessions():
    """Delete expired login sessions; returns how many went."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
