from django.db import migrations


def grant_lead_dialogues_to_facilitators(apps, schema_editor):
    """Facilitators already on a team get the new permission their role now grants. The
    permission row is made here because Django creates permissions only after migrating."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Membership = apps.get_model("dialogues", "Membership")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    content_type, _ = ContentType.objects.get_or_create(app_label="dialogues", model="programme")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="lead_dialogues", defaults={"name": "Lead dialogues"}
    )
    for membership in Membership.objects.filter(role="facilitator"):
        UserObjectPermission.objects.get_or_create(
            permission=permission,
            content_type=content_type,
            object_pk=str(membership.programme_id),
            user_id=membership.user_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0004_resume_where_paused"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="programme",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("manage_team", "Manage the programme team"),
                    ("view_dialogues", "See dialogues, participants and the actor map"),
                    ("view_identity", "See participant identities"),
                    ("design_dialogues", "Design and run dialogues"),
                    ("lead_dialogues", "Lead dialogues"),
                    ("vet_outputs", "Vet options and documents"),
                    ("carry_uptake", "Carry outputs to policy and log results"),
                    ("view_results", "See monitoring and evaluation results"),
                ],
                "verbose_name": "programme",
                "verbose_name_plural": "programmes",
            },
        ),
        migrations.RunPython(grant_lead_dialogues_to_facilitators, migrations.RunPython.noop),
    ]
