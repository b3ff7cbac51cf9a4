"""The dataset and resource forms under bad input, as an agency editor through the real web
forms over HTTP: missing, wrong and extreme values in every field (empty repeating blocks,
very long strings, control characters, bad dates, unknown choices). Never a 500; every form
that comes back holds what was typed, with a Vietnamese message beside the field that does
not repeat the field's name (English under /en/). What the test creates is purged by the
agency_editor fixture."""
from __future__ import annotations

import re
import uuid

import pytest
from bs4 import BeautifulSoup

from portal_session import csrf_token, form_fields

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
LONG = "Dữ liệu rất dài " * 700  # 11,200 characters
CONTROL = "Tên\x01có\x07ký\x1btự\x0cđiều khiển"

# (field, value, kind): kind says what the re-rendered form must show for the field:
#   "text"   the value as typed in the field's input or textarea;
#   "choice" the value named in the field's message (an unknown choice cannot be "selected");
#   "row"    the value in a row of its repeating block (rows are renumbered from 0 when shown);
#   "any"    the rest of the form as typed (the field itself may be normalised or refused).
DATASET_CASES = [
    ("title", "", "any"), ("title", "   ", "any"), ("title", LONG, "text"), ("title", CONTROL, "any"),
    ("title", "<script>alert('x')</script>", "text"),
    ("name", "Tên Có Dấu!", "text"), ("name", "a" * 300, "text"), ("name", "--", "text"),
    ("notes", "", "any"), ("notes", "x" * 25000, "text"), ("notes", CONTROL, "any"),
    ("author", "", "any"), ("author", LONG, "text"), ("author", "\t\r\n", "any"),
    ("issued", "", "any"), ("issued", "31/02/2024", "text"), ("issued", "hôm qua", "text"),
    ("issued", "2024-13-45", "text"), ("issued", "99/99/9999", "text"), ("issued", "0000-00-00", "text"),
    ("issued", "1/1/1", "text"), ("issued", "9" * 300, "text"), ("issued", "2024-01-15T25:61:00", "text"),
    ("modified", "01/01/2020", "text"), ("modified", "không rõ", "text"),
    ("temporal_start", "32/01/2024", "text"), ("temporal_end", "01/01/1900", "text"),
    ("temporal_end", "ngày mai", "text"),
    ("theme", "XXXX", "choice"), ("theme", "", "any"), ("theme", "'; DROP TABLE package;--", "choice"),
    ("spatial_units", "99999", "choice"), ("spatial_units", "", "any"), ("spatial_units", "2025/99999", "choice"),
    ("frequency", "HANG-GIO", "choice"), ("frequency", "x" * 500, "any"),
    ("access_rights", "BI-MAT", "choice"), ("access_rights", "", "any"), ("access_rights", "RESTRICTED", "any"),
    ("license_id", "khong-co", "any"), ("license_id", "", "any"), ("license_id", "restricted-decree-47", "any"),
    ("private", "co-le", "any"), ("owner_org", "khong-ton-tai", "any"), ("owner_org", "", "any"),
    ("tag_string", "a," + "b" * 200, "text"), ("tag_string", "!!!,???", "text"), ("tag_string", CONTROL, "any"),
    ("contact-0-name", "", "any"), ("contact-0-email", "khong-phai-email", "text"),
    ("contact-0-email", "a@b", "text"), ("contact-0-email", LONG, "text"), ("contact-0-phone", "abc", "text"),
    ("contact-0-phone", "0" * 80, "text"), ("contact-block", "", "any"), ("contact-sparse", "", "any"),
    ("legal_basis-0-date", "01/01/2020", "text"), ("legal_basis-0-number", "47/2020/NĐ-CP", "text"),
    ("legal_basis-0-url", "javascript:alert(1)", "text"), ("legal_basis-0-date", "năm ngoái", "text"),
    ("legal_basis-3-title", "Hàng thứ tư không có số", "row"),
    ("language", "klingon", "choice"), ("version", "phiên bản một", "text"), ("version", LONG, "text"),
    ("conforms_to", "ftp://x", "any"), ("conforms_to", "không phải đường dẫn", "any"), ("conforms_to", "[" * 3000, "any"),
    ("theme", "[" * 3000, "any"), ("spatial_units", '["74", {"a": 1}]', "any"),
    ("spatial", "not json", "text"), ("spatial", '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}', "text"),
    ("spatial", '{"type": "Point", "coordinates": [500, 500]}', "text"), ("spatial", "[" * 2000, "any"),
    ("url", "javascript:alert(1)", "text"), ("url", "www.binhduong.gov.vn", "text"),
    ("provenance", LONG, "text"), ("maintainer", CONTROL, "any"), ("maintainer_email", "@@", "text"),
    ("everything-empty", "", "any"), ("everything-long", "", "any"),
]

RESOURCE_CASES = [
    ("url", "", "any"), ("url", "javascript:alert(1)", "text"), ("url", "data:text/html,<b>x</b>", "text"),
    ("url", "file:///etc/passwd", "text"), ("url", "http://" + "a" * 3000, "any"), ("url", "không phải link", "text"),
    ("name", "", "any"), ("name", LONG, "text"), ("name", CONTROL, "any"), ("name", "<img src=x onerror=alert(1)>", "text"),
    ("description", "x" * 25000, "text"), ("description", CONTROL, "any"),
    ("format", "KHONG-RO", "any"), ("format", "x" * 400, "any"), ("format", "", "any"),
    ("mimetype", LONG, "any"), ("language", "klingon", "choice"), ("language", "", "any"),
    ("status", "DANG-LAM", "choice"), ("status", "x" * 300, "any"),
    ("size", "mười", "any"), ("size", "-5", "any"), ("license_id", "khong-co", "any"),
    ("upload-empty", "", "any"), ("upload-header-only", "", "any"), ("upload-pdf-named-csv", "", "any"),
    ("name-and-url-empty", "", "any"),
]

observed: list[tuple[str, int]] = []


def _typed_dataset(fields: dict, suffix: str) -> dict:
    typed = {
        "title": f"Bộ dữ liệu đang nhập {suffix}", "name": f"dang-nhap-{suffix}",
        "notes": f"Mô tả đã gõ {suffix}", "author": f"Phòng Dữ liệu {suffix}",
        "contact-0-name": f"Nguyễn Văn {suffix}", "contact-0-email": "dulieu@binhduong.gov.vn",
        "contact-0-phone": "0274 3822 123", "issued": "15/01/2024", "theme": "TECH", "spatial_units": "74",
        "frequency": "ANNUAL", "access_rights": "PUBLIC", "license_id": "CC-BY-4.0", "save": "continue",
    }
    return {**fields, **typed}


def _mutate(fields: dict, field: str, value: str) -> dict:
    fields = dict(fields)
    if field == "contact-block":
        fields.update({"contact-0-name": "", "contact-0-email": "", "contact-0-phone": ""})
    elif field == "contact-sparse":  # a row added then the first removed: only row 4 is sent
        for key in ("name", "email", "phone"):
            fields[f"contact-4-{key}"] = fields.pop(f"contact-0-{key}")
    elif field == "everything-empty":
        fields = {key: ("" if key not in ("_csrf_token", "save", "_ckan_phase", "pkg_name", "owner_org") else val)
                  for key, val in fields.items()}
    elif field == "everything-long":
        fields = {key: (LONG if key not in ("_csrf_token", "save", "_ckan_phase", "pkg_name", "owner_org") else val)
                  for key, val in fields.items()}
    else:
        fields[field] = value
    return fields


def _drop_templates(fields: dict) -> dict:
    """What a browser with JavaScript sends: scheming's script removes the row templates."""
    return {key: value for key, value in fields.items() if "REPEATING" not in key}


def _check_form(response, sent: dict, field: str, value: str, kind: str, form_id: str, english: bool) -> None:
    soup = BeautifulSoup(response.text, "html.parser")
    shown = form_fields(response.text, form_id)
    summary = soup.find(id="bd-form-errors")
    assert summary is not None and "alert" in summary["class"], "no error alert"
    # What was typed in the fields not under test is back, exactly as typed.
    for key in ("title", "notes", "author", "contact-0-name", "name", "description"):
        if key in sent and key != field and key in shown and field not in ("everything-empty", "everything-long"):
            assert shown[key] == sent[key].replace("\r\n", "\n"), f"{key} lost after {field}={value[:30]!r}"
    if kind == "text":
        assert shown.get(field) == value, f"{field}: shown {str(shown.get(field))[:60]!r}, typed {value[:60]!r}"
    if kind == "row":
        block = field.split("-")[0]
        assert value in [shown[key] for key in shown if key.startswith(f"{block}-") and key.endswith(field.split("-")[-1])]
    if kind == "choice":
        assert value in soup.get_text(), f"{field}: the refused value {value!r} is not named"
    messages = [block.get_text(" ", strip=True) for block in soup.select(".form-group.error .error-block")]
    summary_text = summary.get_text(" ", strip=True)
    if english:
        assert "The form could not be saved" in summary_text
    else:
        assert "Chưa lưu được biểu mẫu" in summary_text
        for message in messages:
            assert VIETNAMESE.search(message), f"not Vietnamese: {message!r}"
    for group in soup.select(".form-group.error"):
        label = group.find("label")
        block = group.find(class_="error-block", recursive=True)
        if label is None or block is None:
            continue
        name = label.get_text(" ", strip=True).lstrip("* ").strip()
        assert not block.get_text(strip=True).startswith(f"{name}:"), f"the message repeats its label: {name}"


@pytest.fixture(scope="module")
def dataset_form(portal_url, agency_editor):
    browser = agency_editor["browser"]
    page = browser.get(f"{portal_url}/dataset/new", timeout=60)
    assert page.status_code == 200
    return _drop_templates(form_fields(page.text, "dataset-edit"))


@pytest.mark.parametrize("field,value,kind", DATASET_CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(DATASET_CASES)])
def test_the_dataset_form_never_fails_and_keeps_what_was_typed(portal_url, agency_editor, dataset_form, field, value, kind):
    browser = agency_editor["browser"]
    english = DATASET_CASES.index((field, value, kind)) % 5 == 0
    prefix = f"{portal_url}/en" if english else portal_url
    sent = _mutate(_typed_dataset(dataset_form, uuid.uuid4().hex[:8]), field, value)
    response = browser.post(f"{prefix}/dataset/new", data=sent, timeout=60, allow_redirects=False)
    observed.append((f"dataset {field}={value[:20]!r}", response.status_code))
    assert response.status_code < 500, response.status_code
    if response.status_code == 200:
        _check_form(response, sent, field, value, kind, "dataset-edit", english)
    else:
        # Accepted (a draft waiting for its files), refused outright by the input guard, or (an
        # agency the form never offers) refused by CKAN's authorization.
        # A whole form of 11,000-character values is larger than the portal accepts (413).
        allowed = {"owner_org": (302, 400, 403), "everything-long": (400, 413)}.get(field, (302, 400))
        assert response.status_code in allowed, response.status_code
        if response.status_code == 302:
            assert "/resource/new" in response.headers["Location"]


@pytest.fixture(scope="module")
def draft_dataset(portal_url, agency_editor, dataset_form):
    """A dataset saved by the form's first step, waiting for its files."""
    browser = agency_editor["browser"]
    suffix = uuid.uuid4().hex[:8]
    response = browser.post(f"{portal_url}/dataset/new", data=_typed_dataset(dataset_form, suffix), timeout=60,
                            allow_redirects=False)
    assert response.status_code == 302, response.status_code
    return f"dang-nhap-{suffix}"


UPLOADS = {
    "upload-empty": ("rong.csv", b"", "text/csv"),
    "upload-header-only": ("chi-tieu-de.csv", "ma,ten\n".encode(), "text/csv"),
    "upload-pdf-named-csv": ("gia-mao.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "text/csv"),
}


@pytest.mark.parametrize("field,value,kind", RESOURCE_CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(RESOURCE_CASES)])
def test_the_resource_form_never_fails_and_keeps_what_was_typed(portal_url, agency_editor, draft_dataset, field, value, kind):
    browser = agency_editor["browser"]
    english = RESOURCE_CASES.index((field, value, kind)) % 5 == 0
    prefix = f"{portal_url}/en" if english else portal_url
    page = browser.get(f"{prefix}/dataset/{draft_dataset}/resource/new", timeout=60)
    assert page.status_code == 200, page.status_code
    base = form_fields(page.text, "resource-edit")
    sent = {**base, "url": "https://opendata.binhduong.gov.vn/du-lieu.csv", "name": f"Bảng số liệu {uuid.uuid4().hex[:6]}",
            "description": "Mô tả tài nguyên đã gõ", "format": "CSV", "save": "again"}
    files = None
    if field in UPLOADS:
        sent["url"] = ""
        files = {"upload": UPLOADS[field]}
    elif field == "name-and-url-empty":
        sent.update({"name": "", "url": ""})
    else:
        sent[field] = value
    response = browser.post(f"{prefix}/dataset/{draft_dataset}/resource/new", data=sent, files=files, timeout=60,
                            allow_redirects=False)
    observed.append((f"resource {field}={value[:20]!r}", response.status_code))
    assert response.status_code < 500, response.status_code
    if response.status_code == 200:
        _check_form(response, sent, field, value, kind, "resource-edit", english)
    else:
        assert response.status_code in (302, 400, 409), response.status_code


def test_at_least_a_hundred_submissions_and_no_server_error():
    assert len(observed) >= 100, len(observed)
    assert not [case for case, status in observed if status >= 500]
