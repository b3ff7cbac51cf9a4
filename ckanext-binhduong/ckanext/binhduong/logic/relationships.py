"""Dataset relationships: CKAN 2.12 commits and closes the session before it reads the
relationship it returns, so updating a relationship (or creating one that exists) answers 500
after the change is saved (DetachedInstanceError). The actions run here with the commit
deferred, and the commit follows once the answer is built."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as toolkit

__all__ = ["package_relationship_create", "package_relationship_update"]


def _then_commit(up_func, context, data_dict):
    deferred = context.get("defer_commit")
    context["defer_commit"] = True
    try:
        result = up_func(context, data_dict)
    finally:
        context["defer_commit"] = deferred
    if not deferred:
        model.repo.commit()
    return result


@toolkit.chained_action
def package_relationship_create(up_func, context, data_dict):
    """CKAN's ``package_relationship_create``, committed after its answer is built."""
    return _then_commit(up_func, context, data_dict)


@toolkit.chained_action
def package_relationship_update(up_func, context, data_dict):
    """CKAN's ``package_relationship_update``, committed after its answer is built."""
    return _then_commit(up_func, context, data_dict)
