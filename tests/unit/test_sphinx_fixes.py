from sphinx.builders.html._assets import _JavaScript

from mlops_kit.sphinx_fixes import drop_duplicate_scripts


def test_identical_inline_scripts_are_kept_once_whatever_their_empty_file_name():
    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("", body="const A = 1"),
               _JavaScript(None, body="const B = 2"), _JavaScript("theme.js"), "old-style.js", "other.js"]
    context = {"script_files": scripts}
    drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[2], scripts[3], "old-style.js", "other.js"]
