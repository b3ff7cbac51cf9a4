"""ckanext-dcat's RDF harvester (``dcat_rdf``) on our portal: a record that has not changed at
its source is not written again.

The stock harvester's import stage calls ``package_update`` on every dataset it finds again.
CKAN then leaves the dataset's row alone when nothing differs, but the job still reports the
dataset as "updated" and the activity plugin still records a (hidden) "changed package"
activity for it. The harvester's own hook, ``IDCATRDFHarvester.before_update``, may empty the
dataset dict to have the import skipped and reported as "not modified"; this module decides
when to.

What is compared is what the gather stage read from the source for that dataset — the dict
the RDF parser and our profile made of its part of the graph, as stored on the harvest
object — against the one of the last import that succeeded. The parser gives the same dict for
the same triples whatever their order or their blank node labels (our profile sorts what RDF
leaves unordered), so an unchanged catalogue compares equal. The one key left out is ``name``:
the gather stage makes one up from the title for every record, and the import keeps the
existing dataset's name anyway.

A dataset edited on our side after its import keeps the edit until its source changes.

Fetching goes through the portal's outbound policy (``outbound.py``): ``before_download``
refuses a source URL that is not http(s) (the stock harvester opens any other string as a local
path) or whose host the policy refuses, before anything is read; ``update_session`` mounts the
policy's adapter on the harvester's ``requests`` session, so every request and redirect is
checked again, connected to the checked address, and timed out. A page that is not valid RDF
is reported without its bytes: the stock report quoted the start of whatever was fetched
(``_no_fetched_bytes``).

A new copy is also named the way our own datasets are: the gather stage names it with CKAN's
munging, which drops Vietnamese letters ("Điểm wifi công cộng" → ``im-wifi-cong-cng``);
``before_create`` names it from the title with the diacritics folded
(``diem-wifi-cong-cong``), with a number appended when the name is taken.
"""
from __future__ import annotations

import json
import logging
import re

from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestObject
from sqlalchemy import event

from ckanext.binhduong import outbound
from ckanext.binhduong.text import slugify

__all__ = ["DCATHarvestHooks", "free_name", "previous_import", "same_record"]

log = logging.getLogger(__name__)

RDF_PARSE_ERROR = "Error parsing the RDF file"


@event.listens_for(HarvestGatherError, "before_insert")
def _no_fetched_bytes(mapper, connection, target):
    """ckanext-dcat reports a parse failure as rdflib words it, with the bytes it could not
    read; only the line number is kept."""
    message = target.message or ""
    if not message.startswith(RDF_PARSE_ERROR):
        return
    line = re.search(r"line (\d+)", message)
    where = f" (dòng {line.group(1)})" if line else ""
    where_en = f" (line {line.group(1)})" if line else ""
    target.message = (f"Không đọc được nội dung nguồn dưới dạng RDF{where}: tệp không đúng định dạng RDF đã khai "
                      f"báo hoặc không phải danh mục DCAT. (The source could not be parsed as RDF{where_en}.)")

# Keys of the gathered dict that do not come from the source record.
NOT_FROM_THE_SOURCE = frozenset({"name"})
NAME_LENGTH = 90  # CKAN allows 100; room for a "-<n>" suffix


def _record(content: str | None) -> dict | None:
    try:
        record = json.loads(content) if content else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    return {key: value for key, value in record.items() if key not in NOT_FROM_THE_SOURCE}


def same_record(content: str | None, previous_content: str | None) -> bool:
    """Whether two gathered records say the same about their dataset."""
    current, previous = _record(content), _record(previous_content)
    return current is not None and current == previous


def previous_import(harvest_object, package_id: str):
    """The last harvest object of this source and guid whose import into package_id
    succeeded, other than harvest_object itself; None if there is none."""
    return (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
        .filter(HarvestObject.guid == harvest_object.guid)
        .filter(HarvestObject.package_id == package_id)
        .filter(HarvestObject.state == "COMPLETE")
        .filter(HarvestObject.id != harvest_object.id)
        .order_by(HarvestObject.import_finished.desc().nullslast(), HarvestObject.gathered.desc())
        .first()
    )


def free_name(title: str) -> str | None:
    """A dataset name from title, Vietnamese letters folded, not used by any dataset yet."""
    base = slugify(title, max_length=NAME_LENGTH)
    if len(base) < 2:
        return None
    name, number = base, 1
    while model.Session.query(model.Package.id).filter(model.Package.name == name).first() is not None:
        number += 1
        name = f"{base}-{number}"
    return name


class DCATHarvestHooks:
    """``IDCATRDFHarvester`` hooks of the binhduong plugin (mixed into it; the other hooks keep
    the interface's pass-through defaults)."""

    def update_session(self, session):
        adapter = outbound.PolicyAdapter()
        session.trust_env = False
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def before_download(self, url, harvest_job):
        refusal = outbound.refusal_of(url or "")
        if refusal is not None:
            log.warning("DCAT harvest job %s: source URL refused: %s", getattr(harvest_job, "id", "?"), refusal.en)
            return None, [f"{refusal.vi} ({refusal.en})"]
        return url, []

    def before_update(self, harvest_object, dataset_dict, temp_dict):
        package_id = dataset_dict.get("id")
        if not package_id:
            return
        previous = previous_import(harvest_object, package_id)
        if previous is None or not same_record(harvest_object.content, previous.content):
            return
        # Nothing to write. The object still stands for the dataset: it is the current one
        # for this guid now, and the next gather finds deletions through it.
        harvest_object.package_id = package_id
        harvest_object.add()
        log.info("Harvest object %s: dataset %s unchanged at its source; not updated",
                 harvest_object.id, package_id)
        dataset_dict.clear()

    def before_create(self, harvest_object, dataset_dict, temp_dict):
        name = free_name(dataset_dict.get("title") or "")
        if name:
            dataset_dict["name"] = name
