"""Our pages obey the Content-Security-Policy (no inline scripts, handlers or style
attributes) and label every input."""

import re

import pytest
from django.urls import reverse

from tests.factories import EntryFactory

INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"\son[a-z]+=", re.I),
]


def assert_csp_clean(html: str) -> None:
    for pattern in INLINE:
        match = pattern.search(html)
        assert match is None, (
            f"inline code/style: {html[max(match.start() - 80, 0) : match.end() + 80]}"
        )


def assert_inputs_labelled(html: str) -> None:
    form_html = html.split("<main", 1)[1]
    for match in re.finditer(r"<(input|select|textarea)\b([^>]*)>", form_html):
        attrs = match.group(2)
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        ident = re.search(r'id="([^"]+)"', attrs)
        assert ident, f"input without id: {match.group(0)}"
        assert f'for="{ident.group(1)}"' in form_html, f"no label for {ident.group(1)}"


@pytest.mark.django_db
def test_owner_pages_have_no_inline_code_and_label_every_input(alice_client, rex):
    entry = EntryFactory(animal=rex, kind="weight", weight_value=30, weight_unit="kg")
    urls = [
        reverse("records:home"),
        reverse("records:animal_list"),
        reverse("records:animal_add"),
        reverse("records:animal_detail", args=[rex.pk]),
        reverse("records:animal_edit", args=[rex.pk]),
        reverse("records:entry_add", args=[rex.pk]),
        reverse("records:entry_add", args=[rex.pk]) + "?kind=vaccination",
        reverse("records:entry_add", args=[rex.pk]) + "?kind=document",
        reverse("records:entry_edit", args=[entry.pk]),
        reverse("records:entry_delete", args=[entry.pk]),
        reverse("records:co_owners", args=[rex.pk]),
        reverse("accounts:profile"),
        reverse("account_email"),
        reverse("account_change_password"),
    ]
    for url in urls:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_csp_clean(html)
        assert_inputs_labelled(html)


@pytest.mark.django_db
def test_signed_out_pages_have_no_inline_code_and_label_every_input(client):
    for url in (
        "/",
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ):
        html = client.get(url).content.decode()
        assert_csp_clean(html)
        assert_inputs_labelled(html)
