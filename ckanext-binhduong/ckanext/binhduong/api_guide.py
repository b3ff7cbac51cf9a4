"""The API guide (/huong-dan-api): its examples are data (api_guide.yaml); this module loads
them, fills their placeholders and renders each as a shell `curl` command. The page and
tests/e2e/test_api_guide.py both use it, so the commands shown are the commands tested.

Nothing here needs CKAN except `page_context`, which the view calls during a request."""
from __future__ import annotations

import functools
import json
import pathlib
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import yaml

__all__ = [
    "GUIDE_FILE", "TOKEN_VARIABLE", "Example", "Guide", "Lookup",
    "load", "fill", "resolve", "curl", "page_context",
]

GUIDE_FILE = pathlib.Path(__file__).with_name("api_guide.yaml")
TOKEN_VARIABLE = "CKAN_API_TOKEN"
LANGUAGES = ("vi", "en")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Lookup:
    """A value found at render/run time: the id of a resource, by dataset and resource name."""
    placeholder: str
    dataset: str
    resource: str


@dataclass(frozen=True)
class Example:
    id: str
    section: str
    title: dict
    explanation: dict
    response: dict
    method: str
    path: str
    params: dict = field(default_factory=dict)
    body: Optional[dict] = None
    auth: bool = False
    status: int = 200

    @property
    def placeholders(self) -> set[str]:
        text = json.dumps([self.path, self.params, self.body], ensure_ascii=False)
        return set(PLACEHOLDER.findall(text))

    @property
    def is_api(self) -> bool:
        return "/api/3/action/" in self.path

    @property
    def action(self) -> Optional[str]:
        return self.path.rsplit("/", 1)[-1] if self.is_api else None


@dataclass(frozen=True)
class Section:
    id: str
    title: dict
    intro: dict
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Guide:
    sections: tuple[Section, ...]
    lookups: tuple[Lookup, ...]

    @property
    def examples(self) -> tuple[Example, ...]:
        return tuple(example for section in self.sections for example in section.examples)

    def example(self, example_id: str) -> Example:
        return next(example for example in self.examples if example.id == example_id)


def _texts(raw: dict, where: str) -> dict:
    # Exactly one non-empty text per language (a comma in a YAML flow mapping would
    # otherwise split a title into extra keys without an error).
    if not isinstance(raw, dict) or set(raw) != set(LANGUAGES) or \
            not all(isinstance(raw[lang], str) and raw[lang].strip() for lang in LANGUAGES):
        raise ValueError(f"{GUIDE_FILE.name}: {where} needs exactly a vi and an en text, got {raw!r}")
    return {lang: str(raw[lang]).strip() for lang in LANGUAGES}


def _example(raw: dict, section: str) -> Example:
    where = f"example {raw.get('id')!r}"
    method = raw["method"].upper()
    params = {str(key): str(value) for key, value in (raw.get("params") or {}).items()}
    body = raw.get("body")
    if method not in ("GET", "POST"):
        raise ValueError(f"{where}: method must be GET or POST")
    if (method == "GET") != (body is None):
        raise ValueError(f"{where}: GET examples take params, POST examples a JSON body")
    return Example(
        id=raw["id"], section=section, method=method, path=raw["path"], params=params, body=body,
        title=_texts(raw["title"], f"{where} title"),
        explanation=_texts(raw["explanation"], f"{where} explanation"),
        response=_texts(raw["response"], f"{where} response"),
        auth=bool(raw.get("auth", False)), status=int(raw.get("status", 200)),
    )


@functools.lru_cache(maxsize=1)
def load() -> Guide:
    raw = yaml.safe_load(GUIDE_FILE.read_text(encoding="utf-8"))
    lookups = tuple(Lookup(name, spec["dataset"], spec["resource"]) for name, spec in raw["lookups"].items())
    sections = tuple(
        Section(id=section["id"], title=_texts(section["title"], f"section {section['id']!r}"),
                intro=_texts(section["intro"], f"section {section['id']!r} intro"),
                examples=tuple(_example(example, section["id"]) for example in section["examples"]))
        for section in raw["sections"])
    guide = Guide(sections=sections, lookups=lookups)
    ids = [example.id for example in guide.examples] + [section.id for section in sections]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{GUIDE_FILE.name}: section and example ids must be unique")
    known = {lookup.placeholder for lookup in lookups}
    for example in guide.examples:
        if example.placeholders - known:
            raise ValueError(f"example {example.id!r}: unknown placeholders {example.placeholders - known}")
    return guide


def fill(value: Any, values: dict[str, str]) -> Any:
    """`value` (a string, or lists and dicts of them) with its placeholders replaced; a
    placeholder without a value is left as it is."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), value)
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


def resolve(guide: Guide, show_dataset: Callable[[str], Optional[dict]]) -> dict[str, str]:
    """The placeholders' values, found with `show_dataset` (a dataset name to its package_show
    result, or None). A lookup that finds nothing is left out."""
    values = {}
    for lookup in guide.lookups:
        dataset = show_dataset(lookup.dataset) or {}
        ids = [resource["id"] for resource in dataset.get("resources", []) if resource.get("name") == lookup.resource]
        if ids:
            values[lookup.placeholder] = ids[0]
    return values


def curl(example: Example, base_url: str, values: dict[str, str], token_header: str = "Authorization") -> str:
    """The example as a shell command (bash/zsh), with its placeholders filled."""
    url = base_url.rstrip("/") + example.path
    lines = [f"curl -G {shlex.quote(url)}" if example.params else f"curl {shlex.quote(url)}"]
    for key, value in fill(example.params, values).items():
        lines.append(f"--data-urlencode {shlex.quote(f'{key}={value}')}")
    if example.auth:
        # Double quotes: the shell puts the token in from the environment.
        lines.append(f'-H "{token_header}: ${TOKEN_VARIABLE}"')
    if example.body is not None:
        body = _json_lines(fill(example.body, values))
        lines.append("-H 'Content-Type: application/json'")
        lines.append("--data-binary @- <<'JSON'")
        return " \\\n  ".join(lines) + "\n" + body + "\nJSON"
    return " \\\n  ".join(lines)


def _json_lines(body: dict) -> str:
    """A JSON object with one member a line, each value kept on its line: easy to read and
    to edit in a terminal."""
    members = [f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
               for key, value in body.items()]
    return "{\n" + ",\n".join(members) + "\n}"


def _text(texts: dict, lang: str) -> str:
    return texts.get(lang) or texts["vi"]


def page_context(lang: str) -> dict:
    """What the page template needs, in `lang`; resolves the placeholders through the Action
    API as the visiting user (the datasets named are public)."""
    import ckan.plugins.toolkit as toolkit

    def show_dataset(name: str) -> Optional[dict]:
        try:
            return toolkit.get_action("package_show")({}, {"id": name})
        except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
            return None

    config = toolkit.config
    guide = load()
    values = resolve(guide, show_dataset)
    base_url = config.get("ckan.site_url").rstrip("/")
    token_header = config.get("apitoken_header_name") or "Authorization"
    sections = [{
        "id": section.id,
        "title": _text(section.title, lang),
        "intro": _text(section.intro, lang),
        "examples": [{
            "id": example.id,
            "title": _text(example.title, lang),
            "explanation": _text(example.explanation, lang),
            "response": _text(example.response, lang),
            "method": example.method,
            "path": example.path,
            "action": example.action,
            "auth": example.auth,
            "status": example.status,
            "curl": curl(example, base_url, values, token_header),
            "unresolved": [lookup for lookup in guide.lookups
                           if lookup.placeholder in example.placeholders - set(values)],
        } for example in section.examples],
    } for section in guide.sections]
    return {
        "sections": sections,
        "base_url": base_url,
        "token_header": token_header,
        "token_variable": TOKEN_VARIABLE,
        "limits": {
            "search_rows_max": config.get("ckan.search.rows_max"),
            "datastore_rows_default": config.get("ckan.datastore.search.rows_default"),
            "datastore_rows_max": config.get("ckan.datastore.search.rows_max"),
            "dcat_per_page": config.get("ckanext.dcat.datasets_per_page"),
        },
        "sql_enabled": toolkit.asbool(config.get("ckan.datastore.sqlsearch.enabled")),
        "cors": {
            "allow_all": toolkit.asbool(config.get("ckan.cors.origin_allow_all")),
            "whitelist": list(config.get("ckan.cors.origin_whitelist") or []),
        },
    }
