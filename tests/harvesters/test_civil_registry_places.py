"""The committed clerk-written civil-registry export (harvesters/samples/ho-tich/), read by the
harvester's own reader and placed by its own place step, record by record. Pure: no
database, no Solr, no portal."""
from __future__ import annotations

from collections import Counter

from ckanext.binhduong import places
from ckanext.binhduong.harvesters import civil_events as events
from ckanext.binhduong.harvesters import civil_read, normalise
from ckanext.binhduong.harvesters.samples import make_civil_registry_samples as samples

RECORDS = samples.clerk_records()


def _placed() -> list[tuple[str, bool, events.Place]]:
    """(month, post-reform?, place) of every record of the committed file, in file order."""
    data = samples.CLERK_FILE.read_bytes()
    table = civil_read.read_events(data, events.EVENTS, source=samples.CLERK_FILE.name, fmt="csv")
    frame, categories = table.frame, table.frame.attrs["categories"]
    has_district = "district" in frame.columns
    result = []
    for date, commune, district in zip(frame["date"], frame["commune"],
                                       frame["district"] if has_district else [0] * len(frame)):
        month = normalise.parse_month(categories["date"][date])
        post = events.is_post_reform_month(month)
        place = events.resolve_place(categories["commune"][commune],
                                     categories["district"][district] if has_district else None, post)
        result.append((month, post, place))
    return result


PLACED = _placed()


def test_the_committed_export_is_what_the_script_makes():
    assert samples.CLERK_FILE.read_bytes() == samples.clerk_csv(RECORDS), \
        "run python harvesters/samples/make_civil_registry_samples.py --clerk"


def test_the_export_covers_both_sides_of_the_reform_and_every_unit():
    assert len(RECORDS) >= 2000 and len(PLACED) == len(RECORDS)
    sides = Counter(post for _, post, _ in PLACED)
    assert sides[True] > 500 and sides[False] > 500
    truths = {r["_ma_don_vi"] for r in RECORDS}
    assert {u.code for u in places.all_units() if u.level == "commune"} <= truths


def test_at_least_99_percent_of_records_land_in_a_known_commune():
    known = sum(place.known for _, _, place in PLACED)
    assert known / len(PLACED) >= 0.99, f"{known} of {len(PLACED)} placed"
    # And in the right one: the generator knows where each record was registered.
    right = sum(place.commune == row["_ma_don_vi"] for (_, _, place), row in zip(PLACED, RECORDS))
    assert right / len(PLACED) >= 0.99
    unknown_truths = {row["_ma_don_vi"] for (_, _, place), row in zip(PLACED, RECORDS) if not place.known}
    assert unknown_truths == {""}  # only the places nobody can know stay unknown


def test_every_post_reform_event_is_under_a_2025_unit_and_every_earlier_one_under_a_legacy_unit():
    for month, post, place in PLACED:
        unit = places.get_unit(place.commune)
        if post:
            assert month >= "2025-07"
            assert place.commune.startswith(places.NEW_PREFIX), (month, place)
            assert unit is None or not unit.legacy
        else:
            assert month < "2025-07"
            assert not place.commune.startswith(places.NEW_PREFIX), (month, place)
            assert unit is None or unit.legacy
