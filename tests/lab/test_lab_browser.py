"""The lab's page in a real browser (Debian's Chromium through Playwright) against a real server, at
desktop and phone width, offline: every request that is not to the lab is blocked and recorded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsertools import ARGS, CHROMIUM, MARKS
from labtools import running_lab

pytestmark = MARKS
DOCS = Path(__file__).resolve().parents[2] / "docs"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("lab") / "out", max_running=2) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Page:
    """A page of the lab, offline: anything not served by the lab is aborted and remembered."""

    def __init__(self, browser, url: str, viewport: dict[str, int]) -> None:
        self.page = browser.new_page(viewport=viewport)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                        else (self.blocked.append(route.request.url), route.abort()))
        self.page.goto(url + "/")
        self.page.wait_for_selector("body[data-ready=true]", timeout=30_000)

    def points(self, canvas: str) -> int:
        return int(self.page.get_attribute(canvas, "data-points") or 0)

    def wait_points(self, canvas: str, n: int) -> None:
        """Wait until a chart holds exactly ``n`` points (charts redraw a few times a second)."""
        self.page.wait_for_function(f"() => document.querySelector('{canvas}').dataset.points === '{n}'",
                                    timeout=10_000)

    def rows(self) -> int:
        return self.page.locator("#runs tbody tr").count()

    def set(self, **fields: str) -> None:
        for name, value in fields.items():
            if self.page.locator(f"#f-{name}").evaluate("e => e.tagName") == "SELECT":
                self.page.select_option(f"#f-{name}", value)
            else:
                self.page.fill(f"#f-{name}", value)
        self.page.wait_for_selector("body[data-validating=false]")  # the lab has answered the last change

    def train(self, button: str = "#train", state: str = "done", timeout: float = 60_000) -> None:
        """Press a training button and wait until the job it starts has ended in ``state``."""
        before = self.page.get_attribute("#status", "data-job") or ""
        self.page.click(button)
        self.page.wait_for_selector(f"#status:not([data-job='{before}'])", timeout=timeout)
        job = self.page.get_attribute("#status", "data-job")
        self.page.wait_for_selector(f"#status[data-job='{job}'][data-state={state}]", timeout=timeout)

    def close(self) -> None:
        assert self.blocked == []  # works offline: the page asked for nothing outside the lab
        assert self.errors == []
        self.page.close()


@pytest.fixture
def desktop(browser, lab) -> Iterator[Page]:
    page = Page(browser, lab.url, DESKTOP)
    yield page
    page.close()


def test_knobs_train_live_and_stop(desktop):
    page = desktop.page
    desktop.set(dataset="moons", model="mlp", width="8", depth="1", batch_size="1", epochs="50")
    assert page.inner_text("#arith") == "600 samples / batch size 1 = 600 steps per epoch"
    assert page.inner_text("#total") == "50 epochs x 600 steps = 30000 steps in all"
    page.locator("#lr-slider").fill("-2")  # the log-scale control: 10^-2
    assert page.input_value("#f-lr") == "0.01"
    page.click("#train")
    page.wait_for_selector("#status[data-state=running]")
    page.wait_for_function("() => +document.querySelector('#chart-step').dataset.points > 20")
    first = desktop.points("#chart-step")
    page.wait_for_timeout(600)
    second = desktop.points("#chart-step")
    assert page.get_attribute("#status", "data-state") == "running"
    assert second > first  # the chart grows while the run is still going
    assert int(page.get_attribute("#counters", "data-step")) >= first
    assert "samples seen" in page.inner_text("#counters")
    page.click("#stop")
    page.wait_for_selector("#status[data-state=stopped]", timeout=30_000)
    assert "stopped" in page.inner_text("#runs tbody tr")
    assert desktop.points("#chart-step") < 30_000
    assert page.is_visible("#boundary")  # 2-D data: the decision boundary is drawn
    assert desktop.points("#boundary") == 300


def test_compare_two_runs_and_remove_one(desktop):
    desktop.set(dataset="moons", batch_size="64", epochs="2", width="8", depth="1")
    desktop.train()
    desktop.set(optimizer="sgd", lr="0.5")
    desktop.train()
    assert desktop.rows() == 2
    desktop.wait_points("#chart-step", 40)  # 20 steps of each run on the same chart
    desktop.wait_points("#chart-epoch-loss", 8)  # train and validation loss, 2 epochs, 2 runs
    labels = desktop.page.locator("#runs tbody td.label").all_inner_texts()
    assert "adam" in labels[0] and "sgd · learning rate 0.5 · batch size 64 · epochs 2" in labels[1]
    desktop.page.locator("#runs tbody tr").first.locator("button.remove").click()
    assert desktop.rows() == 1
    desktop.wait_points("#chart-step", 20)


def test_upload_a_csv_as_the_task_chosen_and_a_wrong_label_shows_at_its_field(desktop, tmp_path):
    page = desktop.page
    csv = tmp_path / "counts.csv"
    csv.write_text("a,b,y\n" + "\n".join(f"{i % 7},{(i * 3) % 5},{i % 4}" for i in range(200)) + "\n")
    page.click("details.upload summary")
    page.fill("#f-label", "zz")
    page.set_input_files("#f-upload", str(csv))
    page.wait_for_function("() => document.querySelector('[data-err=label]').textContent !== ''")
    assert page.inner_text("[data-err=label]").startswith("label='zz' is invalid: must be a column of counts.csv")
    assert page.get_attribute("#f-label", "aria-invalid") == "true"
    page.fill("#f-label", "y")
    page.select_option("#f-task", "regression")
    page.set_input_files("#f-upload", [])
    page.set_input_files("#f-upload", str(csv))
    page.wait_for_function("() => document.querySelector('#upload-msg').textContent !== ''")
    assert page.inner_text("#upload-msg") == "uploaded: counts.csv (120 training samples, regression)"
    assert page.inner_text("[data-err=label]") == ""
    page.wait_for_selector("body[data-validating=false]")
    desktop.set(batch_size="16", epochs="1", width="8", depth="1")
    desktop.train()
    assert page.inner_text("#th-metric") == "val R²" and page.inner_text("#metric-caption").startswith("R² per epoch")


def test_upload_with_a_text_column_read_as_given_says_how_it_was_read(desktop, tmp_path):
    page = desktop.page
    csv = tmp_path / "shop.csv"
    csv.write_text("metres,colour,y\n" + "\n".join(f"{100 * (i % 9)},{('red', 'blue')[i % 2]},{i % 2}"
                                                    for i in range(120)) + "\n")
    page.click("details.upload summary")
    page.select_option("#f-features", "raw")
    page.set_input_files("#f-upload", str(csv))
    page.wait_for_function("() => document.querySelector('#upload-msg').textContent !== ''")
    assert page.inner_text("#upload-msg") == (
        "uploaded: shop.csv (72 training samples, classification); text columns one-hot encoded (one 0/1 feature "
        "per value): 'colour', 2 values (blue, red); 3 features in all; features used as given: not "
        "standardised, so their scale reaches the learning rate")
    page.wait_for_selector("body[data-validating=false]")
    desktop.set(batch_size="16", epochs="1", width="8", depth="1")
    desktop.train()


def test_try_several_optimizers(desktop):
    desktop.set(dataset="moons", batch_size="64", epochs="1", width="8", depth="1")
    desktop.train("#try-opt", timeout=120_000)
    assert desktop.rows() == 3
    labels = " ".join(desktop.page.locator("#runs tbody td.label").all_inner_texts())
    assert all(name in labels for name in ("sgd", "momentum", "adam"))


def test_try_five_rates_as_one_population_with_growing_curves(desktop):
    """Five rates trained together: five runs on the charts, their per-step curves filling epoch by
    epoch while the population trains, Stop ends all five."""
    page = desktop.page
    desktop.set(dataset="moons", batch_size="1", epochs="50", width="8", depth="1", lr="0.0001", optimizer="adam")
    page.click("#try-lr")
    page.wait_for_selector("#status[data-state=running][data-population=true]", timeout=60_000)
    assert desktop.rows() == 5
    page.wait_for_function("() => +document.querySelector('#chart-step').dataset.points >= 5 * 600")
    first = desktop.points("#chart-step")
    page.wait_for_function(f"() => +document.querySelector('#chart-step').dataset.points > {first}", timeout=30_000)
    assert page.get_attribute("#status", "data-state") == "running"  # grown while the set still trains
    assert desktop.points("#chart-epoch-loss") >= 5 * 2  # every member's first epoch, train and validation
    assert "trained together as one population" in page.inner_text("#status")
    page.click("#stop")
    page.wait_for_selector("#status[data-state=stopped]", timeout=60_000)
    statuses = page.locator("#runs tbody tr td:nth-child(3)").all_inner_texts()
    assert statuses == ["stopped"] * 5


def test_a_diverged_run_says_why_on_its_own_line_and_the_table_fits(desktop):
    """The reason a run diverged wraps under its status, so the numbers beside it stay in view at
    desktop width (before, the long reason pushed validation loss and step out of the card)."""
    page = desktop.page
    desktop.set(dataset="moons", epochs="3", width="16", depth="2", lr="0.01", optimizer="adam", batch_size="32")
    desktop.train("#try-lr")
    outcome = page.locator("#runs tbody tr", has_text="diverged").first.locator("td.outcome")
    assert outcome.locator(".why").inner_text().startswith("diverged at step")
    fits = page.locator("#runs").evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    assert fits


def test_korean_and_a_bad_learning_rate(desktop):
    page = desktop.page
    desktop.set(dataset="moons", batch_size="32")
    page.click("#lang-ko")
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert page.inner_text("#train") == "학습"
    assert page.inner_text("label[for=f-batch_size]") == "배치 크기"
    assert page.inner_text("#arith") == "샘플 600개 / 배치 크기 32 = 에폭당 19 스텝"
    desktop.set(lr="abc")
    assert page.inner_text("[data-err=lr]") == "lr='abc' is invalid: must be a finite number > 0"
    assert page.get_attribute("#f-lr", "aria-invalid") == "true"
    page.click("#train")
    page.wait_for_timeout(500)
    assert desktop.rows() == 0  # nothing ran
    desktop.set(lr="0.01")
    assert page.inner_text("[data-err=lr]") == ""
    page.click("#lang-en")
    assert page.inner_text("#train") == "Train"


def test_the_range_test_and_its_suggestion(desktop):
    page = desktop.page
    desktop.set(dataset="moons", batch_size="16", width="8", depth="1")
    page.click("#range-run")
    page.wait_for_selector("#range-verdict:has-text('Recommended:')", timeout=60_000)
    assert desktop.points("#chart-range") > 20  # raw and smoothed loss against lr
    assert page.locator("#range-expl li").count() >= 4
    page.click("#use-lr")
    suggested = page.inner_text("#use-lr").split()[-1]
    assert page.input_value("#f-lr") == suggested


def test_advice_shows_its_values_readably_and_trains_them(desktop):
    page = desktop.page
    desktop.set(dataset="moons", width="8", depth="1")
    page.fill("#f-budget", "5")
    page.click("#advise-run")
    page.wait_for_selector("#advice:not([hidden]) tbody tr", timeout=120_000)
    cells = [page.locator("#advice tbody tr").nth(i).locator("td").nth(1).inner_text() for i in range(4)]
    batch, lr, optimizer, epochs = cells
    assert int(batch) >= 1 and int(epochs) >= 1 and optimizer in ("sgd", "momentum", "nesterov", "rmsprop",
                                                                 "adagrad", "adam", "adamw")
    assert float(lr) > 0 and len(lr.replace("0.", "").lstrip("0")) <= 4  # three significant digits, not a float's repr
    desktop.train("#train-these")
    assert float(page.input_value("#f-lr")) == pytest.approx(float(lr), rel=5e-3)
    assert page.input_value("#f-optimizer") == optimizer


def test_optimizer_paths_animate(desktop):
    page = desktop.page
    page.select_option("#f-surface", "saddle")
    page.click("#paths-run")
    page.wait_for_timeout(300)
    early = desktop.points("#contour")
    page.wait_for_timeout(3000)
    assert desktop.points("#contour") > early  # the paths are drawn step by step
    assert page.locator("#path-legend li").count() == 3


def test_a_lesson_from_the_page_opens_its_report(desktop, lab):
    page = desktop.page
    desktop.set(dataset="digits", model="logistic")
    page.select_option("#f-lesson", "batch-size")
    page.click("#lesson-run")
    page.wait_for_selector("#report-link:not([hidden])", timeout=120_000)
    href = page.get_attribute("#report-link", "href")
    assert href.startswith("/reports/") and href.endswith("/")
    page.goto(lab.url + href)
    assert "batch size" in page.inner_text("h1").lower()


def test_a_korean_lesson_report_from_the_lab_loads_its_embedded_font(desktop, lab):
    """The lab serves reports under a strict policy; the report's own Hangul font (a data URL) must
    still load, or Korean shows as empty boxes on a machine without Korean fonts (like this one)."""
    page = desktop.page
    page.click("#lang-ko")
    desktop.set(dataset="digits", model="logistic")
    page.select_option("#f-lesson", "epochs")
    page.click("#lesson-run")
    page.wait_for_selector("#report-link:not([hidden])", timeout=120_000)
    page.goto(lab.url + page.get_attribute("#report-link", "href"))
    assert "에폭" in page.inner_text("h1")
    assert page.evaluate("document.fonts.load('16px \"hyperlab-hangul\"', '에폭').then(f => f.length)") == 1


def test_on_a_phone_in_korean(browser, lab):
    phone = Page(browser, lab.url, PHONE)
    page = phone.page
    page.click("#lang-ko")
    phone.set(dataset="spirals", batch_size="32", epochs="3", width="16", depth="2")
    phone.train()
    page.click("#paths-run")
    page.wait_for_timeout(3000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert phone.points("#boundary") == 300
    assert "완료" in page.inner_text("#runs tbody")  # the run's status and name in Korean
    assert "학습률 0.01 · 배치 크기 32 · 에폭 3" in page.inner_text("#runs tbody")
    # Korean wraps between words (학습률, not 학/습률), as Korean pages set it
    assert page.eval_on_selector("#runs tbody td.label", "e => getComputedStyle(e).wordBreak") == "keep-all"
    assert page.evaluate("document.fonts.check('16px NanumGothic', '한국어')")
    page.screenshot(path=str(lab.config.out.parent / "phone.png"), full_page=True)
    phone.close()


def test_screenshot_for_the_readme(browser, lab, tmp_path):
    """The README's picture: a run set on moons with its boundary, and optimizer paths.
    Written to docs/lab.png when HYPERLAB_SCREENSHOT=1, else to a temporary folder."""
    shot = DESKTOP | {"height": 1150}
    desk = Page(browser, lab.url, shot)
    desk.set(dataset="moons", batch_size="32", epochs="15", width="16", depth="2")
    desk.train("#try-opt", timeout=180_000)
    desk.page.click("#paths-run")
    desk.page.wait_for_timeout(3000)
    desk.page.evaluate("window.scrollTo(0, 0)")
    target = DOCS / "lab.png" if os.environ.get("HYPERLAB_SCREENSHOT") == "1" else tmp_path / "lab.png"
    target.parent.mkdir(exist_ok=True)
    desk.page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000
    desk.close()
