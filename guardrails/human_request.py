"""Does the customer ask for a person? ("can I speak to someone", "get me an agent", "this bot is
useless, a real person please", "quiero hablar con un agente", "转人工").

A request for a person is routed to one with category ``human_requested``; it is not a sensitive
topic. Phrase patterns per language, run on lower-cased text. They were tuned on
research/guards/sets/human_requests_tune.jsonl and the tuning parts of BANKING77 / CLINC150, and
measured on a set written and frozen before (research/guards/README.md). The traps are messages
about *other* people: "can someone else use my card", "add a person to my account", "the agent
fee", "call mom", "how long does a transfer take to reach a person".
"""

from __future__ import annotations

import re

# Who the customer wants: a person at the company.
_PERSON = (
    r"(?:human(?: being)?s?|(?:real |actual |live )?(?:person|people|one)|some ?(?:one|body)(?: real)?|any ?one(?: real)?|"
    r"agents?|representatives?|reps?|operators?|advi[sz]ors?|advisers?|consultants?|specialists?|staff(?: members?)?|"
    r"(?:member|members) of (?:your |the )?(?:staff|team|support team)|team members?|employees?|colleagues?|"
    r"supervisors?|managers?|(?:your |the )?boss|customer (?:service|support|care)|support (?:team|staff|agents?)|"
    r"(?:the |your )?support|(?:a |the )?helpdesk)"
)
_HUMAN_ADJ = r"(?:real|live|actual|human|physical|flesh and blood)"
_HUMAN_NOUN = r"(?:person|people|human|humans|agent|agents|rep|representative|one|employee|being|operator|adviser|advisor|support|assistance|help|staff|voice)"

_PATTERNS = [
    # talk/speak/chat to a person
    rf"\b(?:talk|speak|chat|converse|have a word|get in touch|be in touch)\b[^.?!\n]{{0,30}}?\b(?:to|with)\b[^.?!\n]{{0,25}}?\b{_PERSON}\b",
    # connect / transfer / pass / escalate me (or this chat) to a person
    rf"\b(?:connect|put|transfer|pass|hand|escalate|switch|redirect|forward|send)\s+(?:me|us|this|this chat|this conversation|it|my case|the chat)\s+(?:through\s+|over\s+|on\s+)?(?:to|with)\b[^.?!\n]{{0,25}}?\b{_PERSON}\b",
    rf"\bescalat\w*\b[^.?!\n]{{0,25}}\b(?:to|with)\b[^.?!\n]{{0,15}}\b{_PERSON}\b",
    # a real / live / human person, agent, support
    rf"\b{_HUMAN_ADJ}\s+{_HUMAN_NOUN}\b(?![-\w])",
    # get / give / bring me a person; want / need / have a person
    r"\b(?:get|give|bring|find|put)\s+(?:me|us)\s+(?:through to\s+|on to\s+)?(?:a|an|the|your|some|one of your)?\s*(?:\w+\s+)?"
    r"(?:human|person|agent|representative|operator|supervisor|manager|boss|employee|staff member|advisor|adviser|someone)\b(?![-\w])",
    r"\b(?:want|need|have|request|demand|prefer|get)\s+(?:to\s+(?:talk|speak|chat)\s+(?:to|with)\s+)?(?:a|an|the|some|your|one of your)\s+(?:\w+\s+)?"
    r"(?:human|person|agent|representative|operator|supervisor|manager|employee|staff member|advisor|adviser)\b(?![-\w'’])"
    r"(?!\s+(?:fee|fees|number|code|network|status|account|details|role)\b)",
    # "human please", "agent pls", "a person, please", "real agent needed"
    r"\b(?:human|person|agent|representative|operator|rep)\b[\s,.!]*(?:on\s+)?(?:please|pls|plz|now|asap|needed|required|immediately)\b",
    # the whole message, or its last sentence, is just "agent" / "human."
    r"(?:^|[.!?]\s*)(?:a\s+|an\s+)?(?:human|agent|operator|representative|person|live agent|human agent|customer service|real person)[.!?\s]*$",
    # call / phone me back, a person to call me
    # ("what do you call me" asks for a nickname: the caller must be a person, or "back" must follow)
    r"\b(?:someone|somebody|a person|an agent|a human|a real person|your team|staff|support|an advisor|an adviser)\s+(?:to\s+|can\s+|could\s+|will\s+|should\s+)?(?:call|phone|ring|email|e-mail|contact)\s+me\b"
    r"|\b(?:call|phone|ring)\s+me\s+back\b|\bcall ?back\b"
    r"|\b(?:(?:can|could|may) i|(?:want|need|like) to)\s+(?:call|phone|ring)\s+(?:someone|somebody|a person|a human|an agent|your (?:team|staff|support))\b",
    # someone from your team / support (to contact me, look at this)
    r"\b(?:someone|somebody|a person|a member|anyone)\s+(?:from|of|at|in)\s+(?:your|the)\s+(?:team|support|company|staff|bank|customer service|fraud team|office)\b",
    # not a bot / done with the chatbot
    r"\b(?:not|no more|don'?t want|do not want|done with|stop|enough of|tired of|sick of|instead of)\b[^.?!\n]{0,20}\b(?:a |the |this |your )?(?:bot|robot|chatbot|automated (?:replies|reply|answers?|system))\b",
    r"\b(?:is there|are there)\s+(?:a|an|any)?\s*(?:actual |real )?(?:human|person|people|one|anyone|someone|humans)\b(?: real)?[^.?!\n]{0,30}\b(?:talk|speak|chat|explain|message|call)\b",
    r"\b(?:reach|contact|get hold of|get through to)\s+(?:a|an|to a)?\s*(?:real |actual |live )?(?:person|human|agent|representative|operator)\b(?!\s+by\b)",
    r"\bhand (?:me )?over to\b|\btake over (?:this|the) chat\b",
    # other languages
    r"\b(?:hablar|charlar|comunicarme|contactar)\s+con\s+(?:un|una|alguien|algún|algun|el|la)?\s*(?:persona|humano|agente|asesor|operador|representante|alguien|ejecutivo|empleado)",
    r"\b(?:pásame|pasame|comunícame|comunicame|transfiéreme|transfiereme|ponme)\s+con\b|\b(?:un|una)\s+(?:humano|persona real|agente real|agente humano)\b|\bnecesito\s+(?:un\s+)?agente\b|\bhay\s+(?:alguna\s+)?(?:persona|alguien)\b",
    r"\bparler\s+(?:à|a|avec)\s+(?:un|une|quelqu'un|quelqu’un|le|la)?\s*(?:conseill\w+|agent|humain|personne|opérateur|operateur|vraie personne|quelqu)|"
    r"\b(?:passez|passe)[- ]moi\b|\bmettez[- ]moi en relation\b|\b(?:un|une)\s+(?:humain|vraie personne|agent humain|conseiller)\b",
    r"\b(?:mit|einen?|einem|einer)\s+(?:\w+\s+)?(?:menschen|mitarbeiter\w*|berater\w*|person|ansprechpartner\w*|kundenberater\w*|kundendienst)\b[^.?!\n]{0,20}(?:sprechen|reden|verbinden|chatten)"
    r"|\bverbinden sie mich\b|\bmitarbeiter bitte\b|\bmenschlich\w*\s+(?:ansprechpartner|mitarbeiter|unterstützung|hilfe|berater)",
    r"\b(?:parlare|chattare)\s+con\s+(?:un|una|un')?\s*(?:operatore|persona|consulente|umano|addetto|agente)|\boperatore (?:umano|disponibile)\b|\bmi passi\b|\b(?:un|una) (?:persona vera|operatore umano)\b",
    r"\bfalar\s+com\s+(?:um|uma|alguém|alguem|o|a)?\s*(?:atendente|pessoa|humano|agente|consultor|operador)|\bme\s+(?:transfere|passa|transfira)\s+(?:para|pra)\b|\batendente humano\b",
    r"\b(?:spreken|praten)\s+met\s+(?:een\s+)?(?:medewerker|mens|persoon|echt persoon|adviseur)|\b(?:medewerker|mens|echt persoon)\s+spreken\b|\bverbind me door\b",
    r"\b(?:rozmawiać|porozmawiać|rozmawiac|porozmawiac)\s+z\s+(?:konsultantem|człowiekiem|czlowiekiem|pracownikiem|doradcą|doradca)",
    r"(?:поговорить|говорить|связаться|соедините|свяжите|переключите)[^.?!\n]{0,25}(?:человек|оператор|сотрудник|консультант|специалист)|живым человеком|нужен (?:оператор|человек|сотрудник)",
    r"\b(?:temsilci|insan|yetkili|operatör|operator)\w*\s+(?:ile\s+)?(?:görüşmek|konuşmak|görüşebilir|konuşabilir)",
    r"\b(?:vorbesc|vorbi)\s+cu\s+(?:un|o)?\s*(?:operator|om|agent|consultant|persoană|persoana)",
    r"人工(?:客服|服务|服務)?|转人工|轉人工|真人|客服人员|(?:オペレーター|担当者|人間|スタッフ)と話|상담원|사람과 통화",
]
_HUMAN = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# "are you a real person?" asks what the assistant is, not for a person
_ARE_YOU_HUMAN = re.compile(r"\b(?:are|r)\s+(?:you|u)\b|\bam i (?:talking|chatting|speaking) (?:to|with)\b|\bif you are (?:a|an)\b|^is (?:this|it) (?:a|an)\b")
_STILL_ASKS = re.compile(r"\b(?:transfer|connect|get me|let me (?:talk|speak|chat)|put me through|i (?:want|need|'d like|would like) (?:a|an|to (?:talk|speak|chat)))\b")


def asks_for_human(text: str) -> bool:
    lowered = text.lower().replace("\u2019", "'").strip()
    if _ARE_YOU_HUMAN.search(lowered) and not _STILL_ASKS.search(lowered):
        return False
    return bool(_HUMAN.search(lowered))
