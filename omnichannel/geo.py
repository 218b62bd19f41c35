"""Distances between points on the Earth, for "nearest store" questions and sourcing."""

import math

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (good to a few metres at city scale, which is all retail needs)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distances_km(lat: float, lon: float, points: dict) -> dict:
    """Haversine distance from (lat, lon) to many points given as {key: (lat_rad, lon_rad, cos_lat)}."""
    phi1, lmb1 = math.radians(lat), math.radians(lon)
    cos1 = math.cos(phi1)
    sin, asin, sqrt = math.sin, math.asin, math.sqrt
    diameter = 2 * EARTH_RADIUS_KM
    return {
        key: diameter * asin(sqrt(sin((phi2 - phi1) / 2) ** 2 + cos1 * cos2 * sin((lmb2 - lmb1) / 2) ** 2))
        for key, (phi2, lmb2, cos2) in points.items()
    }


def radians_of(lat: float, lon: float) -> tuple[float, float, float]:
    """What `distances_km` needs of a point, computed once."""
    return math.radians(lat), math.radians(lon), math.cos(math.radians(lat))


def parse_point(raw: str) -> tuple[float, float]:
    """Parse "lat,lon" into floats; ValueError with a readable reason when it is not a point on Earth."""
    parts = [p.strip() for p in (raw or "").split(",")]
    if len(parts) != 2:
        raise ValueError("expected 'lat,lon', e.g. 45.4642,9.1900")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError("latitude and longitude must be numbers, e.g. 45.4642,9.1900") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("latitude must be within -90..90 and longitude within -180..180")
    return lat, lon
