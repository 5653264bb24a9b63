"""The workspace's links, reversed once per practice and process instead of once per link
per page (issue 10: the client list reversed a URL for every animal it shows, ~90
reversals a page). The URLconf does not change while a process runs, so a practice's
links are the same on every request; the script prefix is part of the key, so a site
mounted under a path still gets its own links."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

from vetpass.pagefmt import link_parts

_NAV = {
    "clients": "practices:workspace",
    "requests": "practices:request_queue",
    "appointments": "practices:workspace_appointments",
    "inbox": "practices:workspace_inbox",
    "redeem": "practices:redeem",
    "staff": "practices:staff_list",
    "profile": "practices:practice_profile",
    "availability": "practices:availability",
    "leave": "practices:leave",
}


@lru_cache(maxsize=4096)
def _urls(script_prefix: str, practice_pk: int) -> dict[str, str]:
    urls = {key: reverse(name, args=[practice_pk]) for key, name in _NAV.items()}
    for key, name in (
        ("animal", "practices:workspace_animal"),
        ("entry_create", "practices:workspace_entry_create"),
    ):
        urls[f"{key}_head"], urls[f"{key}_tail"] = link_parts(name, practice_pk)
    return urls


def workspace_urls(practice_pk: int) -> dict[str, str]:
    """The practice's workspace links by name (the keys of _NAV), and the two halves of
    its animal and new-entry links around the animal's id (use `animal_url`)."""
    return _urls(get_script_prefix(), int(practice_pk))


def animal_url(urls: dict[str, str], animal_pk: int) -> str:
    """The vet's page of this animal: what reverse("practices:workspace_animal") gives."""
    return f"{urls['animal_head']}{animal_pk}{urls['animal_tail']}"


def entry_create_url(urls: dict[str, str], animal_pk: int) -> str:
    return f"{urls['entry_create_head']}{animal_pk}{urls['entry_create_tail']}"
