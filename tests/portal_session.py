"""Browser-like sessions on the running portal: the login form with its CSRF token, as the
end-to-end and security tests log a person in."""
from __future__ import annotations

import requests
from bs4 import BeautifulSoup


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on the page."""
    field = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "_csrf_token"})
    assert field is not None, "the page has no CSRF token"
    return field["value"]


def log_in(portal_url: str, name: str, password: str) -> requests.Session:
    """A browser-like session, logged in through the login form (CSRF token included)."""
    session = requests.Session()
    form = session.get(f"{portal_url}/user/login", timeout=30)
    response = session.post(f"{portal_url}/user/login", timeout=30, data={
        "_csrf_token": csrf_token(form.text), "login": name, "password": password})
    assert response.status_code == 200, response.status_code
    assert session.get(f"{portal_url}/dashboard/datasets", timeout=30, allow_redirects=False).status_code == 200, \
        f"the login form did not log {name} in"
    return session


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """What a browser would submit from the form as served (its CSRF token included)."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    assert form is not None, f"no form #{form_id}"
    fields = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name, kind = field.get("name"), field.get("type", "")
        if not name or kind in ("file", "submit") or (kind in ("checkbox", "radio") and not field.has_attr("checked")):
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            fields[name] = chosen.get("value", chosen.text) if chosen else ""
        elif field.name == "textarea":
            fields[name] = field.text
        else:
            fields[name] = field.get("value", "")
    return fields
