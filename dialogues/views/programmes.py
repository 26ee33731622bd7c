from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions
from dialogues.forms import add_service_errors
from dialogues.forms.teams import MemberAddForm, MemberChangeForm, ProgrammeSettingsForm
from dialogues.models import Dialogue, Membership, Participant, Programme
from dialogues.services import teams as services
from dialogues.services.attribution import Redactor, checked_redactor

Role = Membership.Role
# Rows a page of the programme list and of a facilitator's dialogues on the home page, and
# the most each other home section lists: someone on many programmes still gets pages that
# load at once.
LIST_PAGE_SIZE = 50


@login_required
@require_GET
def home(request):
    """Each role lands on its own real data. Queries: memberships, then one per role held
    (dialogues for facilitators, status counts for officers, the review queue for legal
    reviewers, funded programmes for donors) and, where dialogue titles are listed to someone
    who may not see identities, the participants whose names to withhold; whatever the
    amount of data."""
    memberships = list(Membership.objects.filter(user=request.user).select_related("programme"))
    by_role = defaultdict(list)
    for membership in memberships:
        by_role[membership.role].append(membership.programme)

    context = {"memberships": memberships}
    if by_role[Role.FACILITATOR]:
        context["facilitator_dialogues"] = Paginator(
            Dialogue.objects.filter(programme__in=by_role[Role.FACILITATOR])
            .select_related("programme")
            .in_workflow_order()
            # The id last, so that pages never share or skip a row.
            .order_by("programme__name", "status_rank", "title", "pk"),
            LIST_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
    if by_role[Role.PROGRAMME_OFFICER]:
        shown, context["officer_more"] = _first_by_name(by_role[Role.PROGRAMME_OFFICER])
        context["officer_overview"] = _programme_overview(shown)
    if by_role[Role.LEGAL_REVIEWER]:
        queue = list(
            Dialogue.objects.filter(
                programme__in=by_role[Role.LEGAL_REVIEWER], status=Dialogue.Status.PACKAGING
            )
            .select_related("programme")
            .order_by("programme__name", "title", "pk")[: LIST_PAGE_SIZE + 1]
        )
        context["review_queue"] = queue[:LIST_PAGE_SIZE]
        context["review_queue_more"] = len(queue) > LIST_PAGE_SIZE
        context["legal_programmes"], context["legal_more"] = _first_by_name(
            by_role[Role.LEGAL_REVIEWER]
        )
    listed = [*context.get("facilitator_dialogues", ()), *context.get("review_queue", ())]
    if listed:
        shown_from = {dialogue.programme_id for dialogue in listed}
        context["redact"] = _titles_redactor(
            [m for m in memberships if m.programme_id in shown_from]
        )
    if by_role[Role.DONOR]:
        funded, context["funded_more"] = _first_by_name(by_role[Role.DONOR])
        context["funded_programmes"] = (
            Programme.objects.filter(pk__in=[p.pk for p in funded])
            .order_by("name", "pk")
            .annotate(
                dialogue_count=Count("dialogues", distinct=True),
                active_dialogue_count=Count(
                    "dialogues",
                    filter=~Q(
                        dialogues__status__in=[Dialogue.Status.CLOSED, Dialogue.Status.ABANDONED]
                    ),
                    distinct=True,
                ),
            )
        )
    if request.user.is_superuser:
        every = permissions.programmes_for_user(request.user)
        context["all_programmes"] = every.order_by("name", "pk").annotate(
            member_count=Count("memberships", distinct=True),
            dialogue_count=Count("dialogues", distinct=True),
        )[:LIST_PAGE_SIZE]
        context["all_more"] = max(every.count() - LIST_PAGE_SIZE, 0)
    return render(request, "dialogues/home.html", context)


def _first_by_name(programmes):
    """The first LIST_PAGE_SIZE of `programmes` by name, and how many more there are: the
    home page shows a section's first programmes and links to the paginated list."""
    ordered = sorted(programmes, key=lambda programme: (programme.name, programme.pk))
    return ordered[:LIST_PAGE_SIZE], max(len(ordered) - LIST_PAGE_SIZE, 0)


def _titles_redactor(memberships):
    """A Redactor for the dialogue titles on the page: it withholds the names of the
    participants of the programmes (those of the listed dialogues) where the user may not see
    identities, known from their memberships without a query (one query for those
    participants, if any)."""
    hidden = [
        membership.programme_id
        for membership in memberships
        if permissions.VIEW_IDENTITY not in permissions.permissions_for_membership(membership)
    ]
    if not hidden:
        return Redactor()
    return Redactor(Participant.objects.filter(programme_id__in=hidden))


def _programme_overview(programmes):
    """Per programme: dialogue counts by status and team size, in two queries."""
    status_counts = defaultdict(Counter)
    rows = (
        Dialogue.objects.filter(programme__in=programmes)
        .values("programme_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        status_counts[row["programme_id"]][row["status"]] = row["n"]
    team_sizes = dict(
        Membership.objects.filter(programme__in=programmes)
        .values_list("programme_id")
        .annotate(n=Count("id"))
    )
    return [
        {
            "programme": programme,
            "team_size": team_sizes.get(programme.pk, 0),
            "total": sum(status_counts[programme.pk].values()),
            "by_status": [
                (label, status_counts[programme.pk][value])
                for value, label in Dialogue.Status.choices
                if status_counts[programme.pk][value]
            ],
        }
        for programme in programmes
    ]


@login_required
@require_GET
def programme_list(request):
    """The programmes the user may see, by name, LIST_PAGE_SIZE a page, with their role and
    dialogue count. Queries: session, user, the count, the page with its dialogue counts,
    the user's roles there, the menu's."""
    page = Paginator(
        permissions.programmes_for_user(request.user)
        .annotate(dialogue_count=Count("dialogues", distinct=True))
        .order_by("name", "pk"),
        LIST_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    roles = dict(
        Membership.objects.filter(user=request.user, programme__in=page.object_list).values_list(
            "programme_id", "role"
        )
    )
    for programme in page.object_list:
        programme.my_role = Role(roles[programme.pk]).label if programme.pk in roles else None
    return render(request, "dialogues/programme_list.html", {"page": page})


@login_required
@require_GET
def programme_detail(request, programme_id):
    programme = permissions.get_programme_for_user(request.user, programme_id)
    checker = permissions.programme_permission_checker(request.user, [programme])
    can = {
        perm: checker.has_perm(perm, programme)
        for perm in (
            permissions.DESIGN_DIALOGUES,
            permissions.VET_OUTPUTS,
            permissions.MANAGE_TEAM,
            permissions.CHANGE,
            permissions.VIEW_RESULTS,
        )
    }
    sees_work = checker.has_perm(permissions.VIEW_DIALOGUES, programme)
    status_counts = Counter(
        dict(programme.dialogues.values_list("status").annotate(n=Count("id")).order_by())
    )
    context = {
        "programme": programme,
        "can": can,
        "status_counts": [
            (label, status_counts[value])
            for value, label in Dialogue.Status.choices
            if status_counts[value]
        ],
        "dialogue_total": sum(status_counts.values()),
    }
    # Donors see aggregates only: no dialogue titles, no team.
    if sees_work:
        context["dialogues"] = programme.dialogues.in_workflow_order()
        context["redact"] = checked_redactor(checker, [programme])
        context["team"] = programme.memberships.select_related("user").order_by(
            "role", "user__username"
        )
    return render(request, "dialogues/programme_detail.html", context)


@login_required
def programme_settings(request, programme_id):
    programme = permissions.get_programme_for_user(request.user, programme_id, permissions.CHANGE)
    form = ProgrammeSettingsForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update_settings(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Programme settings saved."))
            return redirect("dialogues:programme_detail", programme_id=programme.public_id)
    return render(
        request, "dialogues/programme_settings.html", {"programme": programme, "form": form}
    )


def _change_form(member):
    return MemberChangeForm(
        initial={
            "role": member.role,
            "is_admin": member.is_admin,
            "identity_granted": member.identity_granted,
        },
        prefix=str(member.public_id),
    )


def _team_context(programme, add_form):
    members = list(programme.memberships.select_related("user").order_by("role", "user__username"))
    for member in members:
        member.change_form = _change_form(member)
    return {"programme": programme, "members": members, "add_form": add_form}


@login_required
def team(request, programme_id):
    """The programme team: list, add. Queries: programme, permissions, members."""
    programme = permissions.get_programme_for_user(
        request.user, programme_id, permissions.MANAGE_TEAM
    )
    add_form = MemberAddForm(request.POST or None)
    if request.method == "POST" and add_form.is_valid():
        try:
            membership, invitation_sent = services.membership_add(
                programme=programme,
                email=add_form.cleaned_data["email"],
                role=add_form.cleaned_data["role"],
                is_admin=add_form.cleaned_data["is_admin"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(add_form, error)
        else:
            if not invitation_sent:
                messages.success(
                    request,
                    _("%(user)s joined the team.") % {"user": membership.user.get_username()},
                )
            else:
                messages.success(
                    request,
                    _("%(email)s was invited and will receive a link to choose a password.")
                    % {"email": membership.user.email},
                )
            return redirect("dialogues:team", programme_id=programme.public_id)
    checker = permissions.programme_permission_checker(request.user, [programme])
    context = {
        **_team_context(programme, add_form),
        # The team's audit trail is for facilitators and officers, admins or not.
        "may_read_history": checker.has_perm(permissions.DESIGN_DIALOGUES, programme),
    }
    return render(request, "dialogues/team.html", context)


def _membership_in(programme, membership_id):
    try:
        return programme.memberships.select_related("user").get(public_id=membership_id)
    except Membership.DoesNotExist as missing:
        raise Http404 from missing


@require_POST
@login_required
def member_change(request, programme_id, membership_id):
    """Change a member's role. With htmx, answers with the updated table row only."""
    programme = permissions.get_programme_for_user(
        request.user, programme_id, permissions.MANAGE_TEAM
    )
    membership = _membership_in(programme, membership_id)
    form = MemberChangeForm(request.POST, prefix=str(membership.public_id))
    outcome, error_text = None, None
    if form.is_valid():
        try:
            services.membership_change(
                membership=membership,
                role=form.cleaned_data["role"],
                is_admin=form.cleaned_data["is_admin"],
                identity_granted=form.cleaned_data["identity_granted"],
                actor=request.user,
            )
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            outcome = _("%(user)s updated.") % {"user": membership.user.get_username()}
    else:
        error_text = _("Choose a role from the list.")

    if request.htmx:
        member = _membership_in(programme, membership_id)
        member.change_form = _change_form(member)
        context = {"programme": programme, "member": member}
        context.update(row_message=outcome, row_error=error_text)
        return render(request, "dialogues/team.html#member-row", context)
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(request, outcome)
    return redirect("dialogues:team", programme_id=programme.public_id)


@require_POST
@login_required
def member_remove(request, programme_id, membership_id):
    programme = permissions.get_programme_for_user(
        request.user, programme_id, permissions.MANAGE_TEAM
    )
    membership = _membership_in(programme, membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(user)s is no longer on the team.") % {"user": membership.user.get_username()},
        )
    if membership.user == request.user and not request.user.is_superuser:
        return redirect("dialogues:home")
    return redirect("dialogues:team", programme_id=programme.public_id)
