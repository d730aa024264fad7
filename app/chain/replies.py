"""What the customer reads when Beacon hands over: empathy, what happens next, the ticket
number, and an immediate safe step taken from the knowledge base when it offers one.

The messages make no promise of a refund, an outcome or a response time: only the knowledge
base may state those, and the safe step quotes it with its citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.chain.generation.extractive import best_sentences
from app.core.company import Company

_OPENING = {
    "secret_exposed": "Thank you for telling us. Please never share your recovery phrase or private keys with anyone, "
                      "including {staff}: anyone who has them can move your funds. If you have shared them, "
                      "treat that wallet as compromised.",
    "account_takeover": "I'm sorry, that sounds worrying. Someone getting into your account is something our security "
                        "team handles directly.",
    "unauthorised_transaction": "I'm sorry you've found a payment you don't recognise. Our team will look into it "
                                "with you.",
    "fraud_scam": "I'm really sorry this has happened. Scams are designed to be convincing, and you did the right "
                  "thing by telling us.",
    "vulnerable_customer": "I'm sorry you're going through this, and thank you for telling us. A member of our team "
                           "will help you personally, at a pace that suits you. If you are in danger or thinking about "
                           "harming yourself, please call your local emergency number now.",
    "lost_stolen_device": "I'm sorry to hear that. Let's make sure nobody else can use your card or account.",
    "legal_regulatory": "Thank you for your message. Requests like this are handled by our specialist team, who will "
                        "respond to you formally.",
    "complaint": "I'm sorry we've let you down. I've logged this as a complaint so that our complaints team reviews it.",
    "prompt_injection": "I can't follow instructions that change how I work, but I'm happy to help with questions "
                        "about {account}. I've passed this conversation to our team to review.",
    "human_requested": "Of course. I'm connecting you with a member of our support team.",
    "answer_check_failed": "I couldn't put together an answer I'm confident is accurate, so I'm passing your "
                           "question to a member of our support team rather than guess.",
    "unanswered": "I'm not able to answer that reliably from our help centre, so I've passed your question to a "
                  "member of our support team rather than guess.",
}

NEXT_STEPS = ("A member of our team will pick this up and reply in this conversation. They can see everything "
              "you've told me, so you won't need to repeat yourself.")

# Action verbs a safe step starts with or contains, per category. A step must be an
# instruction the customer can carry out now; a sentence that merely mentions a card is not.
_STEP_WORDS = {
    "lost_stolen_device": r"freeze|report lost|sign out all devices|remove (the|a) device|change your password",
    "unauthorised_transaction": r"freeze",
    "account_takeover": r"sign out all devices|change your password|freeze|reset",
    "fraud_scam": r"freeze|stop|do not send|don't send|never send|change your password",
    "secret_exposed": r"move (your|the) funds|new wallet|never share|do not share|don't share",
}
_STEP_CATEGORIES = tuple(_STEP_WORDS)


@dataclass(frozen=True)
class SafeStep:
    text: str
    source_number: int  # 1-based index into the sources the step came from


def find_safe_step(category: str, question: str, sources: list) -> SafeStep | None:
    """The first sentence of a retrieved chunk that tells the customer what to do now for
    this category (sources are ``RetrievedChunk``s, best first)."""
    pattern = _STEP_WORDS.get(category)
    if not pattern:
        return None
    verbs = re.compile(rf"\b({pattern})", re.I)
    for number, chunk in enumerate(sources, start=1):
        for sentence in best_sentences(question + " " + pattern.replace("|", " "), chunk.text, limit=6):
            cleaned = re.sub(r"\*\*|__", "", sentence).strip().lstrip(">-* ").strip()
            if verbs.search(cleaned) and 20 <= len(cleaned) <= 300 and not cleaned.endswith(":"):
                return SafeStep(cleaned, number)
    return None


ALONGSIDE_LEAD = "While you wait, this is what our help centre says:"


def _safe_step_and_answer(step: SafeStep | None, step_citation: int | None, alongside: str | None) -> list[str]:
    """The safe step and the help centre's answer given alongside, each when there is one."""
    parts = []
    if step is not None:
        marker = f" [{step_citation}]" if step_citation else ""
        parts.append(f"Right now, for your safety: {step.text}{marker}")
    if alongside:
        parts.append(f"{ALONGSIDE_LEAD}\n\n{alongside}")
    return parts


def opening(category: str, company: Company | None = None) -> str:
    """The reply's first paragraph for a handoff of this category, naming the company when it has a name."""
    company = company or Company()
    return _OPENING.get(category, _OPENING["human_requested"]).format(staff=company.staff, account=company.account)


def escalation_message(category: str, ticket_id: str | None, step: SafeStep | None = None,
                       step_citation: int | None = None, alongside: str | None = None,
                       company: Company | None = None) -> str:
    """``alongside``: the help centre's answer (cited) given with the handoff, if the policy allows it."""
    parts = [opening(category, company)]
    parts += _safe_step_and_answer(step, step_citation, alongside)
    reference = f" Your reference is {ticket_id}." if ticket_id else ""
    parts.append(NEXT_STEPS + reference)
    return "\n\n".join(parts)


CLARIFY_MESSAGE = ("I want to make sure I give you the right answer. Could you tell me a little more: what you're "
                   "trying to do, and which part of the service it's about?")
CAUTION_NOTE = ("This is the closest answer I found in our help centre; if it doesn't cover your situation, "
                "ask me to connect you with a person.")


# -- follow-ups while the conversation has an open ticket --------------------------------
ALREADY_WITH_TEAM = ("Our team already has your request{reference}. A member of the team will reply in this "
                     "conversation; I've added your message so they see it.")
ADDED_TO_REQUEST = "I've added this to your request{reference}, so the team handling it sees it."
PASSED_ON = ("A member of our support team is handling your request{reference}. I've passed your message on to "
             "them and they'll reply here.")
MARKED_URGENT = " It is now marked as a priority."


def follow_up_message(category: str, ticket_id: str, agent_owns: bool, step: SafeStep | None = None,
                      step_citation: int | None = None, raised: bool = False, escalating: bool = True,
                      alongside: str | None = None, company: Company | None = None) -> str:
    """What the customer reads when a message joins the conversation's open ticket instead of
    opening another: the category's opening for a sensitive topic (with its safe step), then
    that the message was added or passed on. ``escalating`` is False for a routine message an
    agent's ticket takes: Beacon does not answer over the agent, it passes the message on."""
    reference = f" ({ticket_id})"
    if agent_owns and not escalating:
        return PASSED_ON.format(reference=reference)
    if category == "human_requested":
        return ALREADY_WITH_TEAM.format(reference=reference)
    parts = []
    if category in _OPENING and category not in ("unanswered", "answer_check_failed"):
        parts.append(opening(category, company))
    elif category in ("unanswered", "answer_check_failed"):
        parts.append("I'm not able to answer that reliably from our help centre, so rather than guess I'm passing it "
                     "to the team.")
    parts += _safe_step_and_answer(step, step_citation, alongside)
    closing = (PASSED_ON if agent_owns else ADDED_TO_REQUEST).format(reference=reference)
    parts.append(closing + (MARKED_URGENT if raised else ""))
    return "\n\n".join(parts)
