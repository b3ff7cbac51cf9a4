"""ckanext-harvest's action and auth registries, made the same in every process.

Its plugin collects both with ``_get_logic_functions(module_root, logic_functions={})``: the
mutable default is one dict shared by both calls, so whichever registry CKAN builds second
also receives the functions of the first. Depending on that order, a process had auth
functions registered as actions (``auth_allow_anonymous_access`` callable over the API) or
actions registered as auth functions (``harvest_log_list``'s "auth" was the action itself, and
without it the action answered 500). ``fix_registries`` replaces the collector with one that
starts from an empty dict on each call, before CKAN builds either registry; the auth fixes of
logic/third_party_auth.py then rely on the same functions everywhere.
"""
from __future__ import annotations

__all__ = ["fix_registries"]


def _logic_functions(module_root: str, logic_functions: dict | None = None) -> dict:
    functions = {} if logic_functions is None else logic_functions
    for module_name in ("get", "create", "update", "patch", "delete"):
        module_path = f"{module_root}.{module_name}"
        module = __import__(module_path, fromlist=["_"])
        for key, value in vars(module).items():
            if not key.startswith("_") and callable(value) and getattr(value, "__module__", None) == module_path:
                functions[key] = value
    return functions


def fix_registries() -> None:
    try:
        from ckanext.harvest import plugin
    except ImportError:
        return
    plugin._get_logic_functions = _logic_functions
