"""Hand-written cue patterns for the sensitive topics, and the cues of a general question.

Each category has *incident* patterns: phrasings that, in a customer message, almost always
report something happening to the writer now ("my card was stolen", "I didn't make this
payment"). A separate set of *general-question* cues ("what happens if", "how does Lodestar
protect", "is it safe to") marks policy and hypothetical questions, which the labelling rule
treats as routine. The detector combines both with sentence embeddings; on their own the
rules are the fallback when no MiniLM embedder is available.

Patterns run on lower-cased, redacted text, so placeholders such as ``<person_1>`` appear in
lower case. They allow common chat typos where these were seen often enough to matter
("acount", "scamed", "privat key").
"""

from __future__ import annotations

import re

_I = r"(?:i|i've|ive|i'm|im|i'd|we|we've|my|me)"  # first-person anchors

_RAW: dict[str, list[str]] = {
    "fraud_scam": [
        r"\bscamm?e?d\b", r"\bscam\b(?!\s+(?:warning|protection))", r"\bphish(?:ed|ing link)\b",
        r"\bfell for\b", r"\b(?:pretending|claiming|claimed|posing|posed|impersonat\w*) (?:to be|as)\b",
        r"\bfake (?:lodestar|support|shop|app|website|site|payment|agent)\b", r"\bsafe account\b",
        r"\brug ?pull\b", r"\bpig butchering\b", r"\bromance scam\b", r"\bblackmail\w*\b",
        r"\b(?:recovery (?:service|agents?)|task scam|giveaway)\b", r"\bdrain(?:ed|er)\b",
        r"\b(?:anydesk|teamviewer|remote access)\b", r"\bpressur\w+ (?:me|him|her|into)\b",
        r"\b(?:move|transfer|send) (?:all )?my (?:money|savings|crypto|funds)\b.*\b(?:told|said|asked)\b",
        r"\b(?:told|asked|wants?) (?:me|him|her) to (?:move|transfer|send|pay|buy)\b",
        r"\bgift cards?\b", r"\bwon't let me withdraw\b", r"\bnever (?:arrived|showed up)\b",
    ],
    "account_takeover": [
        r"\bhack(?:ed|er)\b", r"\b(?:someone|somebody|somone|hacker|they|he|she)\b.{0,40}\b(?:logged|log|logging|got|get|getting|been) (?:in|into)\b",
        r"\bsim (?:swap|swapped|has been swapped)\b|\bswapped my sim\b|\bported\b",
        r"\b(?:changed|reset|turned off|disabled|removed|moved)\b.{0,40}\b(?:wasn'?t me|not me|didn'?t (?:do|change|request|ask)|never (?:changed|requested|asked|approved))\b",
        r"\b(?:i )?(?:didn'?t|did not|never) (?:change|request|ask for|approve|requested|changed)\b.{0,40}\b(?:email|password|number|2fa|login|reset|code|anything)\b",
        r"\blocked out\b", r"\bunauthori[sz]ed access\b", r"\b(?:account|acount|accnt|wallet)\b.{0,20}\b(?:compromised|breached|taken over|hijacked)\b",
        r"\blog(?:in|ged in|-in)? from\b.{0,40}\b(?:never|don'?t|not|recogni[sz]e|unknown)\b",
        r"\b(?:device|login|session|sessions|passkey)\b.{0,30}\b(?:i don'?t (?:recogni[sz]e|own)|aren'?t mine|isn'?t mine|not mine|wasn'?t me|don'?t own)\b",
        r"\bnew (?:device|trusted device|passkey)\b.{0,40}\b(?:added|registered|wasn'?t|not me)\b",
        r"\bsomeone(?:'s| has| is)? (?:else )?(?:in|got into|been (?:in|into)|changing|changed|accessed|using my face)\b",
    ],
    "unauthorised_transaction": [
        r"\b(?:don'?t|do not|didn'?t|did not|never) (?:recogni[sz]e|reconise|make|made|authori[sz]e|send|sent|withdraw|initiate|approve|set up|signed up|buy|bought)\b",
        r"\bnot (?:me|mine)\b", r"\bunauthori[sz]ed (?:transaction|payment|charge|transfer|withdrawal)\b",
        r"\bfraudulent (?:charges?|payments?|transactions?)\b", r"\b(?:money|funds|\w+) (?:has been |was )?(?:taken|gone|disappeared|dissapeared)\b",
        r"\bwithout my (?:permission|consent|knowledge)\b|\bwithout (?:asking|me knowing)\b",
        r"\b(?:no idea|don'?t know) what (?:it|this) is\b", r"\bwho took\b", r"\bchargeback\b|\bdispute a transaction\b",
        r"\b(?:is|isn'?t) mine\b",
    ],
    "lost_stolen_device": [
        r"\b(?:lost|losing|misplaced|left|dropped) (?:my|the|both my|our)\b.{0,30}\b(?:card|phone|fone|mobile|laptop|tablet|ledger|yubikey|wallet|purse|device|authenticator)",
        r"\b(?:card|phone|fone|mobile|laptop|tablet|wallet|purse|bag|backpack|ledger|hardware wallet)\b.{0,25}\b(?:stolen|nicked|snatched|pinched|taken|missing|lost|gone|broke|swallowed)\b",
        r"\b(?:stolen|lost) (?:card|phone|device)\b", r"\b(?:mugged|burgled|pickpocketed|robbed)\b",
        r"\b(?:can'?t|cannot|can not|cant) find my\b", r"\b(?:stole|took|pinched|snatched) my\b",
        r"\bbroke into my\b",
    ],
    "secret_exposed": [
        r"\b(?:gave|give|given|told|tell|shared|share|sent|send|typed|entered|pasted|read out|handed over|emailed|posted|put)\b.{0,40}\b(?:seed|recovery (?:phrase|words)|private key|privat key|12 words|24 words|seed words|2fa code|one-time (?:code|passcode)|backup codes|password|passcode|pin)\b",
        r"\b(?:seed|recovery phrase|private key|password|passcode|pin|recovery words|12-word phrase)\b.{0,40}\b(?:leaked|visible|exposed|compromised|saw|seen|knows?|in a leak|breached|hacked)\b",
        r"\b(?:saw|seen|watched|knows?)\b.{0,25}\b(?:my )?(?:pin|seed|recovery|passcode|password|12-word)\b",
        r"\bleak(?:ed)? my\b", r"\bhas my (?:recovery|seed|private|2fa|password)\b",
        r"\b(?:asked|asking|wants?) (?:me )?for my (?:seed|recovery|private key|2fa|password)\b",
        r"\bsame password\b.{0,40}\bbreach\b",
    ],
    "legal_regulatory": [
        r"\b(?:lawyer|lawyers|solicitor|attorney|atorney|law firm)\b(?!.{0,20}\bstatement\b)", r"\b(?:sue|suing|lawsuit|legal action|legal advice|proceedings|small claims|letter before action)\b",
        r"\bcourt\b", r"\b(?:ombudsman|fca|fos|cfpb|sec|ftc|ico|information commissioner|trading standards|regulator|attorney general)\b",
        r"\b(?:police|detective|action fraud|crime reference|subpoena|court order)\b",
        r"\b(?:gdpr|ccpa|subject access|data subject|right to (?:erasure|be forgotten)|article 15)\b",
        r"\b(?:delete|erase|wipe)\b.{0,20}\b(?:all )?my (?:data|personal|details|information)\b|\ball my data deleted\b",
        r"\beverything you (?:have|hold) on me\b|\bcopy of (?:all )?(?:the )?(?:personal )?(?:data|everything) you hold\b",
        r"\bunlawful\b|\bentitled to it by law\b|\bprobate\b",
    ],
    "complaint": [
        r"\b(?:formal )?complaint\b", r"\bcompla(?:i)?n\b|\bcompaint\b|\bcomplain\b", r"\bescalat(?:e|ed|ing)\b(?!.{0,30}\bfaster\b)",
        r"\b(?:manager|supervisor|someone senior|senior)\b", r"\b(?:disgusted|disgrace|appalling|shocking|livid|furious|unacceptable|fed up|beyond frustrated|nightmare|useless|worst|is a joke|ridiculous|rediculous|dismissive|rude)\b",
        r"\bcompensation\b", r"\bextreme dissatisfaction\b|\bextremely unhappy\b|\butterly disappointed\b",
    ],
    "vulnerable_customer": [
        r"\b(?:passed away|passed|passd away|died|death certificate|bereave\w*|late (?:husband|wife|father|mother|mum|dad|son|daughter)|executor|funeral|lost my (?:daughter|son|wife|husband|mum|dad))\b",
        r"\b(?:suicid\w*|end my life|hurt(?:ing)? myself|self-harm|don'?t see the point|giving up|dark place|breakdown)\b",
        r"\b(?:can'?t|cannot|cant) (?:pay|make) (?:my )?rent\b|\bbailiffs?\b|\bevict\w*\b|\bdebt collectors?\b|\bdrowning in debt\b|\bhardship\b|\bskipping meals\b|\bhomeless\b",
        r"\bgambling problem\b|\bcan'?t stop gambling\b|\bself-excluded\b",
        r"\b(?:controls all my money|frightened of|threatening me|forced to|makes me give)\b",
        r"\b(?:dementia|alzheimer'?s|stroke|mental capacity|power of attorney|learning difficult\w*|visually impaired|cancer|bipolar|adhd|disabled)\b",
        r"\b(?:struggling|can'?t cope|overwhelmed|feel sick|lost my job|behind on)\b",
    ],
}

RULES: dict[str, list[re.Pattern]] = {cat: [re.compile(p) for p in pats] for cat, pats in _RAW.items()}

# Cues of a general, policy or hypothetical question: the labelling rule says these are
# routine even when they mention fraud, lost cards or seed phrases.
GENERAL_QUESTION = re.compile(
    r"^(?:what (?:happens|should i do) (?:if|when)|what if\b|what is|what's (?:your|the|a)\b|what are\b|how does\b|how do i (?:spot|back up|set up|view|change|update|turn on|reset|cancel|order|move|export|download|add)\b|"
    r"is (?:it|there|my|lodestar|the)\b|are (?:you|payments|my)\b|do you\b|does (?:the|lodestar|lodestar's)\b|will (?:lodestar|you|staff)\b|can i (?:add|use|export|nominate|see|set|get a)\b|who is\b|which\b|where (?:should|can) i\b|how (?:long|many)\b)"
    r"|\b(?:if i ever|in case|just out of interest|for my (?:course|article)|so i can tell|before signing up|policy|in the future|if needed|how would lodestar)\b"
)


def rule_hits(text: str) -> dict[str, int]:
    """How many incident patterns of each category match the lower-cased text."""
    lowered = text.lower()
    return {cat: sum(1 for p in pats if p.search(lowered)) for cat, pats in RULES.items()}


def is_general_question(text: str) -> bool:
    return bool(GENERAL_QUESTION.search(text.lower().strip()))
