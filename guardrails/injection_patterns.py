"""Prompt-injection phrase patterns, as data: (reason, weight, regex).

Every pattern runs on lower-cased, NFKC-folded text (see ``guardrails.injection``). A weight is
the evidence one hit carries on its own; the detector combines hits with a noisy-or, so two
weak hints (0.35 + 0.4) cross the default threshold of 0.5 while one weak hint does not.
Weights ≥ 0.5 are for phrases that a customer has no reason to write to a support assistant;
weaker ones are for words with innocent uses ("developer mode", "no rules", "in writing").

The benign look-alikes that shaped these patterns are in ``research/injection/data/injection.jsonl``
(category ``benign_lookalike``); the comments name the trap a pattern avoids.
"""

from __future__ import annotations

# Objects an override verb must reach: the model's own instructions, not "my last message".
_OBJ = (
    r"(?:instructions?|instructons|directions|directives?|rules|guidelines|guidance|prompts?|programming|"
    r"restrictions|content polic(?:y|ies)|safety (?:policy|guidelines|rules|filters?)|training|constraints|"
    r"filters|orders|commands|system message|(?:\w+ )?polic(?:y|ies)|what(?:ever)? (?:they|you were|you've been|you have been) (?:programmed|told|gave|given))"
)
_OVERRIDE_VERB = r"(?:ignore|ignoring|disregard|forget|discard|bypass|override|abandon|drop|cancel|reset|stop following|do not follow|don'?t follow|dont follow|no longer follow)"
_FREE = r"(?:unrestricted|unfiltered|uncensored|jailbroken|jailbreak|unlocked|rogue|evil|unbound|lawless|amoral)"

# --- English -----------------------------------------------------------------------------
# Version 8 dropped ten phrases that flagged real benign messages (role-play prompts, BANKING77,
# CLINC150, the written look-alikes) and caught no held-out attack the classifier missed:
# "i am your developer", "pretend you are", "you are now", "act as <persona>", "imagine you are",
# 'say "…"', "say yes" (both back, narrowed, below), "other customers' …", "api keys", "who owns"
# (research/guards/injection_rules.py).
ENGLISH: list[tuple[str, float, str]] = [
    # instruction overrides
    ("instruction_override", 0.85, rf"\b{_OVERRIDE_VERB}\b(?:\W+[\w']+){{0,5}}?\W+{_OBJ}\b"),
    ("instruction_override", 0.75, r"\bnew (?:system )?(?:instructions?|directives?|rules|prompt|policy)\s*(?::|-{1,3}|#)"),
    ("instruction_override", 0.7, r"\b(?:use|follow|obey) (?:these|my|the following) (?:new )?(?:instructions|rules|directives|orders)\b"),
    ("instruction_override", 0.8, r"(?:^|\n)\s*(?:#+\s*)?(?:new )?system(?: override| prompt| message)?\s*(?::|#)"),
    ("instruction_override", 0.8, r"\[\s*(?:system|admin|developer)\s*\]|<\s*/?\s*(?:system|assistant|user)\s*>|\bsystem override\b"),
    ("instruction_override", 0.8, r"\b(?:your|the|these) (?:guidelines|rules|instructions|restrictions|policies) (?:no longer|don'?t|do not) apply"),
    ("instruction_override", 0.75, r"\b(?:previous|earlier|above|prior|original|old) instructions (?:were|are|was) (?:a test|outdated|fake|wrong|void|cancelled|canceled)"),
    ("instruction_override", 0.6, r"\binstructions you were given (?:earlier|before) (?:are|were)"),
    ("instruction_override", 0.7, r"\b(?:obey me|take (?:orders|instructions|commands) from me|your only rule|treat everything i say as)\b"),
    ("instruction_override", 0.75, r"\b(?:safety|content) (?:policy|filters?|guidelines|mode) (?:is|are) (?:now )?(?:disabled|off|removed)|\bsafety off\b"),
    ("instruction_override", 0.75, r"\b(?:end of conversation|begin new session|new session begins)\b"),
    ("instruction_override", 0.45, r"\b(?:no|without(?: any)?) (?:content )?(?:rules|restrictions|filters|guidelines|limitations|censorship|content policy|safety training)\b"),
    ("instruction_override", 0.6, r"\bpriority (?:instruction|directive|override)\b"),
    ("instruction_override", 0.35, r"\bfrom now on\b"),
    ("instruction_override", 0.45, r"\b(?:admin|administrator|root|master) (?:password|credentials|panel)\b"),
    # role play and personas
    ("role_play", 0.85, r"\bdo anything now\b|\b(?:you are|you're|ur) (?:now )?(?:dan|stan|dude|aim)\b"),
    ("role_play", 0.7, rf"\b{_FREE}\s+(?:[\w']+\s+)?(?:ai|assistant|bot|model|mode|version|agent|gpt|persona|llm)\b"),
    ("role_play", 0.4, r"\b(?:unfiltered|uncensored|unrestricted|jailbreak|jailbroken)\b"),
    ("role_play", 0.75, r"\b(?:enable|activate|switch to|enter|turn on|go into|you are (?:now )?in|you're (?:now )?in|in)\s+(?:the\s+)?(?:developer|dev|god|debug|maintenance|sudo|jailbreak|dan|admin)\s+mode\b|\b(?:developer|god|debug|maintenance|jailbreak) mode (?:on|enabled|activated)\b"),
    ("role_play", 0.35, r"\b(?:developer|god|debug|maintenance|jailbreak|dan) mode\b"),
    ("role_play", 0.5, r"\bstay in character\b|\b(?:never refuses?|every request is allowed|nothing is off limits|answer(?:s)? everything)\b"),
    ("role_play", 0.6, r"\bversion of (?:yourself|you) (?:that|with|without)\b|\b(?:two|2|dual) (?:personas|personalities|characters)\b"),
    ("role_play", 0.55, r"\b(?:take on|adopt|assume|play) (?:the )?(?:persona|role|character) of\b"),
    ("role_play", 0.4, r"\bif you were an? (?:ai|model|assistant|bot)\b"),
    # the "grandma exploit": a dead relative who used to read out keys or secrets (the classifier
    # scores it under its raised message cut; no real customer asks the assistant to play one)
    ("role_play", 0.6, r"\b(?:pretend|act|imagine|play|role-?play)\b[^.?!\n]{0,12}?\b(?:you(?:'re| are| were)?|as|to be)\b[^.?!\n]{0,15}?\b(?:grand(?:ma|mother|pa|father|mom|dad)|granny|nana)\b"),
    ("role_play", 0.35, r"\b(?:no longer|not) (?:a |an )?(?:support )?(?:bot|assistant)\b"),
    # system-prompt extraction
    ("prompt_extraction", 0.8, r"\b(?:print|show|reveal|display|output|repeat|echo|dump|paste|leak|give|tell|write out|spell out|list|quote|copy|translate|summari[sz]e|what(?: is|'s| are)|share)\b(?:\W+[\w']+){0,6}?\W+(?:your|ur|the (?:system|initial|hidden|original|secret|confidential|full))\s+(?:[\w-]+\s+){0,2}?(?:system prompt|prompt|pre-?prompt|instructions|system message|configuration|guidelines|directives|rules you)\b"),
    # "thanks for your prompt reply" uses prompt as an adjective
    ("prompt_extraction", 0.6, r"\b(?:your|ur)\s+(?:pre-?|system\s+|initial\s+|original\s+|full\s+)?prompt\b(?!\s+(?:reply|response|help|answer|attention|service|action|payment|refund|support))"),
    ("prompt_extraction", 0.55, r"\b(?:your|ur)\s+(?:system|initial|original|hidden|secret|confidential|internal|starting|opening)\s+(?:instructions?|message|rules|guidelines|directives|configuration)\b"),
    ("prompt_extraction", 0.65, r"\b(?:secret|hidden|confidential|internal) (?:instructions|rules|prompt|guidelines|directives)\b"),
    ("prompt_extraction", 0.75, r"\b(?:what|which)\s+(?:were|was|have|are)\s+you\s+(?:been\s+)?(?:told|given|instructed|programmed|configured)\b"),
    ("prompt_extraction", 0.7, r"\b(?:instructions|guidelines|rules|prompt|directives)\s+(?:that\s+)?(?:you\s+(?:were|have been|'ve been|got)|the operator|they)\s+(?:given|loaded|told|fed|programmed|configured|gave)?\b"),
    ("prompt_extraction", 0.8, r"\b(?:repeat|print|output|copy|echo|paste|return|reproduce)\s+(?:back\s+)?(?:all\s+|everything\s+|the\s+)?(?:[\w']+\s+){0,2}?(?:text|words|content|everything|lines?|message|all)\s+(?:above|before|prior)\b"),
    ("prompt_extraction", 0.75, r"\b(?:text|content|words)\s+(?:that\s+)?(?:came|comes|was|is)?\s*(?:before|above)\s+(?:my|this|the)\s+(?:first\s+)?(?:message|conversation)"),
    ("prompt_extraction", 0.7, r"\bcontext window\b|\b(?:sentence|line|word|paragraph|part)s? of your (?:instructions|prompt|system)"),
    ("prompt_extraction", 0.3, r"\b(?:verbatim|word for word|word-for-word|letter by letter)\b"),
    ("prompt_extraction", 0.4, r"\bdeveloper notes\b|\byour configuration\b"),
    # forced commitments: scripted replies the customer can screenshot
    # Narrowed in version 8 from the two broad "say '…'" / "say yes" rules (they flagged role-play
    # prompts and "did they say yes to my day off"): the quoted reply must promise money back or an
    # approval, or the customer must ask for nothing but yes/approved. 0 of 17,333 tuning benign
    # messages (BANKING77, CLINC150, role-play, written look-alikes) flagged.
    ("forced_commitment", 0.55, r"\b(?:say|type|write|reply|answer|respond|output|state|repeat after me)\b[^.?!\n]{0,30}?[\"“‘«']\s*[^\"”’»'\n]{0,80}?\b(?:guarantee\w*|refund\w*|approved?|promise\w*|compensat\w*|waive\w*|reimburs\w*|will be returned)\b"),
    ("forced_commitment", 0.55, r"\b(?:(?:just|only)\s+(?:say|answer|reply|type|respond)|(?:say|answer|reply|type|respond)\s+(?:only|just))\s+(?:with\s+)?(?:the word\s+)?[\"'“]?(?:yes|approved|confirmed|agreed|i agree|i promise|i guarantee)\b(?!\s*(?:or|/)\s*no)"),
    ("forced_commitment", 0.6, r"\b(?:say|type|write|reply|answer|respond|output)\s+(?:with\s+)?(?:exactly\s+|only\s+|precisely\s+|just\s+)?(?:this|the following)\s+(?:sentence|text|phrase|words?|statement|line)\s*:"),
    ("forced_commitment", 0.45, r"\b(?:you must|you have to|you need to|i need you to|you will|you're going to|you are going to)\s+(?:[\w']+\s+){0,2}?(?:confirm|guarantee|promise|state|agree|admit|accept|commit)\b"),
    ("forced_commitment", 0.5, r"\b(?:promise|guarantee|confirm|commit|state)\b(?:\s+\w+){0,2}\s+in writing\b|\brepeat after me\b"),
    ("forced_commitment", 0.45, r"\b(?:officially (?:promise|confirm|agree)|legally binding|official statement|binding (?:commitment|promise)|for my records|so i can screenshot)\b"),
    ("forced_commitment", 0.3, r"\b(?:full refund|compensat\w+|liabilit\w+|waive\w*|upheld|officially)\b"),
    ("forced_commitment", 0.45, r"^\s*agree that\b|\bsay you (?:guarantee|promise|agree)\b"),
    # data about other people
    ("data_exfiltration", 0.75, r"\b(?:names?|e-?mails?|e-?mail addresses|phone numbers?|addresses|balances?|seed phrases?|recovery phrases?|kyc documents?|conversations?|conversation history|chat history|passwords?|personal data)\s+of\s+(?:all\s+|every\s+|the\s+)?(?:other\s+|previous\s+|\d+\s+)?(?:customers|users|clients|account ?holders|people)\b"),
    # "details for customers in the EU" is how a policy talks, so for/from/on need "other"/"all"
    ("data_exfiltration", 0.75, r"\b(?:names?|e-?mails?|e-?mail addresses|phone numbers?|addresses|details|balances?|seed phrases?|recovery phrases?|kyc documents?|documents|transactions|conversations?|conversation history|chat history|data|passwords?|personal data)\s+(?:that\s+)?(?:of|from|for|on|that)?\s*(?:all\s+|every\s+|the\s+)?(?:other|previous|all|every)\s+(?:customers|users|clients|account ?holders|people)\b"),
    ("data_exfiltration", 0.7, r"\b(?:list|show|name|give me|tell me|send me|read me)\s+(?:\w+\s+){0,3}?(?:customers|users|clients)\s+(?:who|that|with)\b"),
    ("data_exfiltration", 0.8, r"\b(?:dump|export|download|show|give|output|print|list|leak|send)\b(?:\W+\w+){0,4}?\W+(?:customer|user|client)s?\s+(?:database|db|table|list|records)\b"),
    ("data_exfiltration", 0.5, r"\bgive me (?:their|his|her) (?:address|e-?mail|phone|number|details|name|balance)\b"),
    ("data_exfiltration", 0.6, r"(?:<person_\d+>|\bsomeone else)'?s?\s+(?:account|balance|details|transactions|kyc|documents|data|address|e-?mail|phone)"),
    ("data_exfiltration", 0.6, r"\b(?:balance|e-?mail|e-?mail address|phone number|address|details|kyc documents?|transactions|statements?|personal data|data|information)\s+(?:\w+\s+){0,3}?(?:of|for|on|about|registered to|linked to|belonging to|attached to)\s+(?:<person_\d+>|user id|user #|the account with|card ending|my (?:ex|ex-\w+|sister|brother|neighbou?r|boss|husband|wife|partner|friend|colleague))"),
    ("data_exfiltration", 0.6, r"\b(?:which|what) (?:other )?(?:customers|users|clients) (?:have|has|own|hold|sent|contacted|complained)\b"),
    ("data_exfiltration", 0.6, r"\b(?:show|list|give|find)\b.{0,20}\b(?:all|every|which) accounts?\b"),
    ("data_exfiltration", 0.45, r"\buser\s*(?:id|#)\s*:?\s*\d{3,}"),
    # "this payment is not mine" is a normal fraud report, so this alone stays weak
    ("data_exfiltration", 0.25, r"\b(?:isn'?t|is not|not) mine\b"),
    ("data_exfiltration", 0.6, r"\bwhat did (?:the )?(?:previous|last|other) (?:customer|user|person) (?:ask|say|want)\b"),
]

# --- Other languages ---------------------------------------------------------------------------
# Romance/Germanic/Slavic verbs and objects are tabled so a verb from one language with an object
# from another (common in machine-translated attacks) still matches.
_ML_OVERRIDE_VERB = (
    r"(?:ignor(?:e|ez|er|a|ar|ate|ie|iere|ieren|ier)|oubli(?:e|ez|er)|olvida(?:r)?|dimentica(?:re)?|esque(?:ça|ca|ce|cer)|"
    r"vergiss|vergessen sie|negeer|vergeet|zignoruj|ignoruj|zapomnij|игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|"
    r"не обращай(?:те)? внимания на|ne tiens pas compte|ne tenez pas compte|no hagas caso|non tenere conto)"
)
_ML_OBJ = (
    r"(?:instructions|consignes|règles|regles|directives|instrucciones|reglas|indicaciones|directrices|istruzioni|regole|"
    r"indicazioni|instruções|instrucoes|regras|diretrizes|anweisungen|regeln|vorgaben|richtlinien|instruktionen|instructies|"
    r"regels|instrukcje|polecenia|zasady|инструкции|инструкций|правила|указания|ограничения)"
)
_ML_PROMPT = r"(?:prompt|invite|systemprompt|system-prompt|промпт|instructions|instrucciones|istruzioni|instruções|anweisungen|инструкции)"

OTHER_LANGUAGES: list[tuple[str, float, str]] = [
    ("instruction_override", 0.85, rf"{_ML_OVERRIDE_VERB}(?:\W+[\w'’]+){{0,4}}?\W+{_ML_OBJ}"),
    ("prompt_extraction", 0.75, r"\b(?:prompt|message) (?:du |del |di |do )?(?:système|systeme|sistema)\b|\b(?:systemprompt|systeemprompt|system-prompt|prompt systemowy|systemowy prompt|sistem istemi|sistem promptu)\b|системн\w* (?:промпт|подсказк\w*|сообщени\w*)"),
    ("prompt_extraction", 0.7, rf"\b(?:affiche|montre|révèle|revele|donne|répète|repete|muéstrame|muestra|revela|repite|enséñame|mostrami|mostra|rivela|ripeti|mostre|revele|repita|zeig|zeige|gib|nenne|wiederhole|toon|pokaż|покажи|выведи|раскрой|повтори|напиши)(?:[-\s]\w+)?\s+(?:\w+\s+){{0,3}}?{_ML_PROMPT}"),
    ("prompt_extraction", 0.75, r"\b(?:texte ci-dessus|texto (?:de )?arriba|testo (?:qui )?sopra|text oben|texto acima|текст выше)\b|\b(?:mot pour mot|palabra por palabra|parola per parola|palavra por palavra|wörtlich|дословно)\b"),
    ("prompt_extraction", 0.45, r"\b(?:instrucciones|istruzioni|instruções|instructions|anweisungen|инструкции) que te (?:dieron|dio)|che hai ricevuto|que (?:você )?recebeu|die du (?:bekommen|erhalten) hast"),
    ("role_play", 0.7, r"\b(?:fais comme si tu|fais semblant|faites semblant|imagine que tu es|finge que eres|finge ser|haz como si|actúa como|fingi di essere|fai finta di|finja que (?:você|voce|tu)|tu so,? als|tue so,? als|stell dir vor,? du bist|doe alsof je|udawaj,? że|представь,? что ты|притворись|веди себя как)\b"),
    ("role_play", 0.7, r"\b(?:ia|ki|ai|ии|kı) (?:sans|sin|senza|sem|ohne|zonder|bez|без) (?:aucune |ninguna |alcuna |nenhuma |jegliche |любых )?(?:restrictions?|restricciones|restrizioni|restrições|restricoes|einschränkungen|regeln|règles|reglas|regole|regras|limites|límites|limiti|filtres|filtros|filtri|beperkingen|ograniczeń|ограничений|правил)"),
    ("role_play", 0.7, r"\b(?:mode développeur|modo desarrollador|modalità sviluppatore|modo desenvolvedor|entwicklermodus|режим разработчика)\b|\b(?:eres|tu es|du bist|sei|você é|ты) (?:ahora |maintenant |jetzt |ora |agora |теперь )?dan\b"),
    ("instruction_override", 0.35, r"\b(?:a partir de ahora|à partir de maintenant|désormais|ab jetzt|von nun an|d'ora in poi|a partir de agora|с этого момента)\b"),
    ("instruction_override", 0.85, r"\btalimat\w*\s+(?:\w+\s+)?(?:yok say|görmezden gel|unut)|\b(?:önceki|tüm) talimat\w*\s+(?:\w+\s+){0,2}?(?:yok say|görmezden gel|unut)"),
    ("data_exfiltration", 0.7, r"\b(?:données|datos|dati|dados|daten) (?:des |de |di |dos |anderer )?(?:autres clients|otros clientes|altri clienti|outros clientes|kunden)\b|данные других клиентов|其他客户|其他用户"),
]

# CJK has no word boundaries; these run on the same folded text without \b.
CJK: list[tuple[str, float, str]] = [
    ("instruction_override", 0.85, r"(?:忽略|无视|忽视|不要理会|不理会|無視)[^。！？\n]{0,10}?(?:指令|指示|规则|規則|提示|说明|命令|ルール)"),
    ("instruction_override", 0.8, r"(?:忘记|忘掉|忘了)[^。！？\n]{0,6}?(?:规则|指令|指示|设定)"),
    ("prompt_extraction", 0.8, r"(?:显示|输出|告诉我|重复|打印|泄露|展示|给我看|表示)[^。！？\n]{0,8}?(?:系统提示|提示词|系统消息|指令|プロンプト)|システムプロンプト|系统提示词"),
    ("prompt_extraction", 0.75, r"逐字|上面的文字|以上の文章"),
    ("role_play", 0.7, r"假装你是|扮演一个|你现在是|没有任何限制|没有限制的|(?:ふり|振り)をして"),
]

# Strong phrases matched on text squashed to letters only ("i g n o r e", "ig nore", "i.g.n.o.r.e").
SQUASHED: list[tuple[str, float, str]] = [
    ("instruction_override", 0.85, r"(?:ignor(?:e|ing)|disregard|forget)(?:all|any|the|your|my|of)*(?:previous|prior|above|earlier|former)?(?:instructions?|rules|directives|guidelines|prompts?)"),
    ("prompt_extraction", 0.8, r"(?:print|show|reveal|output|repeat|display|tellme)(?:me)?(?:your|the)(?:system|initial|hidden)?prompt"),
    # "developer mode" itself is left to the plain-text tables: scam reports quote it. "You are now in"
    # counts only before a mode, as in the plain-text rule: squashed, "you are now inside your new
    # BTCPay Server" (a real help centre's welcome page) read as "youarenowin" and was set aside as
    # obfuscation; the narrower form matches the same 2 of 1,203 tuning attacks and 0 of 5,277 benign
    # tuning messages as the broad one (research/guards/README.md, "Knowledge scan, version 16").
    ("role_play", 0.8, r"youarenow(?:dan|in(?:the)?(?:developer|dev|god|debug|maintenance|sudo|jailbreak|dan|admin)mode)|doanythingnow|jailbreakmode"),
]

# Another customer's data asked for by name ("what's the balance of John Doe?"). Run on the text
# with its case kept: a capitalised full name is what separates it from "the balance of my
# account". Product and bank words are not names ("balance for Google Pay").
_NOT_A_NAME = (r"(?!(?:Pay|Bank|Card|Cards|Wallet|Account|Express|Business|Plus|Premium|Store|Play|Transfer|Union|Money|Cash|"
               r"Checking|Savings|Credit|Debit|Visa|Mastercard|Euro|Euros|Pounds|Dollars|Kingdom|States|Street|Road|Airlines?|"
               r"Inc|Ltd|Limited|Group|Office|Services?)\b)")
_FULL_NAME = rf"[A-Z][a-z]+(?:[ \t]+{_NOT_A_NAME}[A-Z][a-z'’-]+)+\b"
NAMED_PERSON: list[tuple[str, float, str]] = [
    ("data_exfiltration", 0.6,
     r"(?i:\b(?:balance|transactions?|transaction history|statements?|e-?mail(?: address)?|phone(?: number)?|(?:home )?address|"
     r"account(?: details| number| info(?:rmation)?)?|card (?:number|details)|seed phrase|recovery phrase|kyc(?: documents?)?|"
     r"personal (?:data|details|information)|details|info(?:rmation)?|data|wallet)\s+(?:of|for|belonging to|registered to|linked to|about)\s+"
     rf"(?:the (?:customer|user|client|account holder)\s+)?(?:(?:mr|mrs|ms|miss|dr)\.?\s+)?){_FULL_NAME}"),
    ("data_exfiltration", 0.6,
     rf"{_FULL_NAME}['’]s\s+(?i:balance|address|e-?mail|phone|transactions|details|seed|kyc|statement|card number|account number)"
     rf"|(?i:\b(?:look up|check|access|open|show me|pull up|find)\s+){_FULL_NAME}['’]s\s+(?i:account|wallet|card|profile)"),
]
