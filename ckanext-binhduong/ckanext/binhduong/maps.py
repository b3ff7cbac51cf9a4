"""What the `bd_map` resource view draws: which resources have geometry, which table columns
hold coordinates, and a DataStore table's rows as GeoJSON points.

Pure functions, no CKAN calls, so they are tested on their own (tests/test_map_view.py)."""
from __future__ import annotations

import math
import os
from typing import Any, Iterable
from urllib.parse import urlparse

from ckanext.binhduong.text import fold, to_number

GEOJSON_FORMATS = {"geojson", "geo+json", "application/geo+json", "application/vnd.geo+json"}

# Column names that hold latitude / longitude, compared after normalise_column() and tried
# in this order: Vietnamese first (vĩ độ / kinh độ), then the usual English names. Projected
# columns (VN-2000 "toa_do_x/y" in metres) are deliberately not recognised: the map needs
# WGS84 degrees, and VN-2000's X is the northing, an easy swap to get wrong.
LATITUDE_NAMES = ("vi_do", "vido", "lat", "latitude")
LONGITUDE_NAMES = ("kinh_do", "kinhdo", "lon", "lng", "long", "longitude")

# A column that marks rows as invalid (our harvesters' `hop_le`, "valid": false for a flagged
# record, with the reason in `loi`): such rows are not drawn, and the view counts them.
VALIDITY_NAMES = ("hop_le",)
FALSE_VALUES = {"false", "f", "0", "no", "n", "khong"}

# Popup labels for column names our seeds and harvesters use, when the table's data dictionary
# gives none (a publisher's label in the dictionary always wins): (Vietnamese, English).
COLUMN_LABELS = {
    "ma_tram": ("Mã trạm", "Station code"), "ten_tram": ("Tên trạm", "Station name"),
    "nha_mang": ("Nhà mạng", "Network operator"), "doanh_nghiep": ("Doanh nghiệp", "Operator"),
    "cong_nghe": ("Công nghệ", "Technology"), "dung_chung_ha_tang": ("Dùng chung hạ tầng", "Shared tower"),
    "ma_xa": ("Mã xã/phường", "Commune code"), "ten_xa": ("Xã/phường", "Commune"),
    "ma_huyen": ("Mã huyện", "District code"), "ten_huyen": ("Huyện/thành phố", "District"),
    "ma_tinh": ("Mã tỉnh", "Province code"), "ten_tinh": ("Tỉnh", "Province"),
    "vi_do": ("Vĩ độ", "Latitude"), "kinh_do": ("Kinh độ", "Longitude"), "he_toa_do": ("Hệ tọa độ", "Coordinate system"),
    "dia_chi": ("Địa chỉ", "Address"), "du_lieu_mau": ("Dữ liệu mẫu", "Sample data"), "ghi_chu": ("Ghi chú", "Note"),
    "hop_le": ("Hợp lệ", "Valid"), "loi": ("Lỗi", "Error"), "nguon": ("Nguồn", "Source"),
}

# DataStore's own columns, never shown in a popup.
HIDDEN_COLUMNS = {"_id", "_full_text"}


def normalise_column(name: str) -> str:
    """'Vĩ độ' -> 'vi_do', 'Kinh-Độ ' -> 'kinh_do', 'LAT' -> 'lat'."""
    return fold(name, "_")


def _find(columns: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    by_normal_name: dict[str, str] = {}
    for column in columns:
        by_normal_name.setdefault(normalise_column(column), column)
    return next((by_normal_name[name] for name in wanted if name in by_normal_name), None)


def coordinate_columns(columns: Iterable[str], latitude: str | None = None,
                       longitude: str | None = None) -> tuple[str, str] | None:
    """The (latitude, longitude) columns of a table, or None when it has no such pair.

    Columns named in the view's settings win; otherwise they are recognised by name
    (LATITUDE_NAMES, LONGITUDE_NAMES, with or without diacritics, any case)."""
    columns = [str(column) for column in columns if column not in HIDDEN_COLUMNS]
    latitude = _find(columns, (normalise_column(latitude),)) if latitude else _find(columns, LATITUDE_NAMES)
    longitude = _find(columns, (normalise_column(longitude),)) if longitude else _find(columns, LONGITUDE_NAMES)
    if latitude and longitude and latitude != longitude:
        return latitude, longitude
    return None


def column_labels(fields: Iterable[dict[str, Any]], lang: str = "vi") -> dict[str, str]:
    """Each column's label for popups: the data dictionary's (``info.label``), else the
    portal's label for a known column name (COLUMN_LABELS); columns with neither keep their name."""
    labels: dict[str, str] = {}
    for field in fields:
        name = str(field.get("id", ""))
        if not name or name in HIDDEN_COLUMNS:
            continue
        info = field.get("info") or {}
        known = COLUMN_LABELS.get(normalise_column(name))
        label = (info.get("label") or "").strip() or (known[1 if lang == "en" else 0] if known else "")
        if label:
            labels[name] = label
    return labels


def validity_column(columns: Iterable[str]) -> str | None:
    return _find([str(column) for column in columns if column not in HIDDEN_COLUMNS], VALIDITY_NAMES)


def is_flagged(value: Any) -> bool:
    """True for a validity cell that says the row is not valid (false, 0, "không", ...)."""
    if isinstance(value, bool):
        return not value
    if value is None:
        return False
    return normalise_column(str(value)) in FALSE_VALUES


def is_geojson(resource: dict[str, Any]) -> bool:
    """A resource whose format says GeoJSON, or whose address ends in .geojson."""
    if (resource.get("format") or "").strip().lower() in GEOJSON_FORMATS:
        return True
    if (resource.get("mimetype") or "").strip().lower() in GEOJSON_FORMATS:
        return True
    path = urlparse(resource.get("url") or "").path
    return os.path.splitext(path)[1].lower() == ".geojson"


def coordinate(value: Any, limit: float) -> float | None:
    """A cell as a coordinate in decimal degrees (10.99 or 10,99), or None when it is not one."""
    result = to_number(value, grouping=False)  # degrees have no thousands: 10.980 is 10.98
    if result is None or not math.isfinite(result) or abs(result) > limit:
        return None
    return result


def _cell(value: Any) -> Any:
    # Popups show text; numbers and booleans stay as the DataStore returns them, except the
    # non-finite floats JSON cannot carry.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def records_to_features(records: Iterable[dict[str, Any]], latitude: str, longitude: str,
                        columns: Iterable[str] = (), validity: str | None = None) -> tuple[dict[str, Any], int, int]:
    """A GeoJSON FeatureCollection of the rows with usable coordinates; how many rows were
    left out because a coordinate was missing, unreadable or out of range ((0, 0) counts as
    unusable: it is what an empty numeric cell often becomes); and how many were left out
    because their `validity` column flags them.

    `columns` (the table's column order) is kept as the collection's foreign member
    "columns", so popups list a row's values in the table's order (JSON objects have none)."""
    features, skipped, flagged = [], 0, 0
    for record in records:
        if validity and is_flagged(record.get(validity)):
            flagged += 1
            continue
        lat, lon = coordinate(record.get(latitude), 90), coordinate(record.get(longitude), 180)
        if lat is None or lon is None or (lat == 0 and lon == 0):
            skipped += 1
            continue
        properties = {key: _cell(value) for key, value in record.items() if key not in HIDDEN_COLUMNS}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": properties})
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    order = [str(column) for column in columns if column not in HIDDEN_COLUMNS]
    if order:
        collection["columns"] = order
    return collection, skipped, flagged
