"""A curator at work in a real browser: Debian's headless Chromium driven by Selenium against the
live server. Set ADMIN_SCREENSHOTS_DIR (e.g. docs/admin) to keep the screenshots of each screen."""

import json
import os
import urllib.request
from pathlib import Path

import pytest

from factors.models import DriverFactorScore

from .conftest import FACTORS, WEIGHTS, add_drivers, score_of

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1920,1000",
]

pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason=f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}): "
        "apt-get install -y chromium chromium-driver",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    # The system's browser and driver, given explicitly: Selenium must not download either.
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def screenshot(browser, tmp_path):
    directory = Path(os.environ.get("ADMIN_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        # The whole page, not only the window.
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1920, max(height, 700))
        path = directory / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return take


def api_get(live_server, path: str) -> dict:
    with urllib.request.urlopen(f"{live_server.url}{path}", timeout=10) as response:
        return json.load(response)


def test_curator_edits_a_score_sees_history_and_api_and_is_stopped_by_bad_weights(
    live_server, browser, screenshot, season, curator
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    add_drivers(season, count=12)
    driver = season.race.entries.get(car_number=7).driver
    assert api_get(live_server, "/api/drivers/7")["speed"]["score"] == score_of(7, 0)  # cached from now on

    # Log in as a curator.
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(curator.username)
    browser.find_element(By.NAME, "password").send_keys("curator-pass-2025")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    assert browser.find_element(By.ID, "user-tools").text.upper().startswith("WELCOME, CURATOR")

    # The driver list, then a search for one driver.
    browser.get(f"{live_server.url}/admin/drivers/driver/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == 12
    screenshot("driver-list")
    search = browser.find_element(By.ID, "searchbar")
    search.send_keys("Driver 007")
    search.submit()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("q=Driver"))  # the old list is gone
    (row,) = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    expected_overall = sum(WEIGHTS[f] * score_of(7, position) for position, (f, *_) in enumerate(FACTORS))
    assert row.find_element(By.CSS_SELECTOR, "td.field-overall_score").text == str(round(expected_overall, 2))
    row.find_element(By.LINK_TEXT, "7").click()

    # Change the speed score in the inline and save.
    speed_row = next(
        index
        for index in range(len(FACTORS))
        if browser.find_element(By.NAME, f"factor_scores-{index}-factor").get_attribute("value") == "speed"
    )
    score = browser.find_element(By.NAME, f"factor_scores-{speed_row}-score")
    score.clear()
    score.send_keys("91.5")
    screenshot("driver-change-form")
    browser.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert DriverFactorScore.objects.get(driver=driver, factor_id="speed").score == 91.5

    # The change is in the driver's history, with who made it.
    browser.get(f"{live_server.url}/admin/drivers/driver/{driver.pk}/change/")
    browser.find_element(By.LINK_TEXT, "HISTORY").click()
    history = browser.find_element(By.ID, "change-history").text
    assert "curator" in history and "Changed score for driver factor score" in history
    screenshot("driver-history")

    # ... and in the API at once (the admin's save invalidated the cached answer).
    assert api_get(live_server, "/api/drivers/7")["speed"]["score"] == 91.5

    # A weight set that does not add up to 1 is refused, with the message on the weight fields.
    browser.get(f"{live_server.url}/admin/factors/modelversion/{season.active.pk}/change/")
    weight = browser.find_element(By.NAME, "coefficients-0-weight")
    weight.clear()
    weight.send_keys("0.6")
    browser.find_element(By.NAME, "_save").click()
    errors = browser.find_elements(By.CSS_SELECTOR, "td.field-weight ul.errorlist")
    total = 0.6 + sum(list(WEIGHTS.values())[1:])
    assert len(errors) == len(FACTORS)
    assert all(f"The weights add up to {total:.3f}" in error.text for error in errors)
    screenshot("model-version-weight-error")
    assert season.active.coefficients.get(factor_id="speed").weight == WEIGHTS["speed"]
