"""Sphinx configuration for sklearn-zopg."""

import sklearn_zopg

project = "sklearn-zopg"
author = "sklearn-zopg developers"
copyright = "2026, sklearn-zopg developers"
release = sklearn_zopg.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    # MathJax served from the built site itself: the docs build and read
    # offline (sphinx.ext.mathjax alone loads it from a CDN).
    "sphinx-mathjax-offline",
]
templates_path = ["_templates"]
# Markdown (benchmarks/README.md) is included, not a source of its own.
source_suffix = {".rst": "restructuredtext"}
autosummary_generate = True
# Signatures show defaults as written (torch.optim.Adam), not their repr.
autodoc_preserve_defaults = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
# The theme of scikit-learn's and much of its ecosystem's pages: a wide
# content area, a navigation bar, a dark mode; its assets ship with it.
html_theme = "pydata_sphinx_theme"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "ignore_pattern": r"demo\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    # The computation-times pages load jQuery and DataTables from a CDN:
    # left out, so that every page works offline.
    "write_computation_times": False,
}
