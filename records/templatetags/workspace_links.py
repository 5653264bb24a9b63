"""{% load workspace_links %}: the workspace's links from records.practices.workspace_urls
(reversed once per practice and process), for the workspace's navigation and lists."""

from __future__ import annotations

from django import template

from records.practices.workspace_urls import workspace_urls

register = template.Library()


@register.filter
def workspace_links(practice_pk: int) -> dict[str, str]:
    """{% with links=practice.pk|workspace_links %}{{ links.clients }}…{% endwith %}"""
    return workspace_urls(practice_pk)
