import json
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from bd_factories import valid_dataset
from ckanext.dcat.processors import RDFSerializer

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

def test_explore():
    sysadmin = factories.Sysadmin()
    org = factories.Organization(agency_type="department", agency_code="000.00.16.H57", website="https://stttt.binhduong.gov.vn", email="stttt@binhduong.gov.vn")
    ctx = {"user": sysadmin["name"]}
    d = call_action("package_create", context=dict(ctx), **valid_dataset(org["id"],
        theme=["TECH", "ECON"], tag_string="viễn thông,hạ tầng số", spatial_units=["718", "2025/25750"],
        temporal_start="2020-01-01", temporal_end="2024-12-31", legal_basis=[{"number": "47/2020/NĐ-CP", "date": "2020-04-09", "title": "Nghị định", "url": "https://vbpl.vn/x"}],
        language=["vi", "en"], version="1.0", conforms_to=["https://example.org/std"], url="https://stttt.binhduong.gov.vn/bts",
        provenance="Từ hệ thống X", maintainer="Nguyễn Văn A", maintainer_email="a@binhduong.gov.vn", modified="2024-06-01",
        resources=[{"url": "https://example.org/bts.csv", "name": "BTS", "format": "CSV", "mimetype": "text/csv", "size": 123, "hash": "ab"*32, "language": "vi", "status": "COMPLETED"}]))
    print(json.dumps(d, ensure_ascii=False, indent=1))
    s = RDFSerializer(profiles=["euro_dcat_ap_3"])
    print(s.serialize_catalog({}, [d], _format="ttl"))
    assert 0
