"""UK postcode districts to coordinates, for "find a practice near me".

No outside geocoding service is reachable, so VetPass ships the approximate centroids of
a few hundred major postcode districts (records/data/postcode_districts.csv: district,
latitude, longitude, town). A full postcode is reduced to its district ("BS1 4DJ" → "BS1");
an unknown district falls back to the mean of its area's known districts ("BS99" → "BS").
"""

from __future__ import annotations

import csv
import math
import re
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "postcode_districts.csv"
EARTH_RADIUS_KM = 6371.0088

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


@cache
def districts() -> dict[str, tuple[float, float]]:
    with DATA_FILE.open(newline="", encoding="utf-8") as f:
        return {
            row["district"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(f)
        }


@cache
def _areas() -> dict[str, tuple[float, float]]:
    sums: dict[str, list[float]] = {}
    for district, (lat, lng) in districts().items():
        area = re.match(r"[A-Z]+", district).group(0)  # type: ignore[union-attr]
        acc = sums.setdefault(area, [0.0, 0.0, 0.0])
        acc[0] += lat
        acc[1] += lng
        acc[2] += 1
    return {a: (v[0] / v[2], v[1] / v[2]) for a, v in sums.items()}


def district_of(postcode: str) -> str | None:
    """The outward code of a full postcode or of a district typed alone; None if neither."""
    text = re.sub(r"\s+", " ", (postcode or "").strip().upper())
    match = _FULL.match(text)
    if match:
        return match.group(1)
    compact = text.replace(" ", "")
    if _DISTRICT.match(compact):
        return compact
    return None


def coordinates_for(postcode: str) -> tuple[float, float] | None:
    district = district_of(postcode)
    if district is None:
        return None
    known = districts().get(district)
    if known is not None:
        return known
    area = re.match(r"[A-Z]+", district).group(0)  # type: ignore[union-attr]
    return _areas().get(area)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lng, max lng) enclosing the circle: an indexable prefilter."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
