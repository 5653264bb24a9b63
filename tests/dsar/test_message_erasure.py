"""Messages follow the map (issue 11): erasing the owner deletes their conversations and
the attached files (after commit), like entry documents; erasing a staff member leaves
their replies in the owner's copy, unsigned."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from dsar.erasure import engine
from dsar.personal_data_map import Person
from records import messages as msg
from records.models import Conversation, ConversationRead, Message
from records.practices import services as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(alice, rex, riverside, carol):
    svc.favorite_create(owner=alice, practice=riverside)
    message = msg.conversation_start(
        owner=alice,
        animal=rex,
        practice=riverside,
        body="About Rex",
        attachment=SimpleUploadedFile("xray.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    msg.message_send(conversation=message.conversation, author=carol, body="Seen")
    return message.conversation


def test_erasing_the_owner_deletes_the_conversation_and_its_files(
    conversation, alice, bob, tom, riverside
):
    stored = Message.objects.exclude(attachment="").get().attachment.name
    assert default_storage.exists(stored)
    svc.favorite_create(owner=bob, practice=riverside)
    other = msg.conversation_start(owner=bob, animal=tom, practice=riverside, body="Bob's")
    manifest = engine.erase_rows([Person.of(user=alice)])
    # the engine hands the stored files to the run, which deletes them after commit
    assert manifest.files == [stored]
    assert not Conversation.objects.filter(owner=alice).exists()
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()
    assert not ConversationRead.objects.filter(user=alice).exists()
    assert Message.objects.filter(pk=other.pk).exists()


def test_erasing_a_staff_member_keeps_their_replies_unsigned(conversation, carol):
    engine.erase_rows([Person.of(user=carol)])
    reply = Message.objects.get(body="Seen")
    assert reply.author_id is None
    assert not ConversationRead.objects.filter(user_id=carol.pk).exists()
