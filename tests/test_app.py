"""`greatgame app` in a real browser: Debian's chromium driven by Playwright.

The server is started once for this module (`greatgame app abe_2015 --port FREE`, in its own
process group, in a temporary folder) and always stopped in the fixture's teardown. The
tests run in order on one page, as a user would: look, step, play and pause, switch an
initiative off and reset, move a slider, type a bad scenario, save the run. Every test
checks that the page raised no error and that no request failed (offline: nothing may be
fetched from a CDN). Screenshots go to the temporary folder; with GREATGAME_UPDATE_SCREENSHOT=1
the README's docs/app.png is written from this harness too.

Marked ``browser``: `make test` runs them, `pytest -m "not browser"` skips them. Without
chromium (or Playwright) they fail with a message saying how to install it; set
GREATGAME_SKIP_BROWSER=1 to skip them instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPUBLICS = ("Kazakhstan", "Uzbekistan", "Turkmenistan", "Kyrgyzstan", "Tajikistan")
WAIT = 90_000  # ms: the machine may be busy; a step redraws four figures
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-gpu"]
ROOT = Path(__file__).resolve().parents[1]


def _need_browser():
    if os.environ.get("GREATGAME_SKIP_BROWSER") == "1":
        pytest.skip("GREATGAME_SKIP_BROWSER=1")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("the browser tests need Debian's chromium: apt-get install -y chromium (.ci/run does it on CI); "
                    "set GREATGAME_SKIP_BROWSER=1 to skip them", pytrace=False)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install -e '.[dev]' (make test installs it)",
                    pytrace=False)
    return chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _need_browser()
    where = tmp_path_factory.mktemp("app")
    port = _free_port()
    log = open(where / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "greatgame.cli", "app", "abe_2015", "--port", str(port)],
                            cwd=where, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app stopped (exit {proc.returncode}): {(where / 'server.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the app did not listen on port {port} within 180 s")
                time.sleep(0.5)
        yield {"url": f"http://127.0.0.1:{port}/", "dir": where, "proc": proc}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_need_browser(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1150})
            page.set_default_timeout(WAIT)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
            page.goto(server["url"])
            page.wait_for_selector(".greatgame-date")
            yield page, problems
        finally:
            browser.close()


@pytest.fixture
def page(browser_page, tmp_path):
    page, problems = browser_page
    yield page
    page.screenshot(path=tmp_path / "page.png", full_page=True)
    assert problems == [], problems


def quarter(page) -> int:
    text = page.inner_text(".greatgame-date")
    return int(text.split("quarter ")[1].split(" of")[0])


def wait_quarter(page, q: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".greatgame-date")).to_contain_text(f"quarter {q} of", timeout=WAIT)


def image(page, css: str) -> bytes:
    return page.locator(f"img.{css}").screenshot()


def wait_changed(page, css: str, before: bytes) -> bytes:
    """The figure's pixels once they differ from ``before`` (the browser loads the new image
    after the text has changed)."""
    deadline = time.monotonic() + WAIT / 1000
    while True:
        now = image(page, css)
        if now != before:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"the {css} figure did not change")
        time.sleep(0.5)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_page_shows_every_panel_with_the_five_republics(page):
    from playwright.sync_api import expect

    for css in ("greatgame-alignment", "greatgame-network", "greatgame-channels"):
        expect(page.locator(f"img.{css}")).to_be_visible()
        assert len(image(page, css)) > 1000
    forums = page.inner_text(".greatgame-forums")
    assert all(r in forums for r in REPUBLICS)
    assert "Shanghai Cooperation Organisation" in forums
    assert quarter(page) == 0
    assert "without japan_2015_tour" in page.inner_text(".greatgame-card >> nth=0")
    # the sliders say what they are: unit and source or assumption
    expect(page.get_by_role("slider", name="κ autonomy cost (utility per unit of influence share above d0) "
                                           "[default, justified]")).to_have_count(1)
    expect(page.get_by_role("slider", name="Japan loans (US$ bn a year) [assumption]")).to_have_count(1)


def test_step_and_play_pause_move_the_model_and_the_figures(page):
    before = {css: image(page, css) for css in ("greatgame-alignment", "greatgame-network")}
    click(page, "Step")
    wait_quarter(page, 1)
    for css, png in before.items():
        wait_changed(page, css, png)
    events = page.inner_text(".greatgame-events")
    assert "2015-Q4" in events and "japan_2015_tour" in events  # the tour's dated pledges, as they happen
    click(page, "▶")
    from playwright.sync_api import expect

    expect(page.locator(".greatgame-date")).not_to_contain_text("quarter 1 of", timeout=WAIT)
    click(page, "❚❚")
    expect(page.get_by_role("button", name="▶", exact=True)).to_be_visible()
    # paused: the quarter stops moving (a step under way when Pause was pressed may still land)
    deadline = time.monotonic() + WAIT / 1000
    last = quarter(page)
    while True:
        time.sleep(4)
        now = quarter(page)
        if now == last:
            break
        assert time.monotonic() < deadline, "the model kept stepping after Pause"
        last = now
    assert last >= 2


def test_switching_an_initiative_off_and_reset(page):
    from playwright.sync_api import expect

    page.get_by_text("Initiative japan_2015_tour (japan)", exact=True).click()
    click(page, "Reset")
    wait_quarter(page, 0)
    state = page.locator(".greatgame-card >> nth=0")
    expect(state).to_contain_text("--set initiatives.japan_2015_tour.enabled=false")
    expect(state).to_contain_text("no initiative of japan is switched on: no counterfactual")
    click(page, "Step")
    wait_quarter(page, 1)
    events = page.inner_text(".greatgame-events")
    assert "japan_2015_tour" not in events


def test_a_slider_changes_the_run_and_its_figures(page):
    from playwright.sync_api import expect

    click(page, "Reset")
    wait_quarter(page, 0)
    for _ in range(2):
        click(page, "Step")
    wait_quarter(page, 2)
    time.sleep(1)
    as_was = image(page, "greatgame-alignment")
    slider = page.get_by_role("slider", name="κ autonomy cost (utility per unit of influence share above d0) "
                                            "[default, justified]")
    slider.focus()
    page.keyboard.press("End")
    expect(slider).to_have_attribute("aria-valuenow", "5")
    click(page, "Reset")
    expect(page.locator(".greatgame-card >> nth=0")).to_contain_text("parameters.autonomy_cost=5.0")
    wait_quarter(page, 0)
    for _ in range(2):
        click(page, "Step")
    wait_quarter(page, 2)
    wait_changed(page, "greatgame-alignment", as_was)  # same quarter, other κ: other alignment


def test_a_bad_scenario_gets_one_line_in_the_page_and_the_app_goes_on(page, capsys):
    from playwright.sync_api import expect

    from greatgame.cli import main

    assert main(["validate", "no/such_scenario.yaml"]) == 1
    cli_line = capsys.readouterr().err.strip()
    box = page.get_by_label("…or a scenario file (path; replaces the choice above)")
    box.fill("no/such_scenario.yaml")
    box.press("Enter")
    click(page, "Reset")
    expect(page.locator(".greatgame-error")).to_have_text(cli_line)
    box.fill("")
    box.press("Enter")
    click(page, "Reset")
    wait_quarter(page, 0)  # back to a run: the server kept going
    expect(page.locator(".greatgame-error")).to_have_count(0)


def test_save_this_run_writes_a_folder_that_load_results_reads(page, server, tmp_path):
    from playwright.sync_api import expect

    from greatgame.analysis import load_results, plots

    click(page, "Step")
    wait_quarter(page, 1)
    out = tmp_path / "saved"
    folder = page.get_by_label("Save into folder")
    folder.fill(str(out))
    folder.press("Enter")
    click(page, "Save this run")
    expect(page.locator(".greatgame-saved")).to_contain_text(f"Saved {out}/")
    res = load_results(out)
    assert {"actors", "model", "events"} <= set(res.tables)
    assert res.manifest["scenario"] == "abe_2015"
    assert "parameters.autonomy_cost=5.0" in res.manifest["overrides"]
    assert res.manifest["command"][:2] == ["greatgame", "run"]
    assert sorted(res.actors.loc[res.actors["kind"] == "republic", "actor"].unique()) == sorted(
        r.lower() for r in REPUBLICS)
    assert plots.supported(plots.open_folder(out)) == ["trajectories", "network", "alignment", "wedge"]


def test_readme_screenshot(page, server, tmp_path):
    """docs/app.png, the README's picture of the page, is made here (GREATGAME_UPDATE_SCREENSHOT=1):
    a second tab, so a session of its own, as the page starts."""
    problems: list[str] = []
    fresh = page.context.browser.new_page(viewport={"width": 1500, "height": 1150})
    try:
        fresh.set_default_timeout(WAIT)
        fresh.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        fresh.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
        fresh.goto(server["url"])
        fresh.wait_for_selector(".greatgame-date")
        wait_quarter(fresh, 0)
        assert "--set" not in fresh.inner_text(".greatgame-card >> nth=0")  # no slider moved by itself
        for q in range(1, 9):
            click(fresh, "Step")
            wait_quarter(fresh, q)
        time.sleep(2)
        shot = tmp_path / "app.png"
        fresh.screenshot(path=shot)
    finally:
        fresh.close()
    assert problems == [], problems
    assert shot.stat().st_size > 50_000
    if os.environ.get("GREATGAME_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "app.png")
