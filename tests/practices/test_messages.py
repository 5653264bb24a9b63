"""Messages between an owner and a favorited practice (issue 11): one selector decides
who reads which conversation, staff reads are logged, un-favoriting closes the
conversation for the practice, unread counts are per person and the inbox's query count
does not grow with its length, attachments go through the documents' checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records import messages as msg
from records.models import AccessLog, Conversation, Message
from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import AnimalFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Rex has been limping since Tuesday"


def _pdf(name: str = "xray.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def conversation(favorite, alice, rex, riverside) -> Conversation:
    message = msg.conversation_start(owner=alice, animal=rex, practice=riverside, body=SECRET)
    return message.conversation


def _inbox(user, practice) -> list[Conversation]:
    return list(msg.practice_conversations(user, practice))


# --- the flow, both doors ------------------------------------------------------------------


def test_owner_writes_staff_reads_logged_and_replies_owner_sees_unread(
    favorite, alice, rex, riverside, carol, time_machine, now
):
    alice_web = client_for(alice)
    page = alice_web.get(f"/animals/{rex.pk}/messages/?practice={riverside.pk}")
    assert "No diagnosis, treatment or prescription" in page.content.decode()
    before = alice.last_activity_at
    time_machine.move_to(now + timedelta(days=1), tick=False)
    response = alice_web.post(
        f"/animals/{rex.pk}/messages/", {"practice": riverside.pk, "body": SECRET}
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert (conversation.owner, conversation.practice, conversation.favorite) == (
        alice,
        riverside,
        favorite,
    )
    alice.refresh_from_db()
    assert alice.last_activity_at == now + timedelta(days=1) != before

    # the practice is told there is a message, without its text or whose it is
    [notification] = mail.outbox
    assert notification.to == [riverside.email or carol.email]
    text = notification.subject + notification.body
    assert SECRET not in text and "Rex" not in text and "Alice" not in text
    assert f"/workspace/{riverside.pk}/messages/{conversation.pk}/" in notification.body

    [row] = _inbox(carol, riverside)
    assert row.unread == 1  # type: ignore[attr-defined]
    carol_web = client_for(carol)
    inbox = carol_web.get(f"/workspace/{riverside.pk}/messages/").content.decode()
    assert "Alice Owner" in inbox
    logged = AccessLog.objects.count()
    page = carol_web.get(f"/workspace/{riverside.pk}/messages/{conversation.pk}/")
    assert SECRET in page.content.decode()
    assert "No diagnosis, treatment or prescription" in page.content.decode()
    read = AccessLog.objects.order_by("-id").first()
    assert AccessLog.objects.count() == logged + 1
    assert (read.viewer_id, read.owner_id, read.animal_id, read.view) == (
        carol.pk,
        alice.pk,
        rex.pk,
        "messages",
    )
    assert _inbox(carol, riverside)[0].unread == 0  # type: ignore[attr-defined]

    response = carol_web.post(
        f"/workspace/{riverside.pk}/messages/{conversation.pk}/", {"body": "Bring him in."}
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == [alice.email] and "Bring him in" not in mail.outbox[-1].body
    [mine] = msg.owner_conversations(alice)
    assert (mine.unread, mine.is_open) == (1, True)  # type: ignore[attr-defined]
    api = alice_web.get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert [m["side"] for m in api["messages"]] == ["owner", "practice"]
    assert api["messages"][1]["author"] == "Carol Vet (Riverside Vets)"
    assert "diagnosis" in api["notice"]
    assert msg.owner_conversations(alice)[0].unread == 0  # type: ignore[attr-defined]
    # the owner's reads are not logged
    assert AccessLog.objects.filter(viewer_id=alice.pk).count() == 0


def test_unread_counts_are_per_staff_member(conversation, riverside, carol):
    pam = UserFactory(email="pam@example.com")
    from tests.factories import MembershipFactory

    MembershipFactory(practice=riverside, user=pam)
    client_for(carol).get(f"/workspace/{riverside.pk}/messages/{conversation.pk}/")
    assert _inbox(carol, riverside)[0].unread == 0  # type: ignore[attr-defined]
    assert _inbox(pam, riverside)[0].unread == 1  # type: ignore[attr-defined]


def test_the_api_both_sides(favorite, alice, rex, riverside, carol):
    alice_api = client_for(alice)
    response = alice_api.post(
        "/api/v1/conversations/",
        {"animal": rex.pk, "practice": riverside.pk, "body": "Hello"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = Conversation.objects.get().pk
    listed = alice_api.get("/api/v1/conversations/").json()
    assert listed["results"][0]["id"] == pk and listed["results"][0]["is_open"] is True
    carol_api = client_for(carol)
    inbox = carol_api.get(f"/api/v1/workspace/{riverside.pk}/conversations/").json()
    assert (inbox["count"], inbox["unread_total"]) == (1, 1)
    assert inbox["results"][0]["client"] == "Alice Owner"
    reply = carol_api.post(
        f"/api/v1/workspace/{riverside.pk}/conversations/{pk}/messages/",
        {"body": "Hi"},
        content_type="application/json",
    )
    assert reply.status_code == 201
    detail = carol_api.get(f"/api/v1/workspace/{riverside.pk}/conversations/{pk}/").json()
    assert [m["body"] for m in detail["messages"]] == ["Hello", "Hi"]


# --- one selector: who may not read ----------------------------------------------------------


def test_staff_of_another_practice_get_404_on_every_door(conversation, riverside, hilltop, dave):
    c = client_for(dave)
    pk = conversation.pk
    for url in (
        f"/workspace/{riverside.pk}/messages/{pk}/",
        f"/workspace/{hilltop.pk}/messages/{pk}/",
        f"/api/v1/workspace/{riverside.pk}/conversations/{pk}/",
        f"/api/v1/workspace/{hilltop.pk}/conversations/{pk}/",
        f"/messages/{pk}/",
        f"/api/v1/conversations/{pk}/",
    ):
        assert c.get(url).status_code == 404, url
    assert _inbox(dave, hilltop) == []
    assert c.post(f"/workspace/{hilltop.pk}/messages/{pk}/", {"body": "x"}).status_code == 404
    assert Message.objects.count() == 1


def test_another_owner_and_a_co_owner_get_404(conversation, bob, rex):
    from records.models import AnimalAccess

    vic = UserFactory(email="vic@example.com")
    AnimalAccess.objects.create(animal=rex, user=vic, permission="edit")
    for user in (bob, vic):
        c = client_for(user)
        assert c.get(f"/messages/{conversation.pk}/").status_code == 404
        assert c.get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
        assert c.get(f"/animals/{rex.pk}/messages/").status_code == 404


def test_an_animal_the_favorite_does_not_cover_is_404_for_staff(
    conversation, favorite, alice, riverside, carol
):
    other = AnimalFactory(owner=alice, name="Other")
    favorite.all_animals = False
    favorite.save(update_fields=["all_animals"])
    favorite.animals.set([other])
    assert _inbox(carol, riverside) == []
    url = f"/workspace/{riverside.pk}/messages/{conversation.pk}/"
    assert client_for(carol).get(url).status_code == 404
    # and the owner cannot start one about an animal they do not share with the practice
    with pytest.raises(msg.ValidationError) as exc:
        msg.conversation_start(
            owner=alice, animal=conversation.animal, practice=riverside, body="Hi"
        )
    assert "practice" in exc.value.message_dict


def test_an_emergency_share_is_not_a_way_into_the_messages(conversation, erin, harbour):
    assert _inbox(erin, harbour) == []
    url = f"/workspace/{harbour.pk}/messages/{conversation.pk}/"
    assert client_for(erin).get(url).status_code == 404


# --- un-favoriting closes the conversation for the practice -----------------------------------


def test_unfavorite_closes_for_the_practice_and_leaves_the_owner_a_read_only_copy(
    conversation, favorite, alice, rex, riverside, carol
):
    svc.favorite_delete(favorite=favorite)
    carol_web = client_for(carol)
    assert _inbox(carol, riverside) == []
    assert (
        carol_web.get(f"/workspace/{riverside.pk}/messages/{conversation.pk}/").status_code == 404
    )
    assert (
        carol_web.post(
            f"/api/v1/workspace/{riverside.pk}/conversations/{conversation.pk}/messages/",
            {"body": "Still there?"},
            content_type="application/json",
        ).status_code
        == 404
    )
    with pytest.raises(msg.PermissionDenied):
        msg.message_send(conversation=conversation, author=carol, body="direct")

    alice_web = client_for(alice)
    page = alice_web.get(f"/messages/{conversation.pk}/").content.decode()
    assert SECRET in page and "This conversation is closed" in page
    response = alice_web.post(f"/messages/{conversation.pk}/", {"body": "Hello?"})
    assert (
        response.status_code == 200 and "This conversation is closed" in response.content.decode()
    )
    api = alice_web.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": "Hello?"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert Message.objects.count() == 1

    # favoriting again starts a new conversation: the old one stays closed to the practice
    svc.favorite_create(owner=alice, practice=riverside)
    msg.conversation_start(owner=alice, animal=rex, practice=riverside, body="Back again")
    [row] = _inbox(carol, riverside)
    assert row.pk != conversation.pk
    assert (
        carol_web.get(f"/workspace/{riverside.pk}/messages/{conversation.pk}/").status_code == 404
    )


# --- restriction ---------------------------------------------------------------------------


def test_a_restricted_owner_may_still_message_the_practice_they_share_with(
    conversation, alice, rex, riverside, carol
):
    alice.restricted_at = timezone.now()
    alice.save(update_fields=["restricted_at"])
    msg.conversation_start(owner=alice, animal=rex, practice=riverside, body="Still me")
    msg.message_send(conversation=conversation, author=carol, body="We read you")
    assert conversation.messages.count() == 3


# --- attachments ---------------------------------------------------------------------------


def test_attachment_errors_are_field_level_and_nothing_is_saved(conversation, alice):
    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
    web = client_for(alice).post(f"/messages/{conversation.pk}/", {"body": "x", "attachment": fake})
    assert web.status_code == 200
    assert "do not match its type" in web.content.decode()
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    api = client_for(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "x", "attachment": exe}
    )
    assert api.status_code == 400
    assert "attachment" in api.json()["error"]["fields"]
    empty = client_for(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": "  "},
        content_type="application/json",
    )
    assert "body" in empty.json()["error"]["fields"]
    assert Message.objects.count() == 1


def test_an_attachment_is_served_through_the_conversation_check_and_logged_for_staff(
    conversation, alice, riverside, carol, dave
):
    message = msg.message_send(conversation=conversation, author=alice, attachment=_pdf())
    assert message.attachment.name.startswith("messages/")
    assert client_for(alice).get(f"/messages/attachments/{message.pk}/").status_code == 200
    logged = AccessLog.objects.count()
    url = f"/workspace/{riverside.pk}/messages/attachments/{message.pk}/"
    response = client_for(carol).get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.count() == logged + 1
    assert client_for(dave).get(url).status_code == 404
    assert client_for(dave).get(f"/api/v1/messages/{message.pk}/attachment/").status_code == 404


# --- the inbox's cost ------------------------------------------------------------------------


def _owners_writing(n: int, riverside, start: int = 0) -> None:
    for i in range(start, start + n):
        owner = UserFactory(email=f"owner{i}@example.com")
        animal = AnimalFactory(owner=owner, name=f"Pet {i}")
        svc.favorite_create(owner=owner, practice=riverside)
        msg.conversation_start(owner=owner, animal=animal, practice=riverside, body="Hi")


@pytest.mark.parametrize(
    "url", ["/workspace/{p}/messages/", "/api/v1/workspace/{p}/conversations/"]
)
def test_inbox_query_count_does_not_grow_with_conversations(now, riverside, carol, url):
    client = client_for(carol)
    url = url.format(p=riverside.pk)
    _owners_writing(2, riverside)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _owners_writing(8, riverside, start=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_inbox(carol, riverside)) == 10
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


def test_the_notification_is_an_outbox_row_that_goes_with_a_rolled_back_message(
    settings, conversation, alice
):
    from django.db import transaction

    from vetpass.outbox.models import OutboxEmail

    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    before = OutboxEmail.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        msg.message_send(conversation=conversation, author=alice, body="Rolled back")
        assert OutboxEmail.objects.count() == before + 1
        raise RuntimeError
    assert OutboxEmail.objects.count() == before
    assert not Message.objects.filter(body="Rolled back").exists()
