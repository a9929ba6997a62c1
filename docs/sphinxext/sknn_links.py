"""Links to scikit-learn, numpy and scipy that need no network at build time.

sknn's docstrings refer to scikit-learn's glossary (``:term:`random_state```)
and name scikit-learn, numpy and scipy objects. Intersphinx resolves those
from inventories it downloads; when it is off, or has no entry, this
extension links them by the URL pattern of those projects' API pages: each
public class or function of theirs has a page named after its full dotted
name. A name that does not import stays plain text.
"""

import importlib
import inspect
import re

from docutils import nodes

GLOSSARY = "https://scikit-learn.org/stable/glossary.html#term-{}"

# project prefix -> (page of a class or function, page of a module)
API_PAGES = {
    "sklearn": (
        "https://scikit-learn.org/stable/modules/generated/{}.html",
        "https://scikit-learn.org/stable/api/{}.html",
    ),
    "numpy": ("https://numpy.org/doc/stable/reference/generated/{}.html", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/reference/generated/{}.html", None),
}


def _locate(target):
    """Return (page name, anchor or None, is_module) for a dotted name, or None."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        owner, rest = target if cut == len(parts) else None, parts[cut:]
        if not rest:
            return target, None, True
        page = ".".join(parts[:cut])
        for name in rest:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
            if owner is None and (inspect.isclass(obj) or inspect.isroutine(obj)):
                page = f"{page}.{name}"
                owner = obj
                if not inspect.isclass(obj):
                    break
        return (page, None if page == target else target, False)
    return None


def _url(target):
    prefix = target.split(".", 1)[0]
    if prefix not in API_PAGES:
        return None
    located = _locate(target)
    if located is None:
        return None
    page, anchor, is_module = located
    object_page, module_page = API_PAGES[prefix]
    pattern = module_page if is_module else object_page
    if pattern is None or (not is_module and page.count(".") == 0):
        return None
    return pattern.format(page) + (f"#{anchor}" if anchor else "")


def resolve(app, env, node, contnode):
    domain, reftype = node.get("refdomain"), node.get("reftype")
    target = node.get("reftarget", "")
    if domain == "std" and reftype == "term":
        # Sphinx's anchor of a glossary term: runs of other characters -> "-".
        url = GLOSSARY.format(re.sub(r"[^A-Za-z0-9._]+", "-", target).strip("-"))
    elif domain == "py":
        url = _url(target.lstrip("~."))
    else:
        return None
    if url is None:
        return None
    link = nodes.reference("", "", internal=False, refuri=url, reftitle=target)
    link.append(contnode)
    return link


def setup(app):
    # After intersphinx (priority 500): only what it left unresolved.
    app.connect("missing-reference", resolve, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
