from django.contrib.admin.apps import AdminConfig


class ParleyAdminConfig(AdminConfig):
    """Django admin with Parley's site (dialogues.admin_site): every admin page behind the
    second factor."""

    default_site = "dialogues.admin_site.ParleyAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module
        from django.contrib.admin import site

        from dialogues.admin_site import register_device_admin

        register_device_admin(site)
