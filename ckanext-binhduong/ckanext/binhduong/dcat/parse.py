"""Graph → dataset: turning our catalogue's RDF back into our schema's values, so a
harvester reading it with the same profiles gets what our API returns."""
from __future__ import annotations

import json
import logging
from typing import Iterable

from geomet import wkt
from rdflib import BNode, URIRef
from rdflib.namespace import PROV, SKOS

from ckanext.dcat.profiles.base import (
    ADMS,
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    SPDX,
    VCARD,
)

from ckanext.binhduong import places, vocabularies
from ckanext.binhduong.dcat import uris
from ckanext.binhduong.dcat.common import (
    CUSTODIAN_ROLE,
    _as_list,
    _phone_from_uri,
)

log = logging.getLogger(__name__)


class DCATParsingMixin:
    """The parsing half of BinhDuongDCATProfile (mixed into it)."""

    # -----------------------------------------------------------------------------------
    # Graph → dataset

    def _codes(self, vocabulary: str, values: Iterable) -> list[str]:
        codes = []
        for value in values:
            term = vocabularies.term(vocabulary, str(value))
            if term is not None and term.code not in codes:
                codes.append(term.code)
            elif term is None:
                log.info("DCAT value %s is not in our %s vocabulary; not imported", value, vocabulary)
        order = {t.code: i for i, t in enumerate(vocabularies.terms(vocabulary))}
        # RDF has no order; the vocabulary's order makes a re-harvest reproducible.
        return sorted(codes, key=lambda code: order.get(code, len(order)))

    def _literal(self, subject, predicate) -> str | None:
        value = self._object_value(subject, predicate)
        return value or None

    @staticmethod
    def _set(target: dict, key: str, value) -> None:
        if value in (None, "", [], {}):
            target.pop(key, None)
        else:
            target[key] = value

    def parse_dataset(self, dataset_dict, dataset_ref):
        g = self.g
        d = dataset_dict
        owned: set[str] = set()

        for key, predicate, vocabulary, many in (
            ("theme", DCAT.theme, "themes", True),
            ("language", DCT.language, "languages", True),
            ("frequency", DCT.accrualPeriodicity, "frequencies", False),
            ("access_rights", DCT.accessRights, "access_rights", False),
        ):
            codes = self._codes(vocabulary, g.objects(dataset_ref, predicate))
            self._set(d, key, codes if many else (codes[0] if codes else None))
            owned.add(key)

        # Licence: the dataset's own, else the first distribution's that we know.
        licence_id = None
        candidates = list(g.objects(dataset_ref, DCT.license))
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            candidates += list(g.objects(distribution, DCT.license))
        for candidate in candidates:
            licence_id = uris.licence_id_for(candidate)
            if licence_id:
                break
        self._set(d, "license_id", licence_id)

        self._parse_spatial(d, dataset_ref)
        owned |= {"spatial_units", "spatial", "spatial_uri", "spatial_text", "spatial_bbox", "spatial_centroid"}

        start = end = None
        for period in g.objects(dataset_ref, DCT.temporal):
            start = start or self._literal(period, DCAT.startDate)
            end = end or self._literal(period, DCAT.endDate)
        self._set(d, "temporal_start", start)
        self._set(d, "temporal_end", end)
        owned |= {"temporal_start", "temporal_end"}

        contacts = []
        for node in g.objects(dataset_ref, DCAT.contactPoint):
            contact = {
                "name": self._literal(node, VCARD.fn),
                "email": self._without_mailto(self._object_value(node, VCARD.hasEmail)) or None,
                "phone": _phone_from_uri(self._object_value(node, VCARD.hasTelephone)) or None,
            }
            contacts.append({k: v for k, v in contact.items() if v})
        contacts.sort(key=lambda c: (c.get("name") or "", c.get("email") or ""))
        self._set(d, "contact", contacts)

        creators = [self._literal(node, FOAF.name) for node in g.objects(dataset_ref, DCT.creator)]
        self._set(d, "author", next((name for name in creators if name), None))
        d.pop("creator", None)
        owned |= {f"creator_{k}" for k in ("uri", "name", "email", "url", "type", "identifier")}

        maintainer = maintainer_email = None
        for attribution in g.objects(dataset_ref, PROV.qualifiedAttribution):
            if (attribution, DCAT.hadRole, CUSTODIAN_ROLE) not in g:
                continue
            for agent in g.objects(attribution, PROV.agent):
                maintainer_email = self._without_mailto(self._object_value(agent, FOAF.mbox)) or None
                maintainer = self._literal(agent, FOAF.name)
                if maintainer and maintainer == maintainer_email:
                    maintainer = None
        self._set(d, "maintainer", maintainer)
        self._set(d, "maintainer_email", maintainer_email)
        if maintainer or maintainer_email:
            d.pop("qualified_attribution", None)

        for publisher in d.get("publisher") or []:
            node = URIRef(publisher["uri"]) if publisher.get("uri") else None
            if node is None:
                continue
            publisher["agency_code"] = self._literal(node, DCT.identifier)
            publisher["agency_type"] = next(
                (code for t in g.objects(node, DCT.type) if (code := uris.agency_type_code(t))), None
            )
            publisher["website"] = self._literal(node, FOAF.homepage)
        owned |= {f"publisher_{k}" for k in ("uri", "name", "email", "url", "type", "identifier")}

        legal_basis = []
        for predicate in (DCATAP.applicableLegislation, DCT.relation):
            for node in g.objects(dataset_ref, predicate):
                number = self._literal(node, DCT.identifier)
                if not number:
                    continue
                item = {
                    "number": number,
                    "date": self._literal(node, DCT.issued),
                    "title": self._literal(node, DCT.title),
                    "url": str(node) if isinstance(node, URIRef) else None,
                }
                legal_basis.append({k: v for k, v in item.items() if v})
        legal_basis.sort(key=lambda item: (item.get("date") or "", item["number"]))
        self._set(d, "legal_basis", legal_basis)
        owned |= {"applicable_legislation", "related_resource"}

        source = self._object(dataset_ref, DCT.source)
        if source is not None:
            d["harvest_source_url"] = str(source)
            for checksum in g.objects(source, SPDX.checksum):
                d["harvest_content_hash"] = self._literal(checksum, SPDX.checksumValue)
            for identifier in g.objects(dataset_ref, ADMS.identifier):
                notation = self._literal(identifier, SKOS.notation)
                if notation and notation != str(source):
                    d["harvest_source_identifier"] = notation
            owned |= {"source", "alternate_identifier"}

        conforms_to = _as_list(d.get("conforms_to"))
        self._set(d, "conforms_to", conforms_to)
        owned |= {"conforms_to", "homepage"}

        d["extras"] = [extra for extra in d.get("extras") or [] if extra["key"] not in owned]

        for resource_dict in d.get("resources") or []:
            self._parse_distribution(resource_dict)
        return d

    def _parse_spatial(self, d: dict, dataset_ref) -> None:
        g = self.g
        codes: list[str] = []
        extent = None
        for location in g.objects(dataset_ref, DCT.spatial):
            code = uris.place_code(location) if isinstance(location, URIRef) else None
            if code is not None:
                if code not in codes:
                    codes.append(code)
                continue
            for box in g.objects(location, DCAT.bbox):
                try:
                    extent = wkt.loads(str(box))
                except (ValueError, TypeError):
                    log.info("Unreadable dcat:bbox %r", str(box))
        order = {unit.code: i for i, unit in enumerate(places.all_units())}
        self._set(d, "spatial_units", sorted(codes, key=lambda code: order.get(code, len(order))))
        self._set(d, "spatial", json.dumps(extent) if extent else None)

    def _parse_distribution(self, r: dict) -> None:
        g = self.g
        ref = r.get("distribution_ref")
        if not ref:
            return
        node = URIRef(ref) if r.get("uri") == ref else BNode(ref)

        file_type = None
        for value in g.objects(node, DCT["format"]):
            file_type = vocabularies.term("file_types", str(value)) or file_type
        if file_type is None and (node, DCAT.accessService, None) in g:
            file_type = vocabularies.term("file_types", "API")
        self._set(r, "format", file_type.code if file_type is not None else None)

        media_type = self._object(node, DCAT.mediaType)
        self._set(r, "mimetype", uris.media_type_from_uri(media_type) if media_type is not None else None)

        languages = self._codes("languages", g.objects(node, DCT.language))
        self._set(r, "language", languages[0] if languages else None)
        statuses = self._codes("distribution_statuses", g.objects(node, ADMS.status))
        self._set(r, "status", statuses[0] if statuses else None)

        licence = self._object(node, DCT.license)
        self._set(r, "license_id", uris.licence_id_for(licence) if licence is not None else None)

        download = self._object(node, DCAT.downloadURL)
        access = self._object(node, DCAT.accessURL)
        self._set(r, "url", str(download or access or "") or None)

        for checksum in g.objects(node, SPDX.checksum):
            if (checksum, SPDX.algorithm, URIRef(uris.SPDX_SHA256)) in g:
                r["sha256"] = self._literal(checksum, SPDX.checksumValue)
                # The stock parser copied it into CKAN's `hash`, which xloader compares
                # with the MD5 of the file it downloads.
                if r.get("hash") == r["sha256"]:
                    r.pop("hash")
        for key in ("license", "access_url", "download_url", "hash_algorithm", "access_services"):
            r.pop(key, None)
