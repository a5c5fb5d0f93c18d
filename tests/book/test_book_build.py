"""The book builds strictly (-W: any warning fails) and offline, and shows what it should."""

import re
from pathlib import Path

import pytest

from mlops_kit.workshop_run import build_book

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    built, log = build_book(ROOT, out)
    assert built, log.read_text()[-6000:]
    return out / "_build" / "html"


def page(site, relative):
    return (site / relative).read_text(encoding="utf-8")


def test_intro_renders_the_architecture_diagram(site):
    html = page(site, "book/intro.html")
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert images, "the architecture diagram was not rendered"
    assert (site / "book" / images[0]).resolve().stat().st_size > 10_000


def test_every_chapter_of_the_toc_is_built(site):
    for relative in ["index.html", "book/setup.html", "book/instructors.html",
                     "book/lab0-getting-started.html", "solutions/lab0-getting-started.html",
                     "book/lab1-experimentation.html", "solutions/lab1-experimentation.html"]:
        assert (site / relative).is_file(), relative


def test_lab0_solution_page_shows_its_committed_outputs(site):
    html = page(site, "solutions/lab0-getting-started.html")
    assert re.search(r"test AUC: 0\.\d{3}", html)
    assert "lab0.split" in html and "points" in html
    assert html.count("<img") >= 3  # class balance, ROC curve, confusion matrix


def test_lab2_chapter_shows_the_pipeline_graph_and_its_solution_page_is_built(site):
    html = page(site, "book/lab2-pipeline.html")
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert images, "the pipeline graph was not rendered"
    assert (site / "book" / images[0]).resolve().stat().st_size > 10_000
    assert "CheckAucCreditEvaluation" in html and "lab2.fail_path" in html
    assert "lab2.approve" in page(site, "solutions/lab2-pipeline.html")


def test_lab4_chapter_and_solution_page_show_the_violations_and_distributions(site):
    assert "output_columns_position" in page(site, "book/lab4-monitoring.html")
    html = page(site, "solutions/lab4-monitoring.html")
    assert "baseline_drift_check" in html and "data_type_check" in html and "lab4.scenarios" in html
    assert html.count("<img") >= 2  # baseline vs current distributions, AGE drift hour by hour


def test_no_page_or_file_of_the_site_gives_the_solution_markers_away(site):
    leaks = [path.relative_to(site) for path in site.rglob("*") if path.is_file()
             and path.suffix in {".html", ".ipynb", ".txt", ".md", ".js"}
             and "BEGIN SOLUTION" in path.read_text(encoding="utf-8", errors="replace")]
    assert leaks == []


def test_solution_pages_show_exercises_with_the_answer_in_a_closed_dropdown(site):
    html = page(site, "solutions/lab3-cicd.html")
    assert "NotImplementedError" in html and "# TODO: sm.update_model_package" in html
    dropdowns = re.findall(r'<details class="sd-sphinx-override sd-dropdown[^"]*"(?![^>]*\bopen\b)', html)
    assert len(dropdowns) == html.count("Solution</span>") >= 4
    assert "put_approval_result" in html  # the answer is there, folded


@pytest.mark.parametrize("lab", ["lab0-getting-started", "lab2-pipeline", "lab3-cicd"])
def test_the_download_button_of_a_solution_page_gives_the_learners_lab(site, lab):
    html = page(site, f"solutions/{lab}.html")
    assert f"_sources/solutions/{lab}.ipynb" in html
    downloaded = (site / "_sources" / "solutions" / f"{lab}.ipynb").read_bytes()
    assert downloaded == (ROOT / "labs" / f"{lab}.ipynb").read_bytes()
