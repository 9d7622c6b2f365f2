"""Sphinx glue that keeps the built book free of network requests (see README).

* Drops sphinx-thebe's loader scripts (jupyter-book always adds sphinx-thebe; the book
  does not use Thebe, and its loader points at a CDN).
* Loads the vendored MathJax (``_vendor/mathjax``) only the way sphinx.ext.mathjax does
  (deferred, on pages with math): jupyter-book also lists every static ``*.js`` in
  ``html_js_files``, which would load it a second time on every page.
* Drops the saved ipywidgets state that myst-nb embeds in each page: the site shows the
  live figures' precomputed HTML twins (optlib.interactive), and the state (a copy of the
  kernel's last image) would only make pages heavier.
"""


def _keep(js) -> bool:
    name = str(getattr(js, "filename", "") or "")
    attrs = getattr(js, "attributes", {}) or {}
    body = str(attrs.get("body", ""))
    if name.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body:
        return False
    if name.startswith("_static/mathjax/") and not (attrs.get("defer") or attrs.get("async")):
        return False
    if attrs.get("type") == "application/vnd.jupyter.widget-state+json":
        return False
    if name.startswith(("http://", "https://", "//")):
        return False          # never load a script from another host
    return True


def _filter_scripts(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [js for js in context["script_files"] if _keep(js)]


def setup(app):
    app.connect("html-page-context", _filter_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
