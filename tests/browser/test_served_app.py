"""The served app in a real browser: Debian's headless Chromium driven by Playwright.

A customer asks a question and sees a cited answer, asks for a person and sees the ticket
number; an editor signs in, uploads a new FAQ file, ingests it, and the chat then answers
from it, with the article's link to another site opening in a new tab. Then the whole handoff
loop: a customer escalates, a follow-up joins the same ticket, an agent assigns it, reveals the
e-mail address (a vault key is set) and replies; the customer reads the reply, and again after
closing the tab, through the resume link; the agent resolves. Screenshots go to ``artifacts/browser/`` (CI keeps them).

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
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                 # The loop test keeps a customer's and an agent's page open at once: the page in the
                 # background must keep its timers (the chat looks for replies every few seconds).
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
VAULT_KEY = "OIY3xRWdpztP3PieYIUcPRyaUTWBggitUEkI5aY1mCc="  # a Fernet key for tests only
EMAIL = "dana.quill@example.org"
NEW_FAQ = """---
title: Bamboo card FAQ
type: faq
category: cards
url: https://help.lodestar.example/cards/bamboo
---
# Bamboo card FAQ

## Can I order a Lodestar card made of bamboo?
Yes. Choose Card > Order a card > Bamboo in the app. The bamboo card is made from certified bamboo veneer and
arrives in 5 to 7 working days; it works exactly like the plastic card. Read about the veneer on
[the supplier's page](https://bamboo.example.org/veneer).
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
    settings = Settings(data_dir=root / "data", knowledge_dir=root / "kb",
                        ui_users=["editor:correct-horse", "sam:battery-staple-9"],
                        api_keys=["browser-Wn4Kc8Tq2Hx6Pz9Rd3Mv7"], vault_key=VAULT_KEY)
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
    SERVICE.append(service)  # the loop test reads what the agent's desk stored
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


SERVICE: list = []  # the served BeaconService
OUTSIDE: list[str] = []  # every request a page made to anything but the local server


def _page(browser):
    page = browser.new_page()
    page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else OUTSIDE.append(request.url))
    return page


def _login(page, served: str, user: str = "editor", password: str = "correct-horse") -> None:
    page.goto(served + "/staff/")
    page.locator("input[type=text]").first.fill(user)
    page.locator("input[type=password]").fill(password)
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
    # The article's link to another site is given in the answer, and opens in a new tab: the chat stays open.
    link = chat.locator("#chat-history a[href='https://bamboo.example.org/veneer']").first
    link.wait_for(timeout=10_000)
    assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")
    # The citation opens the article's page on the public help centre (its front matter url), in a new tab too.
    cited = chat.locator("#chat-sources a[href='https://help.lodestar.example/cards/bamboo']").first
    cited.wait_for(timeout=10_000)
    assert "Bamboo card FAQ" in cited.inner_text() and cited.get_attribute("target") == "_blank"
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
    queue.get_by_text("customer asked for a person").filter(visible=True).first.wait_for(timeout=10_000)
    _shot(page, "6-escalation-queue")
    page.get_by_role("tab", name=re.compile("Insights")).click()
    page.locator("#insights-refresh").click()
    page.locator("#insights-headline").get_by_text(re.compile(r"\d+%")).first.wait_for(timeout=30_000)
    # Loading indicators (their timers) are gone once every output has been filled.
    expect(page.locator(".progress-text").filter(visible=True)).to_have_count(0, timeout=30_000)
    _shot(page, "7-insights")
    page.close()


def test_the_handoff_loop(served, browser):
    """One conversation, one ticket, and a person who answers: escalate, follow up, assign,
    reveal, reply, read the reply (also after closing the tab), resolve."""
    from playwright.sync_api import expect

    ticket = re.compile(r"HO-\d{6}-[A-Z0-9]{5}")
    customer = _page(browser)
    customer.goto(served + "/")
    _ask(customer, f"Someone hacked my account and changed my password. Please email me at {EMAIL} so we can "
                   "sort it out today.")
    banner = customer.locator("#chat-escalation")
    banner.get_by_text(ticket).wait_for(timeout=30_000)
    expect(banner).to_contain_text("marked as a priority")
    reference = ticket.search(banner.inner_text()).group(0)
    code = customer.locator("#chat-resume-value").inner_text().strip()
    assert re.fullmatch(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", code)
    _shot(customer, "10-loop-escalated")

    # A follow-up joins the same ticket; what the customer typed shows as typed.
    _ask(customer, "I also see a card payment of £250 that I didn't make <b>today</b>")
    customer.get_by_text(re.compile(r"added this to your request")).first.wait_for(timeout=30_000)
    customer.locator("#chat-history").get_by_text("<b>today</b>").first.wait_for(timeout=10_000)
    expect(banner).to_contain_text(reference)
    expect(banner).to_contain_text("marked as a priority")
    tickets = [t for t in SERVICE[0].handoffs(limit=1000) if reference == t["ticket_id"]]
    assert len(tickets) == 1 and "£250" in tickets[0]["transcript"][-2]["text"]
    _shot(customer, "11-loop-follow-up-joined")

    # The agent signs in, opens the ticket (placeholders shown as text, nothing after them lost).
    agent = _page(browser)
    _login(agent, served, "sam", "battery-staple-9")
    agent.get_by_role("tab", name=re.compile("Escalations")).click()
    agent.locator("#esc-table").get_by_text(reference).filter(visible=True).first.wait_for(timeout=30_000)
    agent.locator("#esc-ticket textarea, #esc-ticket input").first.fill(reference)
    agent.locator("#esc-ticket textarea, #esc-ticket input").first.press("Enter")
    detail = agent.locator("#esc-detail")
    detail.get_by_text(re.compile(r"email me at <EMAIL_ADDRESS_1> so we can sort it out today")).first.wait_for(
        timeout=30_000)
    # (The guardrails drop HTML tags before anything is stored: the ticket holds "today".)
    expect(detail).to_contain_text("that I didn't make today")
    agent.locator("#esc-assign").click()
    expect(detail).to_contain_text(f"{reference} — assigned", timeout=30_000)
    expect(detail).to_contain_text("sam")
    _shot(agent, "12-loop-agent-assigned")

    agent.get_by_text("Reveal a contact detail (audited)").click()
    agent.locator("#esc-reveal").click()
    expect(agent.locator("#esc-revealed textarea, #esc-revealed input").first).to_have_value(EMAIL, timeout=30_000)
    expect(agent.locator("#esc-reveal-status")).to_contain_text("recorded in the audit log")
    _shot(agent, "13-loop-email-revealed")

    agent.locator("#esc-reply textarea").fill("Hi, this is Sam from Lodestar. I've locked your account and sent a "
                                              f"reset link to {EMAIL}.")
    agent.locator("#esc-send").click()
    expect(agent.locator("#esc-reply-status")).to_contain_text("Sent to the customer", timeout=30_000)
    expect(detail).to_contain_text(f"{reference} — answered")
    _shot(agent, "14-loop-agent-replied")

    # The customer's open tab shows the reply within a few seconds.
    customer.bring_to_front()
    history = customer.locator("#chat-history")
    history.get_by_text(re.compile("I've locked your account")).first.wait_for(timeout=30_000)
    expect(history).to_contain_text(EMAIL)  # their own address, back in their own tab
    expect(banner).to_contain_text("Our team has replied", timeout=30_000)
    _shot(customer, "15-loop-customer-reads-reply")
    customer.close()

    # The tab was closed: the resume link brings the conversation back, details masked.
    back = _page(browser)
    back.goto(f"{served}/#resume={code}")
    resumed = back.locator("#chat-history")
    resumed.get_by_text(re.compile("I've locked your account")).first.wait_for(timeout=30_000)
    expect(resumed).to_contain_text("[your e-mail address]")
    expect(resumed).not_to_contain_text(EMAIL)
    expect(back.locator("#chat-escalation")).to_contain_text(reference)
    _shot(back, "16-loop-resumed-by-link")

    agent.bring_to_front()
    agent.locator("#esc-note textarea").fill("Account recovered, password reset.")
    agent.locator("#esc-resolve").click()
    expect(detail).to_contain_text(f"{reference} — resolved", timeout=30_000)
    expect(detail).to_contain_text("by sam")
    _shot(agent, "17-loop-resolved")
    back.bring_to_front()
    expect(back.locator("#chat-escalation")).to_contain_text("is resolved", timeout=30_000)
    _shot(back, "18-loop-customer-sees-resolved")

    audit = SERVICE[0].desk.reveals(reference)
    assert [(e["revealed_by"], e["placeholder"]) for e in audit] == [("sam", "<EMAIL_ADDRESS_1>")]
    data_dir = SERVICE[0].settings.data_dir
    assert not [p for p in data_dir.rglob("*") if p.is_file() and EMAIL.encode() in p.read_bytes()]

    # The bin icon starts a new conversation: the notice goes, and the next question is new.
    back.locator("#chat-history").get_by_role("button", name=re.compile("clear", re.I)).first.click()
    expect(back.locator("#chat-escalation")).not_to_contain_text(reference, timeout=10_000)
    _ask(back, "How do I freeze my card?")
    back.get_by_text(re.compile(r"switch on\s+Freeze", re.I)).first.wait_for(timeout=30_000)
    expect(back.locator("#chat-escalation")).not_to_contain_text(reference)
    _shot(back, "19-loop-new-conversation-after-clear")
    agent.close()
    back.close()


def test_insights_show_comments_and_gaps_as_text(served, browser):
    """A "not helpful" comment sits beside the answer it rates, markup and all shown as typed."""
    from playwright.sync_api import expect

    from app.service.beacon_service import ChatRequest

    service = SERVICE[0]
    rated = service.chat(ChatRequest("browser-rated", "How do I freeze my card?", channel="ui"))
    service.feedback("browser-rated", "down", "it said <b>nothing</b> about **where** the button is", rated.turn_id)
    page = _page(browser)
    _login(page, served)
    page.get_by_role("tab", name=re.compile("Insights")).click()
    page.locator("#insights-refresh").click()
    comments = page.locator("#insights-not-helpful")
    comments.get_by_text("it said <b>nothing</b> about **where** the button is").filter(visible=True).first.wait_for(
        timeout=30_000)
    expect(comments).to_contain_text("How do I freeze my card?")
    expect(page.locator(".progress-text").filter(visible=True)).to_have_count(0, timeout=30_000)
    _shot(page, "20-insights-comments")
    page.close()


def test_api_docs_render_offline(served, browser):
    page = _page(browser)
    page.goto(served + "/docs")
    page.get_by_text("/v1/chat").first.wait_for(timeout=30_000)
    _shot(page, "8-api-docs")
    page.close()


def test_no_page_asked_anything_outside_the_server():
    assert OUTSIDE == []
