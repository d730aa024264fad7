"""Requests for investment advice: what to buy, sell or hold, whether an asset is a good
investment, where its price is going.

A support assistant of a money or crypto-wallet company must not answer them (in the UK and
the EU a personal recommendation is a regulated activity; a help article about buying crypto
is not a recommendation to buy it). How-to and product questions about the same words stay
routine: "how do I buy bitcoin", "should I buy bitcoin in the app or on an exchange", "which
plan is better for travel", "is my crypto safe with you".

No public data set labels these requests (CLINC150's out-of-scope queries hold a handful), so
the patterns were written here from what fintech support bots are asked, and their false alarms
are measured on the public sets (BANKING77, CLINC150 in scope, StackFAQ, the real help centres'
questions): ``python -m research.guards.advice``.
"""

from __future__ import annotations

import re

# What a customer may ask to be advised on: crypto assets and markets by name, shares and funds;
# "coins" and "it" only where the sentence itself is about buying or investing ("should I sell it").
_NAMED = (r"(?:crypto(?:currenc(?:y|ies)|s)?|bitcoins?|btc|ethereum|eth|ether|solana|sol|xrp|ripple|doge(?:coin)?|"
          r"litecoin|ltc|monero|xmr|cardano|ada|bnb|toncoin|ton|shib|pepe|altcoins?|memecoins?|nfts?|stocks?|"
          r"shares?|etfs?|index funds?|gold|silver|bonds?|the (?:crypto |stock )?market)")
_ASSET = rf"(?:{_NAMED}|coins?|tokens?|funds?|it|this|that|them)"
_BUY = r"(?:buy|purchase|invest(?:ing)? in|sell|cash out|get into|put (?:my |some )?money (?:in|into))"
_OWN = r"(?:(?:my|our|your|some|more|all|any|the|a|an|few) )?"
_PATTERNS = [
    # "what's the best crypto to buy", "top coins to invest in", "good stocks to buy now"
    rf"\b(?:best|top|good|great|safest|cheapest|most profitable|next big|right)\s+(?:\w+\s+)?{_ASSET}\s+"
    rf"(?:to|for)\s+(?:buy|purchase|invest|hold|trade|get|own)\b",
    # "which coin should I buy", "what crypto should I invest in"
    rf"\b(?:which|what)\s+(?:\w+\s+)?{_ASSET}\s+(?:should|would|do you think|could)\s+(?:i|we)\s+"
    rf"(?:buy|purchase|invest|hold|get|sell|pick|choose)\b",
    # "should I buy bitcoin now?", "should I sell it" (not "... in the app or on an exchange"),
    # "should we hold our btc" (holding only a named asset: "should I hold it down" is about a button)
    rf"\bshould\s+(?:i|we)\s+(?:still\s+)?(?:{_BUY}\s+{_OWN}{_ASSET}|(?:hold|hodl|dump|keep)\s+{_OWN}{_NAMED})\b"
    r"(?!\s+(?:in|on|through|with|using|via|from|at)\s+(?:the|your|this|an?|my)\b)",
    # "is now a good time to buy", "is it a bad time to sell"
    r"\bis\s+(?:now|it|this|today)\s+(?:a\s+)?(?:good|great|bad|right|smart|the right)\s+(?:time|moment|idea)\s+"
    r"to\s+(?:buy|sell|invest)\b",
    # "is bitcoin a good investment", "is eth worth buying", "is it worth investing in target"
    rf"\bis\s+{_ASSET}\s+(?:still\s+)?(?:a\s+)?(?:good|great|safe|smart|bad|solid|wise|better|worse)\s+"
    r"(?:investment|buy|bet)\b",
    r"\bworth\s+(?:investing|buying|putting (?:my |some )?money)\b",
    r"\b(?:good|great|smart|wise)\s+investment\s+(?:right now|now|today|this year)\b",
    # "will bitcoin go up", "is the price of eth going to crash", "will the price drop": a market's or
    # a price's future, not "will it reach the recipient" or "will this double charge me"
    rf"\b(?:will|is|are)\s+(?:the\s+)?(?:{_NAMED}(?:'s)?(?:\s+prices?)?|prices?\s+of\s+{_NAMED}|"
    rf"value\s+of\s+{_NAMED})\s+(?:going to\s+|gonna\s+)?"
    r"(?:go up|go down|rise|fall|crash|moon|recover|pump|dump|increase|drop|hit|reach|double)\b",
    r"\bprice\s+predictions?\b",
    rf"\bwhat\s+will\s+{_NAMED}\s+be\s+worth\b",
    r"\b(?:investment|financial|trading)\s+(?:advice|tips?|recommendations?)\b",
]
_ADVICE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)
# A question about the company's own product in the same words: "good investment account",
# "best card to use abroad" never match above; these keep "is it a good time to buy" about a
# product routine ("... to buy a plan").
_PRODUCT = re.compile(r"\b(?:plan|subscription|card|account|membership|insurance|tier|upgrade)\b", re.I)


def asks_for_advice(text: str) -> bool:
    """True for a message that asks which asset to buy, sell or hold, whether one is a good
    investment, or where a price is going."""
    match = _ADVICE.search(text)
    if match is None:
        return False
    return not _PRODUCT.search(text[match.start():match.end() + 30])
