"""Sphinx configuration of sknn's documentation.

Build it from the repository's root with::

    pip install ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network. Links to the documentation of Python, numpy,
scipy and scikit-learn come from intersphinx, which downloads those projects'
inventories, so it is switched on only when ``SKNN_DOCS_INTERSPHINX=1`` is
set; without it, references to scikit-learn's glossary and API still become
links (see ``sphinxext/sknn_links.py``) and the other ones plain text.
"""

import os
import sys
import warnings
from pathlib import Path

from threadpoolctl import threadpool_limits

import sknn

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))

project = "sknn"
author = "the sknn developers"
copyright = "the sknn developers"  # noqa: A001 (Sphinx's name for it)
version = release = sknn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.extlinks",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    # MathJax shipped with the site, so formulas render without a network.
    "sphinx-mathjax-offline",
    "sknn_links",
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]
default_role = "literal"
root_doc = "index"

# -- API reference -----------------------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
# numpydoc lists a class's methods itself; autosummary's class template
# documents them, so the list would be a second copy.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
add_module_names = False
toc_object_entries_show_parents = "hide"  # "fit()", not "Class.fit()"


def _skip_routing_methods(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods scikit-learn adds to every
    estimator for metadata routing: they are scikit-learn's, documented
    there, and their docstrings point into scikit-learn's own guide."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_routing_methods)


# -- Links to other projects -------------------------------------------------

extlinks = {"arxiv": ("https://arxiv.org/abs/%s", "arXiv:%s")}

intersphinx_mapping = {}
if os.environ.get("SKNN_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
        "dask": ("https://docs.dask.org/en/stable", None),
    }

# -- Figures -----------------------------------------------------------------

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.autolayout": True}
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\n"

# -- Gallery -----------------------------------------------------------------

# The gallery and the figures run in this process. One BLAS thread makes
# their timings comparable from one build to the next (the benchmarks run
# the same way) and keeps a build on a busy two-core machine from stalling
# on threads that wait for each other.
threadpool_limits(limits=1)

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "within_subsection_order": "gallery_order.TeachingOrder",
    "doc_module": ("sknn",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sknn": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "matplotlib_animations": False,
}

# The examples silence the warnings they expect; anything else they raise
# should be seen, but matplotlib's backend notice under Agg is not news.
warnings.filterwarnings(
    "ignore", message="FigureCanvasAgg is non-interactive", category=UserWarning
)

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_static_path = ["_static"]
html_css_files = ["sknn.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": []}
html_show_sourcelink = False
