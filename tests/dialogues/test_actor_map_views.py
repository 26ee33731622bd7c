"""The map's pages: who reaches them, what they show, and the CSV download and upload."""

import codecs
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Actor, ActorRelation
from dialogues.services.actor_map import actor_relation_record
from tests.dialogues.factories import ActorFactory, ParticipantFactory

Conflict = ActorRelation.ConflictStatus
Dialogue = ActorRelation.DialogueStatus
HEADER = "Actor,Actor,Conflict status,Dialogue status,As of,Notes"

READ_PAGES = ["actor_list", "actor_map", "relation_history", "actor_map_export"]
WRITE_PAGES = ["actor_create", "actor_edit", "relation_record", "actor_map_import"]


@pytest.fixture
def alliance(programme):
    return ActorFactory(programme=programme, name="Northern Alliance", kind=Actor.Kind.ALLIANCE)


@pytest.fixture
def front(programme, alliance):
    front = ActorFactory(programme=programme, name="Sarn Liberation Front")
    front.alliances.add(alliance)
    return front


@pytest.fixture
def army(programme):
    return ActorFactory(programme=programme, name="State Army", kind=Actor.Kind.GOVERNMENT)


def record(programme, one, two, as_of, conflict=Conflict.FREQUENT_FIGHTING, **extra):
    fields = {"dialogue_status": Dialogue.NONE, "notes": "", "actor": None, **extra}
    relation, _created = actor_relation_record(
        programme=programme,
        actor_one=one,
        actor_two=two,
        as_of=as_of,
        conflict_status=conflict,
        **fields,
    )
    return relation


@pytest.fixture
def relation(programme, front, army):
    record(programme, front, army, date(2025, 12, 1), notes="Earlier state")
    return record(
        programme,
        front,
        army,
        date(2026, 1, 10),
        conflict=Conflict.UNILATERAL_CEASEFIRE,
        dialogue_status=Dialogue.INTERMEDIARY,
        notes="Ceasefire declared on radio.",
    )


@pytest.fixture
def urls(programme, front, army, relation):
    pid = programme.public_id
    return {
        "actor_list": reverse("dialogues:actor_list", args=[pid]),
        "actor_create": reverse("dialogues:actor_create", args=[pid]),
        "actor_edit": reverse("dialogues:actor_edit", args=[pid, front.public_id]),
        "actor_map": reverse("dialogues:actor_map", args=[pid]),
        "relation_record": reverse("dialogues:relation_record", args=[pid]),
        "relation_history": reverse(
            "dialogues:relation_history",
            args=[pid, relation.actor_a.public_id, relation.actor_b.public_id],
        ),
        "actor_map_export": reverse("dialogues:actor_map_export", args=[pid]),
        "actor_map_import": reverse("dialogues:actor_map_import", args=[pid]),
    }


def map_state(programme):
    return sorted(
        ActorRelation.objects.filter(programme=programme).values_list(
            "actor_a__name", "actor_b__name", "as_of", "conflict_status", "dialogue_status", "notes"
        )
    )


def map_rows(html):
    """The map table's body: the filter's option lists name every status too."""
    if "<tbody>" not in html:
        return ""
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def upload(text, name="map.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


# Who reaches which page


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, urls, name):
    for response in (client.get(urls[name]), client.post(urls[name])):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
@pytest.mark.parametrize("role_fixture", ["stranger", "donor"])
def test_strangers_and_donors_get_404_and_learn_nothing(
    request, login, programme, urls, name, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    # Read pages refuse a POST whoever sends it (405), before looking anything up.
    post_status = 405 if name in READ_PAGES else 404
    for response, status in (
        (client.get(urls[name]), 404),
        (client.post(urls[name], {"name": "Intruders"}), post_status),
    ):
        assert response.status_code == status
        html = response.content.decode()
        assert programme.name not in html
        assert "Sarn Liberation Front" not in html
    assert not Actor.objects.filter(name="Intruders").exists()


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer", "legal_reviewer"])
def test_team_members_who_see_dialogues_read_the_map(request, login, urls, name, role_fixture):
    response = login(request.getfixturevalue(role_fixture)).get(urls[name])
    assert response.status_code == 200
    assert "Sarn Liberation Front" in response.content.decode()


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_a_legal_reviewer_reads_but_every_write_is_403(
    login, legal_reviewer, programme, front, urls, name
):
    client = login(legal_reviewer)
    before = map_state(programme)
    assert client.get(urls[name]).status_code == 403
    response = client.post(
        urls[name],
        {
            "name": "Renamed by reviewer",
            "kind": "armed",
            "actor_one": str(front.public_id),
            "csv_file": upload(f"{HEADER}\n"),
        },
    )
    assert response.status_code == 403
    assert map_state(programme) == before
    assert not Actor.objects.filter(name="Renamed by reviewer").exists()


@pytest.mark.parametrize("name", WRITE_PAGES)
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_facilitators_and_officers_reach_every_form(request, login, urls, name, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(urls[name]).status_code == 200


def test_a_legal_reviewer_is_offered_no_write_links(login, legal_reviewer, facilitator, urls):
    write_urls = [urls[name] for name in WRITE_PAGES]
    for name in READ_PAGES:
        html = login(legal_reviewer).get(urls[name]).content.decode()
        assert not [url for url in write_urls if url in html]
    for name in ("actor_map", "actor_list"):
        html = login(facilitator).get(urls[name]).content.decode()
        assert [url for url in write_urls if url in html]


def test_unknown_malformed_and_foreign_ids_are_404(
    login, facilitator, programme, other_programme, front, army
):
    client = login(facilitator)
    pid = programme.public_id
    foreign = ActorFactory(programme=other_programme, name="Foreign Front")
    assert client.get(f"/programmes/{pid}/actors/not-a-uuid/edit/").status_code == 404
    for actor_id in (uuid.uuid4(), foreign.public_id):
        assert client.get(reverse("dialogues:actor_edit", args=[pid, actor_id])).status_code == 404
    for pair in ((front.public_id, uuid.uuid4()), (front.public_id, front.public_id)):
        url = reverse("dialogues:relation_history", args=[pid, *pair])
        assert client.get(url).status_code == 404
    url = reverse("dialogues:relation_history", args=[pid, front.public_id, foreign.public_id])
    assert client.get(url).status_code == 404
    assert client.get(reverse("dialogues:actor_map", args=[uuid.uuid4()])).status_code == 404


# Actors


@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_an_editor_adds_an_actor_in_an_alliance(
    request, login, programme, alliance, urls, role_fixture
):
    response = login(request.getfixturevalue(role_fixture)).post(
        urls["actor_create"],
        {
            "name": "Delta Militia",
            "kind": Actor.Kind.ARMED_GROUP,
            "alliances": [str(alliance.public_id)],
            "notes": "Formed in 2024.",
        },
        follow=True,
    )
    assert "Delta Militia is on the map." in response.content.decode()
    created = Actor.objects.get(programme=programme, name="Delta Militia")
    assert list(created.alliances.all()) == [alliance]


def test_a_duplicate_name_is_a_form_error_that_keeps_the_input(
    login, facilitator, programme, front, urls
):
    response = login(facilitator).post(
        urls["actor_create"],
        {"name": "SARN LIBERATION FRONT", "kind": "party", "notes": "Kept note"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is already an actor called “Sarn Liberation Front” on this map." in html
    assert 'value="SARN LIBERATION FRONT"' in html
    assert "Kept note" in html
    assert Actor.objects.filter(programme=programme).count() == 3


def test_the_actor_form_reports_bad_choices_without_failing(login, facilitator, urls):
    response = login(facilitator).post(
        urls["actor_create"],
        {"name": "Echo Group", "kind": "warlord", "alliances": ["not-a-uuid", str(uuid.uuid4())]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in html
    assert 'value="Echo Group"' in html
    assert not Actor.objects.filter(name="Echo Group").exists()


def test_an_alliance_is_not_offered_as_an_alliance_of_itself(
    login, facilitator, programme, alliance
):
    url = reverse("dialogues:actor_edit", args=[programme.public_id, alliance.public_id])
    client = login(facilitator)
    assert f'value="{alliance.public_id}"' not in client.get(url).content.decode()
    response = client.post(
        url, {"name": alliance.name, "kind": "alliance", "alliances": [str(alliance.public_id)]}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not alliance.alliances.exists()


def test_editing_an_actor_keeps_its_alliances_shown_and_saves(
    login, facilitator, front, alliance, urls
):
    client = login(facilitator)
    html = client.get(urls["actor_edit"]).content.decode()
    assert 'value="Sarn Liberation Front"' in html
    assert f'value="{alliance.public_id}" id="id_alliances_0" checked' in html
    response = client.post(
        urls["actor_edit"], {"name": "Sarn Front", "kind": "armed", "notes": ""}, follow=True
    )
    assert "Sarn Front saved." in response.content.decode()
    front.refresh_from_db()
    assert front.name == "Sarn Front"
    assert not front.alliances.exists()


def test_an_alliance_with_members_cannot_change_kind_from_the_page(
    login, facilitator, programme, alliance, front
):
    url = reverse("dialogues:actor_edit", args=[programme.public_id, alliance.public_id])
    response = login(facilitator).post(url, {"name": "Northern Bloc", "kind": "party"})
    html = response.content.decode()
    assert "This alliance has members (Sarn Liberation Front)" in html
    assert 'value="Northern Bloc"' in html
    alliance.refresh_from_db()
    assert (alliance.name, alliance.kind) == ("Northern Alliance", "alliance")


# Relations


def relation_data(one, two, **changes):
    return {
        "actor_one": str(one.public_id),
        "actor_two": str(two.public_id),
        "as_of": "2026-02-01",
        "conflict_status": Conflict.BILATERAL_CEASEFIRE,
        "dialogue_status": Dialogue.REGULAR_SOME,
        "notes": "Liaison offices opened.",
        **changes,
    }


@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_an_editor_records_a_state_and_lands_on_the_pair_history(
    request, login, programme, front, army, urls, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    response = login(user).post(urls["relation_record"], relation_data(army, front), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == urls["relation_history"]
    assert "State of Sarn Liberation Front and State Army as of 2026-02-01 recorded." in html
    latest = ActorRelation.objects.get(as_of=date(2026, 2, 1))
    assert (latest.actor_a, latest.actor_b, latest.recorded_by) == (front, army, user)


def test_recording_the_same_day_again_says_it_corrected_it(login, facilitator, front, army, urls):
    response = login(facilitator).post(
        urls["relation_record"],
        relation_data(front, army, as_of="2026-01-10", notes="Correction"),
        follow=True,
    )
    assert "as of 2026-01-10 corrected." in response.content.decode()
    assert ActorRelation.objects.filter(actor_a=front, actor_b=army).count() == 2
    assert ActorRelation.objects.get(as_of=date(2026, 1, 10)).notes == "Correction"


def test_the_same_actor_twice_is_refused_and_the_input_kept(login, facilitator, front, urls):
    response = login(facilitator).post(
        urls["relation_record"], relation_data(front, front, notes="Typed notes stay")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "a relation is between two different actors" in html
    assert "Typed notes stay" in html
    assert 'value="2026-02-01"' in html
    assert not ActorRelation.objects.filter(as_of=date(2026, 2, 1)).exists()


def test_bad_relation_input_is_reported_not_a_failure(login, facilitator, front, army, urls):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    client = login(facilitator)
    response = client.post(
        urls["relation_record"], relation_data(front, army, as_of=future, notes="Soon")
    )
    assert "in the future" in response.content.decode()
    response = client.post(
        urls["relation_record"],
        relation_data(front, army, actor_two="nope", as_of="31/02/2026", conflict_status="x"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in html
    assert "Enter a valid date." in html
    assert ActorRelation.objects.count() == 2


def test_the_record_form_starts_today_and_can_preselect_a_pair(
    login, facilitator, front, army, urls
):
    url = f"{urls['relation_record']}?actor_one={front.public_id}&actor_two={army.public_id}"
    html = login(facilitator).get(url).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert f'<option value="{front.public_id}" selected>' in html
    assert f'<option value="{army.public_id}" selected>' in html


def test_the_history_lists_every_state_newest_first(login, legal_reviewer, urls):
    html = login(legal_reviewer).get(urls["relation_history"]).content.decode()
    assert html.index("Ceasefire declared on radio.") < html.index("Earlier state")
    assert "Sarn Liberation Front (Northern Alliance)" in html


# The map table


def test_the_map_shows_each_pair_once_as_it_stands_with_alliances(
    login, officer, programme, army, relation, urls
):
    html = login(officer).get(urls["actor_map"]).content.decode()
    rows = map_rows(html)
    assert "Sarn Liberation Front (Northern Alliance)" in rows
    assert "Unilateral ceasefire; occasional fighting" in rows
    assert "Contact through intermediaries only" in rows
    assert '<time datetime="2026-01-10">' in rows
    assert "No ceasefire; frequent fighting" not in rows
    assert urls["relation_history"] in rows
    assert "1 pair shown." in html


@pytest.fixture
def wider_map(programme, front, army, relation):
    council = ActorFactory(programme=programme, name="Lakeshore Council", kind="civil")
    record(programme, council, army, date(2026, 1, 5), conflict=Conflict.ALLIED)
    record(
        programme,
        council,
        front,
        date(2026, 1, 6),
        conflict=Conflict.DE_FACTO_CEASEFIRE,
        dialogue_status=Dialogue.ACTIVE,
    )
    return council


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor={council}", {"council-army", "front-council"}),
        ("actor={army}", {"front-army", "council-army"}),
        ("conflict_status=allied", {"council-army"}),
        ("dialogue_status=active", {"front-council"}),
        ("conflict_status=unilateral&dialogue_status=intermediary", {"front-army"}),
        ("conflict_status=frequent", set()),
    ],
)
def test_the_map_filters_by_actor_on_either_side_and_by_status(
    login, facilitator, programme, army, wider_map, query, expected
):
    query = query.format(council=wider_map.public_id, army=army.public_id)
    url = reverse("dialogues:actor_map", args=[programme.public_id]) + "?" + query
    html = login(facilitator).get(url).content.decode()
    statuses = {
        "council-army": "Allied; no conflict",
        "front-council": "De facto ceasefire; no fighting",
        "front-army": "Unilateral ceasefire; occasional fighting",
    }
    for pair, status in statuses.items():
        assert (status in map_rows(html)) is (pair in expected), pair
    if not expected:
        assert "No pair matches these filters." in html


def test_a_bad_filter_value_is_reported_and_the_rest_still_apply(
    login, facilitator, programme, wider_map
):
    url = reverse("dialogues:actor_map", args=[programme.public_id])
    response = login(facilitator).get(f"{url}?actor=not-a-uuid&conflict_status=allied")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood" in html
    assert "Allied; no conflict" in map_rows(html)
    assert "De facto ceasefire; no fighting" not in map_rows(html)
    response = login(facilitator).get(f"{url}?dialogue_status=gossip&actor={uuid.uuid4()}")
    assert response.status_code == 200
    assert "3 pairs shown." in response.content.decode()


def test_with_htmx_the_map_answers_with_its_results_only(
    login, facilitator, programme, wider_map, urls
):
    response = login(facilitator).get(
        urls["actor_map"] + "?conflict_status=allied", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<div id="map-view">')
    assert "1 pair shown." in html
    assert f"{urls['actor_map_export']}?conflict_status=allied" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(login, facilitator, urls):
    response = login(facilitator).get(
        urls["actor_map"], headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def build_pairs(programme, count):
    """`count` new pairs, each with two dated states and actors in alliances."""
    bloc = ActorFactory(programme=programme, kind=Actor.Kind.ALLIANCE)
    for _n in range(count):
        one, two = ActorFactory(programme=programme), ActorFactory(programme=programme)
        one.alliances.add(bloc)
        two.alliances.add(bloc)
        record(programme, one, two, date(2025, 6, 1))
        record(programme, one, two, date(2026, 1, 1), conflict=Conflict.ALLIED)


def test_the_map_runs_the_same_queries_at_ten_times_the_pairs(
    login, facilitator, programme, urls, django_assert_max_num_queries
):
    build_pairs(programme, 2)
    client = login(facilitator)
    url = urls["actor_map"] + f"?conflict_status=allied&actor={uuid.uuid4()}"
    client.get(url)  # warm up the session
    # session, user, programme, 2 guardian checks (visibility), the filter's actor, current
    # relations with both actors, each side's alliances (2), 2 guardian checks (may design),
    # nav roles, the actor choices.
    with django_assert_max_num_queries(14) as small:
        assert "2 pairs shown." in client.get(url).content.decode()
    build_pairs(programme, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "20 pairs shown." in client.get(url).content.decode()


def test_the_actor_list_runs_the_same_queries_at_ten_times_the_actors(
    login, legal_reviewer, programme, urls, django_assert_max_num_queries
):
    build_pairs(programme, 2)
    client = login(legal_reviewer)
    client.get(urls["actor_list"])
    # session, user, programme, 2 guardian checks (visibility), 2 guardian checks (may
    # design), nav roles, actors, their alliances, alliances' members.
    with django_assert_max_num_queries(12) as small:
        client.get(urls["actor_list"])
    build_pairs(programme, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "Actor" in client.get(urls["actor_list"]).content.decode()


def test_the_history_runs_the_same_queries_at_ten_times_the_states(
    login, facilitator, programme, front, army, urls, django_assert_max_num_queries
):
    client = login(facilitator)
    client.get(urls["relation_history"])
    # session, user, programme, 2 guardian checks (visibility), the pair, its alliances,
    # 2 guardian checks (may design), nav roles, states with who recorded them.
    with django_assert_max_num_queries(12) as small:
        client.get(urls["relation_history"])
    for day in range(1, 19):
        record(programme, front, army, date(2024, 1, day), actor=facilitator)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(urls["relation_history"]).content.decode()
    assert html.count("<time ") == 20


def test_the_export_runs_the_same_queries_at_ten_times_the_pairs(
    login, officer, programme, urls, django_assert_max_num_queries
):
    build_pairs(programme, 2)
    client = login(officer)
    client.get(urls["actor_map_export"])
    # session, user, programme, 2 guardian checks (visibility), current relations with
    # both actors.
    with django_assert_max_num_queries(6) as small:
        client.get(urls["actor_map_export"])
    build_pairs(programme, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(urls["actor_map_export"]).content.decode().splitlines()) == 22


# CSV download


def test_the_download_is_an_attachment_with_words_iso_dates_and_a_bom(
    login, legal_reviewer, programme, front, army, wider_map, urls
):
    record(programme, wider_map, army, date(2026, 1, 20), notes="@cmd and =2+2")
    response = login(legal_reviewer).get(urls["actor_map_export"] + "?actor=" + str(army.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="actor-map-')
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        HEADER,
        "Sarn Liberation Front,State Army,Unilateral ceasefire; occasional fighting,"
        "Contact through intermediaries only,2026-01-10,Ceasefire declared on radio.",
        "State Army,Lakeshore Council,No ceasefire; frequent fighting,No contact and no dialogue,"
        "2026-01-20,'@cmd and =2+2",
    ]


def test_a_bad_filter_on_the_download_is_left_out(login, facilitator, wider_map, urls):
    response = login(facilitator).get(urls["actor_map_export"] + "?actor=zzz&conflict_status=x")
    assert response.status_code == 200
    assert len(response.content.decode("utf-8-sig").splitlines()) == 4


# CSV upload


def test_the_import_page_explains_the_format(login, officer, urls):
    html = login(officer).get(urls["actor_map_import"]).content.decode()
    assert HEADER in html
    assert "YYYY-MM-DD" in html
    assert "<code>intermediary</code>" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_good_file_records_every_row_and_says_how_many(
    login, officer, programme, front, army, wider_map, urls
):
    text = "\n".join(
        [
            HEADER,
            "State Army,Sarn Liberation Front,bilateral,active,2026-01-10,Corrected",
            "lakeshore council,STATE ARMY,Allied; no conflict,Regular contact; no active dialogue,"
            "2026-02-01,",
        ]
    )
    response = login(officer).post(
        urls["actor_map_import"], {"csv_file": upload(text)}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == urls["actor_map"]
    assert "2 states recorded. 1 of them corrected the state already recorded" in html
    corrected = ActorRelation.objects.get(as_of=date(2026, 1, 10))
    assert corrected.conflict_status == Conflict.BILATERAL_CEASEFIRE
    assert corrected.recorded_by == officer
    added = ActorRelation.objects.get(as_of=date(2026, 2, 1))
    assert {added.actor_a, added.actor_b} == {wider_map, army}
    assert added.dialogue_status == Dialogue.REGULAR_NONE


def test_one_bad_row_among_good_ones_imports_nothing(login, facilitator, programme, urls):
    before = map_state(programme)
    text = "\n".join(
        [
            HEADER,
            "Sarn Liberation Front,State Army,allied,active,2026-02-01,",
            "Sarn Liberation Front,Ghost Brigade,allied,active,2026-02-01,",
            "Northern Alliance,State Army,allied,active,2026-02-01,",
        ]
    )
    response = login(facilitator).post(urls["actor_map_import"], {"csv_file": upload(text)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: 1 line has a problem." in html
    assert "Line 3: Actor “Ghost Brigade” is not on the map: add it first." in html
    assert map_state(programme) == before


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (upload("Actor,Actor\nnaïve,x\n", encoding="latin-1"), "The file is not UTF-8 text."),
        (upload(HEADER + "\n" + "x" * (2 * 1024 * 1024)), "the limit is 2.0"),
        (upload("a\x00b\n"), "This is not a CSV text file."),
        (upload("Name,Other\n"), "The first line must be the header"),
        (upload(""), "The submitted file is empty."),
    ],
)
def test_an_unusable_file_is_refused_with_a_clear_message(
    login, facilitator, programme, urls, payload, message
):
    before = map_state(programme)
    response = login(facilitator).post(urls["actor_map_import"], {"csv_file": payload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert map_state(programme) == before


def test_no_file_at_all_is_a_form_error(login, facilitator, urls):
    response = login(facilitator).post(urls["actor_map_import"], {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_downloading_then_uploading_gives_the_same_current_map(
    login, facilitator, programme, army, wider_map, urls
):
    record(programme, wider_map, army, date(2026, 1, 20), notes='=HYPERLINK("x"),\n"quoted"')
    client = login(facilitator)

    def current():
        return sorted(
            ActorRelation.objects.filter(programme=programme)
            .current()
            .values_list(
                "actor_a__name",
                "actor_b__name",
                "as_of",
                "conflict_status",
                "dialogue_status",
                "notes",
            )
        )

    before = current()
    exported = client.get(urls["actor_map_export"]).content
    ActorRelation.objects.all().delete()
    response = client.post(
        urls["actor_map_import"],
        {"csv_file": SimpleUploadedFile("map.csv", exported, content_type="text/csv")},
        follow=True,
    )
    assert "3 states recorded." in response.content.decode()
    assert current() == before


# Identity


def test_an_officer_without_identity_never_sees_a_participant_name(login, officer, programme, urls):
    assert not programme.officers_see_identity
    participant = ParticipantFactory(programme=programme, full_name="Aung Min Thant")
    client = login(officer)
    for name in READ_PAGES + WRITE_PAGES:
        html = client.get(urls[name]).content.decode("utf-8-sig")
        if name not in {"actor_create", "actor_map_import"}:
            assert "Sarn Liberation Front" in html
        assert participant.full_name not in html
        assert participant.affiliation not in html
