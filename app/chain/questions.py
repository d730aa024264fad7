"""What a customer's message must be before Beacon searches for an answer, and the polite
reply when it is not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.errors import InvalidInputError

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH = set("""the a an is are do does how what why when where who can i my you your to for of in on and or not it
me we with have has be was will would should could please help account card money""".split())
_OTHER = set("""der die das und ist ich mein meine nicht wie warum le la les est je mon ma pas comment pourquoi el los
las es mi como por qué que il di che non è een het ik mijn niet hoe waarom o os eu meu não como""".split())


ADVICE_REPLY = ("I can't tell you what to buy, sell or hold, or where prices are heading: that would be investment "
                "advice, and I'm not able to give it. I can help with how buying and selling work, with fees and "
                "limits, and with anything about your account.")


class EmptyQuestionError(InvalidInputError):
    pass


# The flags of the replies below: the turn's action is "answer", but no article was given.
REFUSAL_FLAGS = ("too_long", "no_words", "not_english", "investment_advice")
# Of those, the questions declined on principle: no article and no agent may answer them.
DECLINE_FLAGS = ("investment_advice",)


@dataclass(frozen=True)
class Refusal:
    flag: str
    reply: str


def too_long(length: int, max_chars: int) -> Refusal:
    return Refusal("too_long", f"That message is longer than I can read ({length:,} characters). Could you "
                               f"send just your question, in under {max_chars:,} characters?")


def check_question(question: str, max_chars: int, asks_for_advice: bool = False) -> Refusal | None:
    """None if Beacon should look for an answer; otherwise the reason and a polite reply.
    ``asks_for_advice``: the input guard read a request for investment advice in it."""
    if not question or not question.strip():
        raise EmptyQuestionError("the question is empty: type what you would like to know")
    if len(question) > max_chars:
        return too_long(len(question), max_chars)
    letters = _LETTER.findall(question)
    if not letters:
        return Refusal("no_words", "I didn't catch a question there. Could you tell me in words what you need help with?")
    words = [w.lower() for w in _WORD.findall(question)]
    latin = sum(c.isascii() for c in letters) / len(letters)
    foreign = sum(w in _OTHER for w in words) > sum(w in _ENGLISH for w in words)
    if latin < 0.5 or (len(words) >= 3 and foreign):
        return Refusal("not_english", "Sorry, I can only answer questions in English for now. If you can, please ask "
                                      "again in English, or ask for a human agent and we will help you.")
    if asks_for_advice:  # no article answers it, and no agent may either
        return Refusal("investment_advice", ADVICE_REPLY)
    return None
