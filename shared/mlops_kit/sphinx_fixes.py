"""A Sphinx extension the book loads (see _config.yml): fixes for the Jupyter Book 1 stack.

sphinx-thebe adds its configuration script once per `env-before-read-docs` event, which
Jupyter Book fires more than once, so every page declared `const THEBE_JS_URL` twice and
the browser raised "Identifier 'THEBE_JS_URL' has already been declared". Keeping the
first of each identical script fixes it (the headless-browser test catches a regression).
"""


def script_key(script) -> tuple:
    """What a script tag is made of: inline scripts have no file (None or "", both seen)."""
    if isinstance(script, str):  # old-style entries are plain file names
        return (script, ())
    return (script.filename or None, tuple(sorted(script.attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=999)  # after the themes add theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
