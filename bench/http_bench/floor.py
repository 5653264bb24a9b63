"""The two floors the hot paths are measured against, as a small Django project of its own
(settings, URLconf and views in this one module; served by gunicorn beside the product):

- /static/<name>: a bare view returning the very body the product answered for that path
  (captured by the harness), so the gap to it is everything the product does per request;
- /data/<name>: a bare view running one hand-written SQL query for the same rows on a kept
  connection (CONN_MAX_AGE=None) and encoding them as JSON: the cost of the data itself.

No middleware, no sessions, no ORM: `DJANGO_SETTINGS_MODULE=bench.http_bench.floor`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from vetpass.settings import *  # noqa: F403
from vetpass.settings import DATABASES

DEBUG = False
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.http_bench.floor"
DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

# Hand-written queries for the rows each hot path shows; %(x)s parameters come from the URL.
ANIMALS = """
SELECT a.id, a.name, s.slug, s.name AS species_name, a.breed_id, b.name AS breed_name,
       a.sex, a.neutered, a.date_of_birth, a.colour, a.microchip, a.photo, a.deceased,
       a.deceased_on, a.is_group, a.head_count,
       a.group_id, u.full_name AS owner_name, a.owner_id, a.created_at, a.updated_at
FROM records_animal a
JOIN records_species s ON s.id = a.species_id
LEFT JOIN records_breed b ON b.id = a.breed_id
JOIN accounts_user u ON u.id = a.owner_id
WHERE a.owner_id = %(user)s
   OR a.id IN (SELECT animal_id FROM records_animalaccess WHERE user_id = %(user)s)
ORDER BY a.name, a.id
LIMIT 50
"""
ENTRIES = """
SELECT e.id, e.animal_id, e.kind, e.occurred_on, e.title, e.notes, e.vaccine_product,
       e.manufacturer, e.batch_number, e.next_due_on, e.weight_value, e.weight_unit,
       e.medication_name, e.dose, e.ends_on, e.allergen, e.severity, e.test_name, e.result,
       e.document, e.document_type, e.source, e.practice_id, u.full_name, e.created_at,
       e.updated_at
FROM records_entry e
LEFT JOIN accounts_user u ON u.id = e.author_id
WHERE e.animal_id = %(animal)s
ORDER BY e.occurred_on DESC, e.created_at DESC, e.id DESC
LIMIT 50
"""
ANIMAL_PAGE = """
SELECT a.name AS animal_name, s.name AS species_name, b.name AS breed_name,
       e.id, e.kind, e.occurred_on, e.title, e.notes,
       e.vaccine_product, e.next_due_on, e.weight_value, e.weight_unit, e.medication_name,
       e.dose, e.allergen, e.test_name, e.result, e.practice_id, u.full_name AS author
FROM records_animal a
JOIN records_species s ON s.id = a.species_id
LEFT JOIN records_breed b ON b.id = a.breed_id
LEFT JOIN records_entry e ON e.animal_id = a.id
LEFT JOIN accounts_user u ON u.id = e.author_id
WHERE a.id = %(animal)s
ORDER BY e.occurred_on DESC, e.created_at DESC, e.id DESC
{limit}
"""
CLIENTS = """
SELECT f.id, u.id AS user_id, u.full_name, u.email, f.created_at,
       (SELECT string_agg(a.name, ', ' ORDER BY a.name) FROM records_animal a
        WHERE a.owner_id = u.id) AS animals
FROM records_favorite f
JOIN accounts_user u ON u.id = f.owner_id
WHERE f.practice_id = %(practice)s AND f.ended_at IS NULL
ORDER BY u.full_name, f.id
LIMIT 50
"""
QUERIES = {
    "animals": ANIMALS,
    "entries": ENTRIES,
    "dashboard": ANIMALS,
    # The rows each page shows: the owner's page one timeline page (records.views
    # TIMELINE_PAGE_SIZE, 50), the vet's every entry the practice may see.
    "animal_page": ANIMAL_PAGE.format(limit="LIMIT 50"),
    "vet_clients": CLIENTS,
    "vet_animal_page": ANIMAL_PAGE.format(limit=""),
}

BODIES_DIR = Path(os.environ.get("BENCH_BODIES_DIR", "."))


def _bodies() -> dict[str, tuple[bytes, str]]:
    found = {}
    for path in BODIES_DIR.glob("*.body"):
        content_type = path.with_suffix(".type").read_text().strip()
        found[path.stem] = (path.read_bytes(), content_type)
    return found


def static_view(request, name: str):
    from django.http import Http404, HttpResponse

    if name not in BODIES:
        raise Http404
    body, content_type = BODIES[name]
    return HttpResponse(body, content_type=content_type)


def data_view(request, name: str):
    from django.db import connection
    from django.http import HttpResponse

    params = {k: int(v) for k, v in request.GET.items()}
    with connection.cursor() as cursor:
        cursor.execute(QUERIES[name], params)
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    body = json.dumps({"count": len(rows), "results": rows}, default=str)
    return HttpResponse(body, content_type="application/json")


BODIES: dict[str, tuple[bytes, str]] = {}


def _urlpatterns():
    from django.urls import path

    return [path("static/<str:name>", static_view), path("data/<str:name>", data_view)]


def __getattr__(name: str):
    # The URLconf's patterns, built lazily: this module is the settings module too, and
    # django.urls cannot be imported before settings are configured.
    if name == "urlpatterns":
        BODIES.update(_bodies())
        return _urlpatterns()
    raise AttributeError(name)


def application(environ, start_response):
    """The WSGI entry point (gunicorn bench.http_bench.floor:application)."""
    global _app
    if _app is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.http_bench.floor")
        from django.core.wsgi import get_wsgi_application

        _app = get_wsgi_application()
    return _app(environ, start_response)


_app = None
