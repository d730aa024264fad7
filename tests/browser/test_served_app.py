"""The served app in a real browser: Debian's headless Chromium driven by Playwright.

A customer asks a question and sees a cited answer, asks for a person and sees the ticket
number; an editor signs in, uploads a new FAQ file, ingests it, and the chat then answers
from it. Screenshots go to ``artifacts/browser/`` (CI keeps them).

Run with ``pytest -m browser`` (needs ``apt install chromium``). Skipped when Chromium is
missing, unless ``BROWSER_REQUIRED=1`` (as in CI), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time

import pytest

from app.core.settings import Settings
from tests.conftest import DEMO_KB, copy_index, REPO

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
NEW_FAQ = """---
title: Bamboo card FAQ
type: faq
category: cards
---
# Bamboo card FAQ

## Can I order a Lodestar card made of bamboo?
Yes. Choose Card > Order a card > Bamboo in the app. The bamboo card is made from certified bamboo veneer and
arrives in 5 to 7 working days; it works exactly like the plastic card.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_index, embedder, redactor):
    if CHROMIUM is None:
        if os.environ.get("BROWSER_REQUIRED") == "1":
            pytest.fail("Chromium is not installed: apt install chromium")
        pytest.skip("Chromium is not installed (apt install chromium)")
    import httpx
    import uvicorn

    from app.server import create_app
    from app.service.beacon_service import BeaconService

    root = tmp_path_factory.mktemp("served")
    copy_index(demo_index, root / "data")
    shutil.copytree(DEMO_KB, root / "kb")
    settings = Settings(data_dir=root / "data", knowledge_dir=root / "kb", ui_users=["editor:correct-horse"],
                        api_keys=["browser-Wn4Kc8Tq2Hx6Pz9Rd3Mv7"])
    service = BeaconService(settings, embedder=embedder, redactor=redactor)
    service.warm_up()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, service), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


OUTSIDE: list[str] = []  # every request a page made to anything but the local server


def _page(browser):
    page = browser.new_page()
    page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else OUTSIDE.append(request.url))
    return page


def _login(page, served: str) -> None:
    page.goto(served + "/staff/")
    page.locator("input[type=text]").first.fill("editor")
    page.locator("input[type=password]").fill("correct-horse")
    page.get_by_role("button", name=re.compile("log ?in", re.I)).click()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _ask(page, text: str) -> None:
    page.locator("#chat-input textarea").fill(text)
    page.locator("#chat-send").click()


def test_customer_gets_a_cited_answer_then_a_ticket(served, browser):
    page = _page(browser)
    page.goto(served + "/")
    _ask(page, "How do I freeze my card?")
    page.get_by_text(re.compile(r"switch on\s+Freeze", re.I)).first.wait_for(timeout=30_000)
    page.locator("#chat-sources").get_by_text("Cards FAQ").first.wait_for(timeout=10_000)
    _shot(page, "1-cited-answer")
    page.locator("#chat-human").click()
    page.locator("#chat-escalation").get_by_text(re.compile(r"HO-\d{6}-[A-Z0-9]{5}")).wait_for(timeout=30_000)
    _shot(page, "2-escalated")
    page.close()


def test_editor_uploads_a_faq_that_then_answers(served, browser, tmp_path):
    upload = tmp_path / "bamboo-card.md"
    upload.write_text(NEW_FAQ)
    page = _page(browser)
    _login(page, served)
    page.get_by_role("tab", name=re.compile("Knowledge")).click()
    page.locator("#kb-upload input[type=file]").set_input_files(str(upload))
    page.locator("#kb-preview").get_by_text(re.compile("bamboo", re.I)).first.wait_for(timeout=30_000)
    _shot(page, "3-upload-preview")
    page.locator("#kb-ingest").click()
    page.get_by_text(re.compile(r"uploads/bamboo-card\.md.*(added|updated)|(added|updated).*uploads/bamboo-card\.md",
                                re.I)).first.wait_for(timeout=60_000)
    _shot(page, "4-ingested")
    page.close()

    chat = _page(browser)
    chat.goto(served + "/")
    _ask(chat, "Can I order a card made of bamboo?")
    chat.get_by_text(re.compile("certified bamboo veneer", re.I)).first.wait_for(timeout=30_000)
    _shot(chat, "5-answer-from-upload")
    chat.close()


def test_agent_sees_the_ticket_and_operator_sees_numbers(served, browser):
    """After the customer test: the ticket is in the queue and Insights counts the conversations."""
    from playwright.sync_api import expect

    page = _page(browser)
    _login(page, served)
    page.get_by_role("tab", name=re.compile("Escalations")).click()
    # The table keeps hidden copies of its cells for measuring: wait for a visible one.
    queue = page.locator("#esc-table")
    queue.get_by_text(re.compile(r"HO-\d{6}-[A-Z0-9]{5}")).filter(visible=True).first.wait_for(timeout=30_000)
    queue.get_by_text("human_requested").filter(visible=True).first.wait_for(timeout=10_000)
    _shot(page, "6-escalation-queue")
    page.get_by_role("tab", name=re.compile("Insights")).click()
    page.locator("#insights-refresh").click()
    page.locator("#insights-headline").get_by_text(re.compile(r"\d+%")).first.wait_for(timeout=30_000)
    # Loading indicators (their timers) are gone once every output has been filled.
    expect(page.locator(".progress-text").filter(visible=True)).to_have_count(0, timeout=30_000)
    _shot(page, "7-insights")
    page.close()


def test_api_docs_render_offline(served, browser):
    page = _page(browser)
    page.goto(served + "/docs")
    page.get_by_text("/v1/chat").first.wait_for(timeout=30_000)
    _shot(page, "8-api-docs")
    page.close()


def test_no_page_asked_anything_outside_the_server():
    assert OUTSIDE == []
