"""A reader's path through the built site, in a real (headless) browser."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_the_home_page_shows_the_title_and_the_architecture_diagram(page, site_url):
    page.goto(f"{site_url}/index.html")
    page.wait_for_url(re.compile(r"book/intro\.html"))
    assert "MLOps on Amazon SageMaker" in page.inner_text("h1")
    diagram = page.locator("main img").first
    diagram.scroll_into_view_if_needed()
    assert diagram.evaluate("image => image.complete && image.naturalWidth > 500")
    assert page.problems == []


def test_the_sidebar_leads_to_every_lab_and_its_solution(page, site_url):
    page.goto(f"{site_url}/book/intro.html")
    page.locator("nav.bd-docs-nav").get_by_text("Lab 0: getting started").click()
    assert page.inner_text("h1").strip().startswith("Lab 0: getting started")
    links = page.locator("nav.bd-docs-nav a").evaluate_all(
        "links => links.map(link => [link.textContent.trim(), link.href])")
    labs = [(title, href) for title, href in links if title.startswith("Lab ")]
    assert [title for title, _ in labs][:2] == ["Lab 0: getting started", "Lab 0: a first credit-default model"]
    for title, href in labs:
        page.goto(href)
        assert page.inner_text("h1").strip().startswith(title.split(":")[0]), (title, href)
    assert page.problems == []


def test_a_solution_page_shows_passed_checks_and_figures(page, site_url):
    page.goto(f"{site_url}/solutions/lab0-getting-started.html")
    assert page.get_by_text(re.compile(r"lab0\.split.*3/3 points")).count() >= 1
    images = page.locator("main img")
    assert images.count() >= 3
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
        assert images.nth(index).evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.problems == []


def test_search_finds_the_labs(page, site_url):
    page.goto(f"{site_url}/search.html?q=stratified")
    results = page.locator("ul.search li a")
    results.first.wait_for(timeout=15_000)
    assert any("lab" in href for href in results.evaluate_all("links => links.map(link => link.href)"))
    assert page.problems == []
