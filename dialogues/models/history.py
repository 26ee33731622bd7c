"""The audit trail of models Parley does not own: accounts, groups and django-guardian's
object permissions (a role's rights on a programme are guardian rows). Registered here so their
historical models and migrations live in this app (see dialogues.audit)."""

import simple_history
from django.contrib.auth.models import Group, User
from guardian.models import GroupObjectPermission, UserObjectPermission

from dialogues.audit import AuditedRecords

# Staff and superuser flags, groups and global permissions: who may reach Django admin and
# what they may do there. Password hashes are not copied into the history, and a sign-in's
# `last_login` stamp is not a change (AuditedRecords skips saves of untracked fields only).
simple_history.register(
    User,
    app="dialogues",
    records_class=AuditedRecords,
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
)
simple_history.register(
    Group, app="dialogues", records_class=AuditedRecords, m2m_fields=["permissions"]
)
# A row per permission granted on one object: created when granted, deleted when revoked.
simple_history.register(UserObjectPermission, app="dialogues", records_class=AuditedRecords)
simple_history.register(GroupObjectPermission, app="dialogues", records_class=AuditedRecords)
