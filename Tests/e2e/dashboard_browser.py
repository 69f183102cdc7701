#!/usr/bin/env python3
"""Browser checks of `evt dashboard`, in Debian's chromium driven by chromedriver through
Selenium. Usage: dashboard_browser.py SCENARIO URL [ARG...]. Prints what failed on standard
error and exits 1; exits 0 when every check of the scenario held. `evt` commands it runs use
EVT_BIN and the environment of the test (Redis URL, namespace)."""
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

HOSTILE = ['<script>alert("xss-1")</script>', '"><img src=x onerror=alert("xss-2")>', "</script><script>alert('xss-3')</script>"]


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("EVT_CHROMIUM", "/usr/bin/chromium")
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu"]:
        options.add_argument(a)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("EVT_CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    return driver


def evt(*args):
    out = subprocess.run([os.environ["EVT_BIN"], *args], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        fail(f"evt {' '.join(args)} exited {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def wait_for(what, check, seconds=10.0, step=0.05):
    end = time.monotonic() + seconds
    while True:
        try:
            value = check()
            if value:
                return value
        except (NoSuchElementException, StaleElementReferenceException):
            pass
        if time.monotonic() > end:
            fail(f"timed out waiting for {what}")
        time.sleep(step)


def clean(driver, where):
    """No alert opened and nothing on the console (a script the CSP blocked would be there)."""
    try:
        alert = driver.switch_to.alert
        fail(f"{where}: an alert opened: {alert.text!r}")
    except NoAlertPresentException:
        pass
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    if errors:
        fail(f"{where}: console messages: {errors}")


def login(driver, url, token):
    driver.get(url + "/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    wait_for("the page after logging in", lambda: "/login" not in driver.current_url)


def screenshot(driver, name):
    folder = os.environ.get("EVT_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        driver.save_screenshot(os.path.join(folder, name))


def overview(driver, url, expected):
    """EXPECTED: {"types": {TYPE: LENGTH}, "groups": [{"group", "type", "lag", "pending", "state"}]}."""
    want = json.loads(expected)

    def matches():
        driver.get(url + "/")
        for t, length in want["types"].items():
            row = driver.find_element(By.CSS_SELECTOR, f"#types tr[data-type='{t}']")
            if row.find_element(By.CSS_SELECTOR, "[data-figure=length]").text != str(length):
                return False
        for g in want["groups"]:
            row = driver.find_element(By.CSS_SELECTOR, f"#groups tr[data-group='{g['group']}'][data-type='{g['type']}']")
            if row.find_element(By.CSS_SELECTOR, "[data-figure=lag]").text != str(g["lag"]):
                return False
            if "pending" in g and row.find_element(By.CSS_SELECTOR, "[data-figure=pending]").text != str(g["pending"]):
                return False
            if row.find_element(By.CSS_SELECTOR, ".state").get_attribute("data-state") != g["state"]:
                return False
        return True

    wait_for(f"the overview to show {expected}", matches, seconds=15, step=0.5)
    for t in want["types"]:
        if not driver.find_elements(By.CSS_SELECTOR, f"#types tr[data-type='{t}'] svg.chart[aria-label]"):
            fail(f"{t} has no rate chart")
    clean(driver, "overview")
    screenshot(driver, "dashboard-overview.png")


def live(driver, url, type_):
    driver.get(url + "/type?type=" + type_)
    wait_for("the live tail to connect", lambda: "new events appear" in driver.find_element(By.ID, "live-status").text)
    event = json.loads(evt("publish", type_, "--data", '{"live":true}'))
    published = time.monotonic()
    selector = "#live code"
    wait_for(
        "the published event in the live tail",
        lambda: any(c.text == event["id"] for c in driver.find_elements(By.CSS_SELECTOR, selector)),
        seconds=2.0, step=0.02)
    print(f"live tail: shown {time.monotonic() - published:.3f} s after publish returned")
    clean(driver, "live tail")


def replay(driver, url, token, group):
    login(driver, url, token)
    driver.get(url + "/dead-letters?group=" + group)
    driver.find_element(By.CSS_SELECTOR, "button[name=one]").click()
    wait_for("the confirmation page", lambda: driver.find_element(By.TAG_NAME, "h1").text.startswith("Replay 1 dead letter"))
    driver.find_element(By.ID, "confirm").click()
    wait_for("the replay notice", lambda: "Replayed 1 dead letter" in driver.find_element(By.CSS_SELECTOR, ".notice").text)
    clean(driver, "replay")


def purge(driver, url, token, group):
    def count():
        return sum(1 for line in evt("replay-dlq", "--list", "--group", group).splitlines() if line.strip())

    login(driver, url, token)
    before = count()
    driver.get(url + "/dead-letters?group=" + group)
    screenshot(driver, "dashboard-dead-letters.png")
    driver.find_element(By.CSS_SELECTOR, "input[name=letter]").click()
    driver.find_element(By.CSS_SELECTOR, "button[value=purge-selected]").click()
    wait_for("the confirmation page", lambda: driver.find_element(By.TAG_NAME, "h1").text.startswith("Purge 1 dead letter"))
    if "for good" not in driver.find_element(By.CSS_SELECTOR, "main").text:
        fail("the purge confirmation should say it deletes for good")
    if count() != before:
        fail("asking for confirmation purged already")
    driver.find_element(By.LINK_TEXT, "Cancel").click()
    wait_for("the dead letters again", lambda: driver.find_element(By.TAG_NAME, "h1").text == "Dead letters")
    if count() != before:
        fail("cancelling purged")
    driver.find_element(By.CSS_SELECTOR, "input[name=letter]").click()
    driver.find_element(By.CSS_SELECTOR, "button[value=purge-selected]").click()
    wait_for("the confirmation page", lambda: driver.find_element(By.TAG_NAME, "h1").text.startswith("Purge 1"))
    driver.find_element(By.ID, "confirm").click()
    wait_for("the purge notice", lambda: "Purged 1 dead letter" in driver.find_element(By.CSS_SELECTOR, ".notice").text)
    if count() != before - 1:
        fail(f"purging one should leave {before - 1}, not {count()}")
    clean(driver, "purge")


def read_only(driver, url, group):
    """Without the token (or without --allow-actions) the dead-letter page offers no actions."""
    driver.get(url + "/dead-letters?group=" + group)
    if driver.find_elements(By.CSS_SELECTOR, "button[name=one], button[name=do], input[name=letter]"):
        fail("actions are offered without the token")
    clean(driver, "read-only dead letters")


def xss(driver, url, token, type_, group):
    """Events whose data holds HTML and script are shown as text everywhere and run nothing."""
    checks = [("type page", url + "/type?type=" + type_), ("overview", url + "/")]
    for where, page in checks:
        driver.get(page)
        for summary in driver.find_elements(By.CSS_SELECTOR, "details summary"):
            summary.click()
        text = driver.find_element(By.TAG_NAME, "main").text
        if where == "type page":
            for h in HOSTILE:
                if json.dumps(h)[1:-1] not in text:
                    fail(f"{where}: {h!r} is not shown as text")
        if driver.find_elements(By.CSS_SELECTOR, "main img, main script"):
            fail(f"{where}: event content became elements")
        clean(driver, where)
    # The live tail.
    driver.get(url + "/type?type=" + type_)
    wait_for("the live tail to connect", lambda: "new events appear" in driver.find_element(By.ID, "live-status").text)
    event = json.loads(evt("publish", type_, "--data", json.dumps({"note": "".join(HOSTILE)})))
    wait_for("the hostile event in the live tail",
             lambda: any(c.text == event["id"] for c in driver.find_elements(By.CSS_SELECTOR, "#live code")), seconds=3)
    for summary in driver.find_elements(By.CSS_SELECTOR, "#live summary"):
        summary.click()
    if "alert(\\\"xss-1\\\")" not in driver.find_element(By.ID, "live").text:
        fail("live tail: the hostile text is not shown as text")
    if driver.find_elements(By.CSS_SELECTOR, "#live img, #live script"):
        fail("live tail: event content became elements")
    clean(driver, "live tail")
    # The dead letters, logged in.
    login(driver, url, token)
    driver.get(url + "/dead-letters?group=" + group)
    for summary in driver.find_elements(By.CSS_SELECTOR, "details summary"):
        summary.click()
    if "<b>" not in driver.find_element(By.TAG_NAME, "main").text:
        fail("dead letters: the hostile error text is not shown as text")
    if driver.find_elements(By.CSS_SELECTOR, "main img, main script, main b"):
        fail("dead letters: content became elements")
    clean(driver, "dead letters")


INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary"


def accessible_name(driver, e):
    return driver.execute_script(
        """
        const e = arguments[0];
        if (e.getAttribute('aria-label')) return e.getAttribute('aria-label');
        if (e.id) { const l = document.querySelector('label[for="' + CSS.escape(e.id) + '"]'); if (l && l.textContent.trim()) return l.textContent; }
        if (e.closest('label')) return e.closest('label').textContent;
        return (e.tagName === 'INPUT') ? '' : e.textContent.trim();
        """, e)


def a11y(driver, url, token, type_, group):
    """Every control has a name, every page has a language and one h1, every chart a label,
    and Tab reaches every control."""
    login(driver, url, token)
    pages = ["/", "/type?type=" + type_, f"/group?type={type_}&group={group}", "/dead-letters", "/login"]
    for page in pages:
        driver.get(url + page)
        if driver.find_element(By.TAG_NAME, "html").get_attribute("lang") != "en":
            fail(f"{page}: no lang")
        if len(driver.find_elements(By.TAG_NAME, "h1")) != 1:
            fail(f"{page}: not exactly one h1")
        for svg in driver.find_elements(By.CSS_SELECTOR, "svg"):
            if not svg.get_attribute("aria-label"):
                fail(f"{page}: a chart without a label")
        controls = [e for e in driver.find_elements(By.CSS_SELECTOR, INTERACTIVE) if e.is_displayed()]
        for e in controls:
            if not accessible_name(driver, e).strip():
                fail(f"{page}: a {e.tag_name} without a label: {e.get_attribute('outerHTML')[:120]}")
        # Keyboard: Tab from the top of the page reaches every visible control.
        driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
        reached = []
        # (A date-and-time field takes a Tab stop per part, so allow many more than controls.)
        for _ in range(4 * len(controls) + 40):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            reached.append(driver.switch_to.active_element)
        for e in controls:
            if not any(e == r for r in reached):
                fail(f"{page}: Tab never reaches {e.get_attribute('outerHTML')[:120]}")
        clean(driver, page)


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    scenario, url, args = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3:]
    driver = browser()
    try:
        {"overview": overview, "live": live, "replay": replay, "purge": purge, "read-only": read_only, "xss": xss,
         "a11y": a11y}[scenario](driver, url, *args)
    finally:
        driver.quit()
    print(f"{scenario}: ok")


if __name__ == "__main__":
    main()
