"""pyx12's validator over an 837P: the errors it finds, as plain strings."""

import json
import logging
from io import StringIO

import pyx12.params
import pyx12.x12n_document


def x12_errors(text: str) -> list[str]:
    logging.getLogger("pyx12").addHandler(logging.NullHandler())
    logging.getLogger("pyx12").propagate = False
    found = StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), StringIO(text), StringIO(), None, fd_json=found
    )
    errors = list(_walk(json.loads(found.getvalue() or "{}")))
    if not valid and not errors:
        errors.append("pyx12 found the document invalid")
    return errors


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("errors", "errs") and value:
                for error in value:
                    yield f"{path}: {error}"
            else:
                yield from _walk(value, f"{path}/{node.get('id', key)}" if key != "id" else path)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, path)
