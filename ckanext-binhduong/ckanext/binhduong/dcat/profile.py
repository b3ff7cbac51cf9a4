"""Our DCAT profile, layered on ckanext-dcat's euro_dcat_ap_3 (mapping in schemas/DCAT-MAPPING.md).

It runs after euro_dcat_ap_3 on the same graph. The stock profile already writes most DCAT-AP 3
properties from ckanext-dcat's scheming field names, which our schema reuses; what it gets wrong, it
writes from our *codes* ("TECH", "ANNUAL", "vi", "CSV") as literals or relative URIs, which DCAT-AP 3
refuses. This profile replaces those triples with the EU vocabulary URIs and adds what the stock profile
does not know about (administrative units, legal basis, the agency's code and type, telephones, harvest
provenance, the catalogue record). Parsing does the reverse: a harvester reading our catalogue with the
same two profiles gets our values back.

Titles and descriptions of datasets and distributions are written in Vietnamese (the schema's language);
their literals carry ``@vi``, the catalogue's own ``@vi`` and ``@en``. DCAT-AP 2.1.1 is the subclass in
profile_ap2.py (``binhduong_dcat_ap_2``); quality measurements as DQV in quality.py.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from ckanext.dcat.profiles.base import (
    ADMS,
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    GSP,
    SPDX,
    VCARD,
    CleanedURIRef,
    RDFProfile,
)
from ckanext.dcat.utils import dataset_uri, publisher_uri_organization_fallback, resource_uri

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import place_resolver, places, vocabularies
from ckanext.binhduong.dcat import quality, uris
from ckanext.binhduong.dcat.common import (
    ADMS_PUBLISHER_TYPE,
    ADMS_TYPE_OF_AGENCY,
    CATALOG_DEFAULTS,
    CATALOG_DESCRIPTION,
    CATALOG_LANGUAGES,
    CATALOG_TITLE,
    CUSTODIAN_ROLE,
    ELI,
    HOMEPAGE,
    NOT_DOWNLOADS,
    PUBLISHER_AGENCY_TYPE,
    PUBLISHER_EMAIL,
    PUBLISHER_HOMEPAGE,
    PUBLISHER_NAME,
    PUBLISHER_URI,
    REWRITTEN_DATASET_PREDICATES,
    REWRITTEN_DISTRIBUTION_PREDICATES,
    SHA256_HEX,
    VOCABULARY_CLASSES,
    _as_list,
    _config,
    _envelope,
    _phone_uri,
    _wkt_box,
    _wkt_point,
)
from ckanext.binhduong.dcat.parse import DCATParsingMixin

__all__ = ["BinhDuongDCATProfile"]

log = logging.getLogger(__name__)


class BinhDuongDCATProfile(DCATParsingMixin, RDFProfile):
    """DCAT-AP 3 for the Bình Dương schema, on top of euro_dcat_ap_3."""

    #: The DCAT-AP version written; the profile list decides which class runs.
    DCAT_AP_VERSION = 3
    #: The language of our schema's free text (titles, descriptions).
    TEXT_LANGUAGE = "vi"

    # -----------------------------------------------------------------------------------
    # Graph helpers

    def _state(self) -> dict:
        # Profiles are instantiated once per dataset; what is shared by all the datasets of
        # one catalogue page (vocabulary concepts already described, organizations already
        # fetched) lives on the graph, so it is gone with the page and never goes stale.
        state = getattr(self.g, "_binhduong_dcat", None)
        if state is None:
            state = {"described": set(), "refs": {}, "organizations": {}}
            setattr(self.g, "_binhduong_dcat", state)
            for prefix, namespace in (("eli", ELI), ("prov", PROV), ("dcatap", DCATAP), ("skos", SKOS)):
                self.g.bind(prefix, namespace)
        return state

    def _ap2(self) -> bool:
        """Serialising for DCAT-AP 2.1.1 (profile_ap2.py) rather than 3."""
        return self.DCAT_AP_VERSION == 2

    def _text(self, value: Any) -> Literal:
        return Literal(str(value), lang=self.TEXT_LANGUAGE)

    def _tag_text(self, subject) -> None:
        """The stock profile writes titles and descriptions as plain literals: tagged here
        with their language (one pass over the subject, as in _drop)."""
        for predicate, value in list(self.g.predicate_objects(subject)):
            if predicate in (DCT.title, DCT.description) and isinstance(value, Literal) \
                    and not value.language and value.datatype is None:
                self.g.remove((subject, predicate, value))
                self.g.add((subject, predicate, self._text(value)))

    def _memo(self, key, build):
        """The node for key, described in the graph by build() the first time only."""
        refs = self._state()["refs"]
        if key not in refs:
            refs[key] = build()
        return refs[key]

    def _first_time(self, key) -> bool:
        described = self._state()["described"]
        if key in described:
            return False
        described.add(key)
        return True

    def _drop(self, subject, *predicates) -> None:
        """Remove subject's values for these predicates, with the blank nodes that hung from
        them and are used nowhere else. One pass over the subject, whatever the number of
        predicates: each lookup on ckanext-dcat's ConjunctiveGraph is costly."""
        wanted = set(predicates)
        for predicate, value in list(self.g.predicate_objects(subject)):
            if predicate not in wanted:
                continue
            self.g.remove((subject, predicate, value))
            if isinstance(value, BNode) and (None, None, value) not in self.g:
                self._drop_node(value)

    def _drop_node(self, node) -> None:
        for predicate, value in list(self.g.predicate_objects(node)):
            self.g.remove((node, predicate, value))
            if isinstance(value, BNode) and (None, None, value) not in self.g:
                self._drop_node(value)

    def _concept(self, vocabulary: str, code: Any) -> URIRef | None:
        """The URI of a vocabulary term, described once per graph as DCAT-AP expects it."""
        return self._memo(("concept", vocabulary, code), lambda: self._describe_concept(vocabulary, code))

    def _describe_concept(self, vocabulary: str, code: Any) -> URIRef | None:
        term = vocabularies.term(vocabulary, code)
        if term is None or not term.uri:
            return None
        ref = URIRef(term.uri)
        if self._first_time(("concept", term.uri)):
            g = self.g
            g.add((ref, RDF.type, SKOS.Concept))
            for cls in VOCABULARY_CLASSES.get(vocabulary, ()):
                g.add((ref, RDF.type, cls))
            # Only our Vietnamese label: the EU tables carry their own English ones, and SKOS
            # allows a single preferred label per language.
            g.add((ref, SKOS.prefLabel, Literal(term.label_vi, lang="vi")))
            g.add((ref, SKOS.inScheme, URIRef(uris.scheme_of(term.uri))))
        return ref

    def _agency_type(self, code: Any) -> URIRef | None:
        return self._memo(("agency_type", code), lambda: self._describe_agency_type(code))

    def _describe_agency_type(self, code: Any) -> URIRef | None:
        uri = uris.agency_type_uri(code) if code else None
        if uri is None:
            return None
        ref = URIRef(uri)
        if self._first_time(("agency_type", uri)):
            g = self.g
            term = vocabularies.term("agency_types", code)
            scheme = URIRef(uris.agency_type_scheme())
            g.add((ref, RDF.type, SKOS.Concept))
            g.add((ref, SKOS.prefLabel, Literal(term.label_vi, lang="vi")))
            g.add((ref, SKOS.prefLabel, Literal(term.label_en, lang="en")))
            g.add((ref, SKOS.inScheme, scheme))
            g.add((ref, SKOS.notation, Literal(term.code)))
            adms = ADMS_TYPE_OF_AGENCY.get(term.code)
            if adms:
                g.add((ref, SKOS.closeMatch, ADMS_PUBLISHER_TYPE[adms]))
            if self._first_time(("scheme", str(scheme))):
                g.add((scheme, RDF.type, SKOS.ConceptScheme))
                g.add((scheme, DCT.title, Literal("Loại cơ quan công bố dữ liệu", lang="vi")))
                g.add((scheme, DCT.title, Literal("Types of publishing agency", lang="en")))
        return ref

    def _place(self, code: str) -> URIRef | None:
        return self._memo(("place", code), lambda: self._describe_place(code))

    def _describe_place(self, code: str) -> URIRef | None:
        unit = places.get_unit(code)
        if unit is None:
            return None
        ref = URIRef(uris.place_uri(unit.code))
        if self._first_time(("place", unit.code)):
            g = self.g
            g.add((ref, RDF.type, DCT.Location))
            g.add((ref, SKOS.prefLabel, Literal(unit.name, lang="vi")))
            g.add((ref, DCT.identifier, Literal(unit.gso_code)))
            if unit.bbox:
                g.add((ref, DCAT.bbox, Literal(_wkt_box(unit.bbox), datatype=GSP.wktLiteral)))
            if unit.longitude is not None and unit.latitude is not None:
                centre = (unit.longitude, unit.latitude)
            else:
                centre = places.centroid([unit.code])
            if centre:
                g.add((ref, DCAT.centroid, Literal(_wkt_point(*centre), datatype=GSP.wktLiteral)))
            if unit.parent:
                g.add((ref, DCT.isPartOf, URIRef(uris.place_uri(unit.parent))))
            # Data keeps the units valid at its time; this is how a reader maps a unit that
            # ended on 30/6/2025 to the ones that replaced it.
            for successor in places.successors(unit.code):
                g.add((ref, DCT.isReplacedBy, URIRef(uris.place_uri(successor.code))))
        return ref

    def _licence(self, licence_id: Any) -> URIRef | None:
        return self._memo(("licence", licence_id), lambda: self._describe_licence(licence_id))

    def _describe_licence(self, licence_id: Any) -> URIRef | None:
        uri = uris.licence_uri(licence_id) if licence_id else None
        if uri is None:
            return None
        ref = CleanedURIRef(uri)
        if self._first_time(("licence", uri)):
            self.g.add((ref, RDF.type, DCT.LicenseDocument))
            entry = next((e for e in vocabularies.licences() if e["id"] == licence_id), None)
            if entry:
                # The Vietnamese title is CKAN's licence title, so even a parser that only
                # matches titles finds the licence again.
                self.g.add((ref, DCT.title, Literal(entry["title"], lang="vi")))
                if entry.get("title_en"):
                    self.g.add((ref, DCT.title, Literal(entry["title_en"], lang="en")))
                if entry.get("url"):
                    self.g.add((ref, RDFS.seeAlso, CleanedURIRef(entry["url"])))
        return ref

    def _resource(self, uri: str) -> URIRef:
        ref = CleanedURIRef(uri)
        self.g.add((ref, RDF.type, RDFS.Resource))
        return ref

    def _organization(self, dataset_dict: dict) -> dict | None:
        org_id = dataset_dict.get("owner_org") or (dataset_dict.get("organization") or {}).get("id")
        if not org_id:
            return None
        cache = self._state()["organizations"]
        if org_id not in cache:
            try:
                cache[org_id] = toolkit.get_action("organization_show")(
                    {"ignore_auth": True},
                    {"id": org_id, "include_datasets": False, "include_users": False,
                     "include_groups": False, "include_tags": False, "include_followers": False},
                )
            except toolkit.ObjectNotFound:
                cache[org_id] = None
        return cache[org_id]

    # -----------------------------------------------------------------------------------
    # Dataset → graph

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        self._state()
        d = dataset_dict
        # What the stock profile wrote for these, this profile writes itself.
        self._drop(dataset_ref, *REWRITTEN_DATASET_PREDICATES)
        self._tag_text(dataset_ref)
        self._vocabulary_values(d, dataset_ref)
        self._contacts(d, dataset_ref)
        self._publisher(d, dataset_ref)
        self._people(d, dataset_ref)
        self._temporal(d, dataset_ref)
        self._spatial(d, dataset_ref)
        self._legal_basis(d, dataset_ref)
        self._harvest_provenance(d, dataset_ref)
        for resource_dict in d.get("resources") or []:
            self._distribution(resource_dict, d)
        quality.add_dataset(self.g, dataset_ref, d.get("id"))  # DQV measurements (dcat/quality.py)

    def _vocabulary_values(self, d: dict, ref) -> None:
        g = self.g
        for key, predicate, vocabulary in (
            ("theme", DCAT.theme, "themes"),
            ("language", DCT.language, "languages"),
            ("frequency", DCT.accrualPeriodicity, "frequencies"),
            ("access_rights", DCT.accessRights, "access_rights"),
        ):
            for code in _as_list(self._get_dataset_value(d, key)):
                concept = self._concept(vocabulary, code)
                if concept is not None:
                    g.add((ref, predicate, concept))
                else:
                    log.warning("Dataset %s: %s %r has no DCAT URI; left out", d.get("id"), key, code)
        # DCAT-AP puts the licence on distributions; the dataset carries it too because our
        # schema has it there and a dataset may have no distribution yet.
        licence = self._licence(d.get("license_id"))
        if licence is not None:
            g.add((ref, DCT.license, licence))

    def _contacts(self, d: dict, ref) -> None:
        g = self.g
        # The stock profile adds the scheming contacts and, from maintainer/author, one more
        # vcard:Organization (dropped in graph_from_dataset); ours are the contact field
        # alone, the maintainer has its own mapping below.
        for contact in _as_list(d.get("contact")):
            if not isinstance(contact, dict) or not any(contact.values()):
                continue
            node = BNode()
            g.add((ref, DCAT.contactPoint, node))
            g.add((node, RDF.type, VCARD.Kind))
            if contact.get("name"):
                g.add((node, VCARD.fn, Literal(contact["name"])))
            if contact.get("email"):
                g.add((node, VCARD.hasEmail, URIRef(self._add_mailto(contact["email"].strip()))))
            if contact.get("phone"):
                g.add((node, VCARD.hasTelephone, URIRef(_phone_uri(contact["phone"]))))

    def _publisher(self, d: dict, ref) -> None:
        org = self._organization(d)
        uri = publisher_uri_organization_fallback(d) if d.get("organization") else None
        if org is None or not uri:
            return
        g = self.g
        publisher = self._memo(("publisher", uri), lambda: self._describe_publisher(uri, org))
        g.add((ref, DCT.publisher, publisher))
        # The stock profile names the organization, for every dataset, from a process-wide
        # cache that never expires (and gives the address as a plain literal); the name and
        # address written here come from this request.
        g.remove((publisher, FOAF.name, None))
        g.remove((publisher, FOAF.mbox, None))
        g.add((publisher, FOAF.name, Literal(org.get("title") or org.get("name"))))
        if org.get("email"):
            g.add((publisher, FOAF.mbox, URIRef(self._add_mailto(org["email"]))))

    def _describe_publisher(self, uri: str, org: dict) -> URIRef:
        g = self.g
        publisher = CleanedURIRef(uri)
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, RDF.type, FOAF.Organization))
        if org.get("website"):
            g.add((publisher, FOAF.homepage, CleanedURIRef(org["website"])))
        if org.get("agency_code"):
            g.add((publisher, DCT.identifier, Literal(org["agency_code"])))
        agency_type = self._agency_type(org.get("agency_type"))
        if agency_type is not None:
            g.add((publisher, DCT.type, agency_type))
        unit = self._place(org["admin_unit"]) if org.get("admin_unit") else None
        if unit is not None:
            g.add((publisher, DCT.spatial, unit))
        return publisher

    def _people(self, d: dict, ref) -> None:
        g = self.g
        if d.get("author"):
            creator = BNode()
            g.add((ref, DCT.creator, creator))
            g.add((creator, RDF.type, FOAF.Agent))
            g.add((creator, FOAF.name, Literal(d["author"])))
            if d.get("author_email"):
                g.add((creator, FOAF.mbox, URIRef(self._add_mailto(d["author_email"]))))
        if d.get("maintainer") or d.get("maintainer_email"):
            attribution, agent = BNode(), BNode()
            g.add((ref, PROV.qualifiedAttribution, attribution))
            g.add((attribution, RDF.type, PROV.Attribution))
            g.add((attribution, PROV.agent, agent))
            g.add((attribution, DCAT.hadRole, CUSTODIAN_ROLE))
            g.add((CUSTODIAN_ROLE, RDF.type, DCAT.Role))
            g.add((agent, RDF.type, FOAF.Agent))
            # DCAT-AP requires an agent's name; an address alone stands for it.
            g.add((agent, FOAF.name, Literal(d.get("maintainer") or d["maintainer_email"])))
            if d.get("maintainer_email"):
                g.add((agent, FOAF.mbox, URIRef(self._add_mailto(d["maintainer_email"]))))

    def _temporal(self, d: dict, ref) -> None:
        # The stock profiles write a schema.org period and then a DCAT one, and leave both
        # when only the end is known; one dct:PeriodOfTime is written here instead.
        start, end = d.get("temporal_start"), d.get("temporal_end")
        if not (start or end):
            return
        period = BNode()
        self.g.add((ref, DCT.temporal, period))
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        if start:
            self._add_date_triple(period, DCAT.startDate, start)
        if end:
            self._add_date_triple(period, DCAT.endDate, end)

    def _spatial(self, d: dict, ref) -> None:
        g = self.g
        # The stock profile's locn:geometry literal fails the DCAT-AP 3.0.0 shapes (they want a locn:Geometry
        # node, which ckanext-dcat cannot read back): the extent is published as its bounding box.
        spans = place_resolver.spans_reform(d.get("temporal_start"), d.get("temporal_end"))
        for code in _as_list(d.get("spatial_units")):
            for named in [str(code)] + (place_resolver.other_map_codes(str(code)) if spans else []):
                unit = self._place(named)
                if unit is not None:
                    g.add((ref, DCT.spatial, unit))
        extent = d.get("spatial")
        if isinstance(extent, str) and extent.strip():
            try:
                extent = json.loads(extent)
            except ValueError:
                extent = None
        box = _envelope(extent) if isinstance(extent, dict) else None
        if box is not None:
            location = BNode()
            g.add((ref, DCT.spatial, location))
            g.add((location, RDF.type, DCT.Location))
            g.add((location, DCAT.bbox, Literal(_wkt_box(box), datatype=GSP.wktLiteral)))
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            g.add((location, DCAT.centroid, Literal(_wkt_point(*centre), datatype=GSP.wktLiteral)))

    def _legal_basis(self, d: dict, ref) -> None:
        g = self.g
        for item in _as_list(d.get("legal_basis")):
            if not isinstance(item, dict) or not item.get("number"):
                continue
            url = (item.get("url") or "").strip()
            node = CleanedURIRef(url) if url else BNode()
            # dcatap:applicableLegislation is DCAT-AP 3 (and HVD); DCAT-AP 2 has dct:relation.
            if url and "/eli/" in url and not self._ap2():
                g.add((ref, DCATAP.applicableLegislation, node))
                g.add((node, RDF.type, ELI.LegalResource))
            else:
                g.add((ref, DCT.relation, node))
                g.add((node, RDF.type, RDFS.Resource))
            g.add((node, DCT.identifier, Literal(item["number"])))
            if item.get("title"):
                # No language tag: a legal basis may be a foreign act with its own title.
                g.add((node, DCT.title, Literal(item["title"])))
            if item.get("date"):
                self._add_date_triple(node, DCT.issued, item["date"])

    def _harvest_provenance(self, d: dict, ref) -> None:
        source_url = self._get_dataset_value(d, "harvest_source_url")
        if not source_url:
            return
        g = self.g
        source = CleanedURIRef(source_url)
        g.add((ref, DCT.source, source))
        # DCAT-AP wants the source to be a dcat:Dataset. Typed through a subclass, it is one
        # for SHACL and RDFS readers, while ckanext-dcat's parser, which lists only direct
        # dcat:Dataset instances, does not import the source as a second dataset.
        source_class = URIRef(uris.base() + "/ns#SourceDataset")
        if self._first_time(("class", str(source_class))):
            g.add((source_class, RDFS.subClassOf, DCAT.Dataset))
            g.add((source_class, RDFS.label, Literal("Bộ dữ liệu nguồn đã thu thập", lang="vi")))
            g.add((source_class, RDFS.label, Literal("Harvested source dataset", lang="en")))
        g.add((source, RDF.type, source_class))
        # A harvested copy shows its source's title and description: they are what was copied.
        g.add((source, DCT.title, self._text(d.get("title") or source_url)))
        g.add((source, DCT.description, self._text(d.get("notes") or d.get("title") or source_url)))
        content_hash = self._get_dataset_value(d, "harvest_content_hash")
        if content_hash and SHA256_HEX.match(str(content_hash)) and not self._ap2():
            checksum = BNode()
            g.add((source, SPDX.checksum, checksum))
            self._checksum(checksum, content_hash)
        identifier = self._get_dataset_value(d, "harvest_source_identifier") or source_url
        node = BNode()
        g.add((ref, ADMS.identifier, node))
        g.add((node, RDF.type, ADMS.Identifier))
        g.add((node, SKOS.notation, Literal(identifier)))

    def _checksum(self, node, value: str) -> None:
        g = self.g
        algorithm = URIRef(uris.SPDX_SHA256)
        g.add((node, RDF.type, SPDX.Checksum))
        g.add((node, SPDX.checksumValue, Literal(str(value).lower(), datatype=XSD.hexBinary)))
        g.add((node, SPDX.algorithm, algorithm))
        g.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))

    def _distribution(self, res: dict, d: dict) -> None:
        g = self.g
        ref = CleanedURIRef(resource_uri(res))
        self._drop(ref, *REWRITTEN_DISTRIBUTION_PREDICATES)
        self._tag_text(ref)

        file_type = vocabularies.term("file_types", res.get("format")) if res.get("format") else None
        url = (res.get("url") or "").strip()
        if url:
            g.add((ref, DCAT.accessURL, self._resource(url)))
            is_download = res.get("url_type") == "upload" or (
                file_type is not None and file_type.code not in NOT_DOWNLOADS
            )
            if is_download:
                g.add((ref, DCAT.downloadURL, self._resource(url)))
        if file_type is not None and file_type.code == "API":
            # No EU file type means "an API"; DCAT-AP describes one as a data service.
            service = BNode()
            g.add((ref, DCAT.accessService, service))
            g.add((service, RDF.type, DCAT.DataService))
            g.add((service, DCT.title, self._text(res.get("name") or url)))
            if url:
                g.add((service, DCAT.endpointURL, self._resource(url)))
            g.add((service, DCAT.servesDataset, CleanedURIRef(dataset_uri(d))))
        elif file_type is not None:
            concept = self._concept("file_types", file_type.code)
            if concept is not None:
                g.add((ref, DCT["format"], concept))
        if res.get("mimetype"):
            media_type = URIRef(uris.media_type_uri(res["mimetype"]))
            g.add((ref, DCAT.mediaType, media_type))
            g.add((media_type, RDF.type, DCT.MediaType))
        for code in _as_list(res.get("language")):
            concept = self._concept("languages", code)
            if concept is not None:
                g.add((ref, DCT.language, concept))
        status = self._concept("distribution_statuses", res.get("status")) if res.get("status") else None
        if status is not None:
            g.add((ref, ADMS.status, status))
        licence = self._licence(res.get("license_id") or d.get("license_id"))
        if licence is not None:
            g.add((ref, DCT.license, licence))
        # DCAT-AP allows one checksum and it must name its algorithm: our `sha256` field.
        # CKAN's `hash` is whatever the last writer put there (xloader: an MD5), so it is
        # used only when it can only be a SHA-256 (64 hex digits, from before the field).
        # DCAT-AP 2.1.1 admits SHA-1 alone, which we do not keep: no checksum there.
        digest = res.get("sha256") or res.get("hash")
        if digest and SHA256_HEX.match(str(digest)) and not self._ap2():
            checksum = BNode()
            g.add((ref, SPDX.checksum, checksum))
            self._checksum(checksum, digest)

    # -----------------------------------------------------------------------------------
    # Catalogue record

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        self._state()
        g = self.g
        quality.add_scheme(g)  # the DQV dimensions and metrics the datasets' measurements name
        catalog_dict = catalog_dict or {}
        texts = {
            DCT.title: (
                _config(CATALOG_TITLE.format(lang="vi"), _config("ckanext.binhduong.portal_title_vi", toolkit.config.get("ckan.site_title"))),
                _config(CATALOG_TITLE.format(lang="en"), _config("ckanext.binhduong.portal_title_en")),
                "title",
            ),
            DCT.description: (
                _config(CATALOG_DESCRIPTION.format(lang="vi"), CATALOG_DEFAULTS["description_vi"]),
                _config(CATALOG_DESCRIPTION.format(lang="en"), CATALOG_DEFAULTS["description_en"]),
                "description",
            ),
        }
        for predicate, (vi, en, key) in texts.items():
            if catalog_dict.get(key):
                continue
            g.remove((catalog_ref, predicate, None))
            if vi:
                g.add((catalog_ref, predicate, Literal(vi, lang="vi")))
            if en:
                g.add((catalog_ref, predicate, Literal(en, lang="en")))

        if not catalog_dict.get("language"):
            self._drop(catalog_ref, DCT.language)
            for code in CATALOG_LANGUAGES:
                concept = self._concept("languages", code)
                if concept is not None:
                    g.add((catalog_ref, DCT.language, concept))

        if not catalog_dict.get("homepage"):
            g.remove((catalog_ref, FOAF.homepage, None))
            homepage = _config(HOMEPAGE, toolkit.config.get("ckan.site_url") or str(catalog_ref))
            # ckanext-dcat names the catalogue after the site URL, which is also its home
            # page; the page is a foaf:Document, the catalogue is not, so they need two nodes.
            if homepage.rstrip("/") == str(catalog_ref).rstrip("/"):
                homepage = homepage.rstrip("/") + "/"
            g.add((catalog_ref, FOAF.homepage, CleanedURIRef(homepage)))
        for homepage in list(g.objects(catalog_ref, FOAF.homepage)):
            g.add((homepage, RDF.type, FOAF.Document))

        publisher = CleanedURIRef(_config(PUBLISHER_URI, f"{uris.base()}/#publisher"))
        self._drop(catalog_ref, DCT.publisher)
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, RDF.type, FOAF.Organization))
        g.add((publisher, FOAF.name, Literal(_config(PUBLISHER_NAME.format(lang="vi"), CATALOG_DEFAULTS["publisher_vi"]), lang="vi")))
        g.add((publisher, FOAF.name, Literal(_config(PUBLISHER_NAME.format(lang="en"), CATALOG_DEFAULTS["publisher_en"]), lang="en")))
        if _config(PUBLISHER_EMAIL):
            g.add((publisher, FOAF.mbox, URIRef(self._add_mailto(_config(PUBLISHER_EMAIL)))))
        if _config(PUBLISHER_HOMEPAGE):
            g.add((publisher, FOAF.homepage, CleanedURIRef(_config(PUBLISHER_HOMEPAGE))))
        agency_type = self._agency_type(_config(PUBLISHER_AGENCY_TYPE, CATALOG_DEFAULTS["publisher_agency_type"]))
        if agency_type is not None:
            g.add((publisher, DCT.type, agency_type))

        themes = vocabularies.terms("themes")
        if themes and themes[0].uri:
            taxonomy = URIRef(uris.scheme_of(themes[0].uri))
            g.add((catalog_ref, DCAT.themeTaxonomy, taxonomy))
            g.add((taxonomy, RDF.type, SKOS.ConceptScheme))
            g.add((taxonomy, DCT.title, Literal("Bộ chủ đề dữ liệu của Liên minh châu Âu", lang="vi")))

        province = self._place(places.PROVINCE_CODE)
        if province is not None:
            g.add((catalog_ref, DCT.spatial, province))
