"""Cue patterns for the sensitive topics, in two stages.

Stage 1 decides what kind of message it is: does it *report a current incident or need*
("my card was stolen", "someone logged in", "I didn't make this", "is this a scam?" about a
message the writer received, "help, urgent") or is it a *general, hypothetical or how-to
question* ("what happens if", "how do I set up", "is it safe to", "just in case")?

Stage 2 has two cue families per category:
- ``STRONG`` cues are incident phrasings on their own ("my phone got nicked", "i didn't
  authorise"): they fire unless the message is marked hypothetical ("if i ever", "in case").
- ``WEAK`` cues are topic words that a general question uses too ("scam", "seed phrase",
  "police", "died"): they fire only when stage 1 found an incident and no general-question
  opening.

Patterns run on lower-cased text in which the redactor's placeholders are still present
(``<seed_phrase_1>``), with curly quotes folded and the company's names (``BEACON_COMPANY_NAME``,
app/core/company.py) written ``_company_``. Common chat typos are spelled out where
they were seen ("acount", "scamed", "phised", "passd").
"""

from __future__ import annotations

import re

from app.core.company import Company

_ME = r"(?:i|i've|ive|i'm|im|i'd|we|we've|me|my|mine|our)"
_SOMEONE = r"(?:some ?one|somebody|some1|sum1|a (?:guy|man|woman|girl|lady|fella|bloke|caller|person|recruiter|company)|the (?:guy|man|woman|caller|person|seller|buyer)|he|she|they|hackers?|scammers?|attacker|my ex|(?:the |a )?thie(?:f|ves)|whoever|an? unknown (?:party|person)|a stranger|my (?:husband|wife|partner|boyfriend|girlfriend|flatmate|roommate))"
_SECRET = (r"(?:seed(?: phrase| words)?|recovery (?:phrase|words|frase|sheet|codes?)|private key|privat key|<seed_phrase_\d+>|<private_key_\d+>|"
           r"(?:12|24|twelve|twenty[- ]four)[- ]words?(?: phrase)?|2fa(?: code)?|one[- ]time (?:code|passcode|password)|otp|verification code|"
           r"(?:six|6)[- ]digit code|authenticator code|backup codes|passwords?|passcode|pin|login details|the code)")
_SEED = r"(?:seed(?: phrase| words)?|recovery (?:phrase|words|frase|sheet)|private key|privat key|<seed_phrase_\d+>|<private_key_\d+>|(?:12|24|twelve|twenty[- ]four)[- ]words?(?: phrase)?|secret (?:recovery )?phrase)"
_CARD_DEV = r"(?:card|cards|phone|fone|mobile|iphone|android|laptop|tablet|ipad|ledger|trezor|hardware wallet|yubikey|authenticator|wallet|purse|bag|handbag|backpack|(?:vault |security |signing )?device)"
_NOT_ME = r"(?:wasn'?t me|was not me|not me|didn'?t do (?:it|this|that)|never (?:did|do) that)"

STRONG: dict[str, list[str]] = {
    "fraud_scam": [
        r"\b(?:been|got|was|were|i'?ve been|i think i'?ve been|think i was|i was) (?:scamm?ed|scamed|conned|phished|phised|defrauded|tricked|duped|ripped off)\b",
        r"\bscamm?ed\b|\bscamed\b|\bconned\b|\bphis(?:h)?ed\b|\bduped\b|\bfell for\b|\bgot tricked\b|\btricked (?:me|into|my)\b",
        r"\b(?:pretending|claiming|claimed|posing|posed|impersonat\w*|said (?:he|she|they) (?:was|were)|says? (?:he|she|they)(?:'s| is| are|'re)) (?:to be |as |from |with )?\b",
        r"\bsaid (?:they were|he was|she was|it was) (?:from|with|_company_|my bank|the|your)\b",
        r"\bfake (?:_company_|support|shop|store|app|website|site|payment|agent|seller|landlord|investment|exchange|platform|login|account|screenshot|confirmation)\b",
        r"\bsafe account\b|\bsecure (?:vault|wallet) address\b|\brug ?pull\b|\bpig butchering\b|\bromance scam\b|\btask scam\b|\bblackmail\w*\b|\bsextort\w*\b",
        r"\b(?:release|withdrawal|unlock|unfreeze|tax|clearance) fee\b.{0,60}\b(?:first|before|pay|want|asking)\b|\bwant(?:s)? (?:me to pay )?(?:a|another)\b.{0,20}\bfee\b.{0,30}\bwithdraw",
        r"\b(?:won'?t|will not|doesn'?t|does not) let me (?:withdraw|take (?:anything|my money|it) out|cash out)\b",
        r"\b(?:anydesk|teamviewer|remote access|share (?:my|the) screen)\b",
        r"\b(?:told|asked|wants?|wanted|instructed|pressured|pressuring|talked|convinced|persuaded|got) (?:me|him|her|my \w+) (?:to|into) (?:move|moving|transfer\w*|send\w*|pay\w*|buy\w*|withdraw\w*|install\w*|invest\w*|put|read|receive)\b",
        r"\b(?:itunes|apple|google play|steam|amazon|gift) (?:cards?|vouchers?)\b.{0,60}\b(?:asked|told|wanted|made me|for (?:him|her|them|someone)|claiming|tax|pay)\b",
        r"\b(?:asked|told|made) me to buy\b.{0,30}\b(?:cards?|vouchers?)\b",
        r"\bis (?:this|it|that) (?:a scam|legit|legitimate|real|genuine|from (?:you|_company_))\b|\bwas (?:this|that|it) (?:you|a scam)\b",
        r"\b(?:double|triple) my (?:eth|btc|crypto|money|bitcoin)\b|\bguaranteed returns?\b|\brecovery (?:agent|service|company)\b.{0,60}\b(?:paid|fee|pay|contacted|says)\b",
        r"\bcompany on telegram\b|\b(?:get|got) my (?:wallet|money|crypto|funds) back if i pay\b",
        r"\b(?:never|didn'?t|did not) (?:arrived?|showed? up|came|come)\b.{0,80}\b(?:seller|blocked|site is gone|fake|disappeared|vanished|scam)\b|\b(?:seller|landlord|buyer)\b.{0,40}\b(?:blocked me|disappeared|vanished|doesn'?t exist|stopped replying)\b",
        r"\b(?:receive|accept) money\b.{0,50}\b(?:send it on|pass it on|forward it|transfer it)\b|\bmoney mule\b",
        r"\bsent (?:her|him|them)\b.{0,40}\b(?:money|usdc|btc|eth|crypto|£|\$|€|\d)",
        r"\b(?:dating (?:app|site)|met (?:her|him|them|a \w+) online|met online|never met)\b.{0,160}\b(?:sent|send|money|transfer|invest)\b",
        rf"\b(?:{_SOMEONE}|support|agent|caller)\b.{{0,40}}\b(?:asked|asking|wants?|wanted)\b.{{0,20}}\b(?:for )?my (?:seed|recovery|private key|privat key|2fa|pin|code|password|one[- ]time|12|24|wallet details)",
        r"\b(?:call|called|calling|rang|ringing|text|texted|message|messaged|email|emailed|dm'?d)\b.{0,40}\b(?:from _company_|from the bank|from my bank|from your|_company_ (?:support|agent|security)|fraud (?:team|department)|police officer)\b",
        r"\bsaying (?:they'?re|he'?s|she'?s|they are|he is|she is|i was|my account)\b|\b(?:they'?ve|he'?s|she'?s|they|he|she|and) blocked me\b",
        r"\"(?:police|_company_|bank|support|hmrc|irs|usps|broker|account manager|crypto recovery|security team|me|wallet validator|migration tool)[^\"]{0,25}\"",
        r"\bwon (?:a|the)\b.{0,30}\b(?:giveaway|prize|lottery)\b|\blottery company\b|\bkeep(?:s)? (?:asking|pushing|calling)\b|\bwant(?:s)? (?:more|another)\b|\basking for more\b|\bpressur\w+\b|\bpushing me\b",
        r"\bnew bank details\b|\blet (?:them|him|her) use (?:it|my account)\b|\bgot a (?:call|text|message|email) from\b.{0,100}\b(?:sent|paid|transfer\w*)\b",
        r"\bmove my (?:savings|money|funds|crypto|coins)\b.{0,30}\b(?:secure|safe|new|another)\b",
        r"\bsigned (?:a|the|some) transaction\b|\bapproved something\b|\bconnected (?:it|my wallet)\b.{0,40}\bsite\b|\bclicked (?:a|the|their|on a) link\b|\bclicked it\b|\busing my name\b",
        r"\b(?:asked|told|wants?|wanted|got) me to (?:verify|validate|sync|connect|confirm|unlock|upgrade|migrate) my (?:wallet|account|vault|funds)\b",
        r"\b(?:investment|trading|crypto|forex) (?:platform|site|app|group|mentor|coach|expert|manager|opportunity)\b.{0,80}\b(?:can'?t withdraw|won'?t let|fee|tax|blocked|disappeared|sent|invested|paid)\b",
        # Version 4 families: payment held to extract a fee, threats for money, promised returns.
        r"\buntil (?:i|we) (?:send|pay|deposit|transfer)\b|\bunless (?:i|we) (?:pay|send|transfer|give)\b|\b(?:shipping insurance|insurance fee|activation fee|verification fee|processing fee|release fee|unlock fee)\b",
        r"\b(?:promised|promising|guaranteed?)\b.{0,30}\b(?:returns?|profits?|\d+ ?%)\b|\b\d+(?:\.\d+)? ?% (?:a |per |every )?(?:day|daily|week|weekly)\b|\bdaily (?:returns?|profits?)\b",
        r"\b(?:threaten\w*|going to (?:send|post|share|leak))\b.{0,60}\b(?:photos?|pictures?|pics|videos?|images?)\b|\bprivate (?:photos|pictures|pics|videos)\b",
        r"\b(?:told|contacted|called|rung|phoned|warned) by (?:a|an|someone|the)\b.{0,40}\b(?:caller|police|bank|_company_|fraud|security|officer|agent)\b|\bmoney laundering\b.{0,80}\b(?:move|transfer|send|safe|arrest)\w*\b",
    ],
    "account_takeover": [
        r"\bhack(?:ed|er|ers)\b",
        rf"\b{_SOMEONE}\b.{{0,40}}\b(?:logged|log|logging|got|gets|get|getting|been|broke|breaking|has been) ?(?:in|into|access)\b",
        rf"\b{_SOMEONE} (?:is|was|has been|'s) in my (?:account|acount|acc|wallet|app)\b|\bsomeone(?:'s| is| has)? (?:accessed|accessing|using) my (?:account|acount|acc|wallet|details)\b",
        r"\bsim (?:swap(?! protection)|swapped|has been swapped|was moved|card was moved)\b|\bswapped my sim\b|\bsim was (?:moved|ported)\b|\b(?:number|phone) (?:got |was |has been )?ported\b",
        rf"\b(?:changed|reset|turned off|switched off|disabled|removed|deleted|moved|added|switched)\b.{{0,60}}\b(?:{_NOT_ME}|without me|without my (?:permission|knowledge|consent)|i didn'?t|i never|i did not|didn'?t do it)\b",
        r"\b(?:didn'?t|did not|never)\b.{0,10}\b(?:change|request|ask for|asked for|approve|requested|changed|add|added|touch|make|made)\b.{0,40}\b(?:email|password|pw|number|2fa|two[- ]factor|login|log ?in|sign[- ]?ins?|reset|codes?|anything|address|passkey|device|settings)\b",
        r"\b(?:email|password|pw|phone number|number|2fa|two[- ]factor|passkey|recovery email|username|name and address)\b.{0,40}\b(?:was|were|has been|have been|got|been) (?:changed|reset|switched|removed|deleted|turned off|disabled)\b.{0,60}\b(?:not me|never|didn'?t|without|can'?t|cannot|overnight|random|don'?t recogni[sz]e)\b",
        r"\b(?:account|acount|acc|wallet)\b.{0,25}\b(?:compromised|breached|taken over|hijacked|been accessed)\b|\btaken over\b|\bunauthori[sz]ed access\b",
        r"\b(?:log ?in|login|sign[- ]?in|session|access(?:ed)?)\b.{0,40}\bfrom (?:a |an )?(?:new|another|different|unknown|strange|weird)? ?(?:city|country|device|ip|location|place|windows|chrome|\w+ in)\b",
        r"\b(?:new |unknown |strange |suspicious |unrecogni[sz]ed )(?:login|log-in|sign[- ]in|device|session|trusted device)s?\b.{0,60}\b(?:alert|email|notification|added|listed|wasn'?t|not me|never|i don'?t|isn'?t|aren'?t)\b",
        r"\b(?:login|log ?in|sign[- ]?in|session|device|passkey)s?\b.{0,50}\b(?:i don'?t (?:recogni[sz]e|own)|aren'?t mine|isn'?t mine|not mine|wasn'?t me|not me|i (?:never|didn'?t) (?:made?|do|did)|i'?ve never owned)\b",
        r"\b(?:codes?|approval requests?|reset emails?)\b.{0,40}\b(?:never requested|didn'?t (?:request|ask)|aren'?t from me|not from me|i didn'?t ask)\b",
        rf"\b{_SOMEONE} (?:has |had )?(?:changed|reset|registered|added|removed|accessed)\b.{{0,30}}\bmy\b|\bnot me (?:logging|signing)\b|\bsomeone else (?:is )?in my\b|\b(?:using|used) my (?:account|face)\b",
        r"\bactive session in\b|\bkick (?:them|him|her|other devices) (?:out|off)\b|\blogin from [a-z]+\b",
        r"\b(?:got|received|had) (?:an? )?(?:email|text|sms|notification|alert|message)\b.{0,40}\b(?:password|email|phone number|2fa|pin|login details)\b.{0,20}\b(?:was|were|has been|had been|got) (?:changed|reset|updated)\b",
        r"\b(?:can'?t|cannot|can not|cant|unable to) (?:log|sign|get) (?:in|into|back in)\b.{0,60}\b(?:password|email|number)\b.{0,20}\b(?:changed|isn'?t mine|not mine|doesn'?t work any ?more)\b",
        r"\b(?:device|phone|browser|iphone|android|laptop)s?\b.{0,30}\b(?:added|linked|registered|connected) to my (?:account|wallet|app)\b.{0,40}\b(?:not mine|isn'?t mine|never|didn'?t|don'?t (?:own|recogni[sz]e))\b",
        # Version 4 families: access gained by someone, a credential or SIM changed behind the writer's back.
        rf"\b(?:gained|gain|gaining|got|getting|has|had) (?:unauthori[sz]ed )?access to my\b|\b(?:going|getting|logging|been|gone) (?:into|in to) my (?:account|acount|app|wallet|_company_)\b|\bbehind my back\b",
        rf"\b{_SOMEONE} (?:has |had |have |'s )?(?:linked|activated|created|enabled|set up|turned off|disabled|connected|changed|added)\b.{{0,40}}\b(?:my|to my|on my)\b",
        r"\bnew sim\b.{0,40}\b(?:activated|issued|ordered|registered)\b|\bsim (?:was |got |has been )?(?:activated|issued|ordered)\b.{0,40}\b(?:never|didn'?t|not me|wasn'?t me)\b",
        r"\b(?:was|were|has been|have been|got)\s(?:created|added|linked|activated|enabled|set up|changed)\b.{0,80}\b(?:i(?:'ve| have)? never|i didn'?t|not me|wasn'?t me)\b",
        r"\b(?:email|e-?mail|gmail|outlook|phone number)\b.{0,25}\b(?:compromised|breached|taken over)\b|\bsecurity (?:question|questions|details|answers?)\b.{0,30}\b(?:changed|reset)\b|\bchanged (?:the|my) security (?:question|details)\b",
    ],
    "unauthorised_transaction": [
        r"\b(?:don'?t|do not|didn'?t|did not|never|wasn'?t) (?:recogni[sz]e|reconi[sz]e|reconise|make|made|authori[sz]e|authori[sz]ed|send|sent|withdraw|initiate|initiated|approve|approved|set up|buy|bought|order|ordered|joined|use|used|do|did)\b(?!.{0,30}\b(?:email|password|number|2fa|login|reset|passkey|address)\b)",
        r"\bunauthori[sz]ed (?:transaction|payment|charge|transfer|withdrawal|debit|spend)s?\b|\bfraud(?:ulent)? (?:charges?|payments?|transactions?|debits?)\b",
        r"\b(?:money|funds|savings|balance|crypto|btc|eth|usdc|coins)\b.{0,20}\b(?:has been |have been |was |were |got )?(?:taken|gone|disappeared|dissapeared|vanished|missing|drained|emptied)\b|\b(?:balance shows zero|now it'?s empty)\b",
        r"\bwithout my (?:permission|consent|knowledge|authori[sz]ation)\b|\bwithout (?:asking|me knowing)\b",
        r"\b(?:no idea|don'?t know) what (?:it|this|that) is\b|\b(?:don'?t|do not) know (?:who|what) (?:that|this) is\b|\bwho took\b",
        rf"\b(?:transaction|payment|charge|transfer|withdrawal|debit|direct debit)s?\b.{{0,60}}\b{_NOT_ME}\b|\b(?:wasn'?t|not) mine\b",
        r"\bsomeone (?:has )?(?:spent|spend|used|bought|withdrew|charged|made)\b.{0,40}\b(?:my card|on my card|with my card|from my)\b|\bsomeone(?:'s| has) been (?:making|using|spending)\b|\bmoved money out\b",
        r"\b(?:never|haven'?t) (?:been|used|gamble|shop)\b.{0,20}\b(?:there|to|that|at)?\b",
        r"\b(?:used|using) my card\b|\bcard (?:was |got |has been |been )?used\b|\bspent on it\b|\bisn'?t mine\b|\bunknown merchant\b|\b(?:haven'?t left|don'?t live in|i'?ve never (?:shopped|used|been))\b",
        r"\bcharged? (?:me )?for something i (?:never|didn'?t)\b|\bi (?:was|wasn'?t) (?:at home|even there)\b|\bwasn'?t even there\b",
        r"\b(?:strange|weird|odd|random|mystery|mysterious|unknown|unfamiliar|dodgy|suspicious|unrecogni[sz]ed)\b.{0,15}\b(?:charges?|payments?|transactions?|debits?|withdrawals?|transfers?|purchases?|direct debits?)\b(?!.{0,20}\b(?:email|text|call|message|link)\b)",
        r"(?:\b(?:money|funds|cash|crypto|coins)\b|[£$€]\d+)\b.{0,30}\b(?:left|taken out of|gone from|missing from|disappeared from|withdrawn from|moved out of)\b.{0,10}\bmy (?:account|wallet|vault|balance)\b",
        r"\b(?:charges?|payments?|transactions?|debits?|withdrawals?|transfers?|purchases?)\b.{0,40}\b(?:i (?:don'?t|do not|can'?t) (?:remember|recall) (?:making|doing|buying)|i (?:have|had) no (?:idea|memory)|never heard of|don'?t know the (?:shop|merchant|company))\b",
        r"\bmy (?:card|account|wallet) (?:has been|was|got|is being) (?:cloned|skimmed|charged|debited|emptied|drained|used)\b|\bcloned card\b|\bcard details (?:were |have been |got )?(?:stolen|used|taken|compromised)\b",
        # Version 4 families: an alibi ("I was in bed", "the card is right here"), "I don't
        # gamble", someone else spending or moving the money out.
        r"\b(?:i'?m|i was|i am|i'?ve been|we were|we'?re)\b.{0,12}\b(?:at home|in bed|asleep|at work|nowhere near|home all|in [a-z]+ all (?:day|night|week|evening))\b|\bcard is (?:right )?(?:here|in my (?:wallet|purse|hand|pocket))\b|\bstill (?:have|got) (?:my|the) card\b",
        r"\bi (?:don'?t|do not|never|dont) (?:gamble|bet|have any subscriptions?|have a subscription|shop (?:there|at)|even use)\b|\bnever set (?:that|this|it|them) up\b",
        r"\b(?:some ?one|somebody|some1)(?:'s| has| have)? (?:just )?(?:spent|used|bought|withdrew|charged|sent|moved|transferred)\b|\bto (?:themselves|himself|herself)\b|\bmov(?:ed|ing) (?:the |my |all my )?(?:money|funds|crypto|savings) out\b",
        r"\b(?:sold|sent|moved|transferred|withdrew|drained|emptied|swapped)\b.{0,10}\ball (?:of )?my (?:eth|btc|crypto|coins|money|funds|savings|balance|usdc)\b|\b(?:he|she|they)(?:'s| has| have|'ve)? been using (?:it|my card|my account)\b",
    ],
    "lost_stolen_device": [
        rf"\b(?:lost|losing|misplaced|left|dropped|forgot)\b.{{0,12}}\b(?:my|the|both my|our|her|his)\b.{{0,25}}\b{_CARD_DEV}\b(?!.{{0,15}}\b(?:number|pin|password)\b)",
        rf"\b{_CARD_DEV}\b.{{0,40}}\b(?:stolen|nicked|snatched|pinched|taken|missing|lost|gone missing|isn'?t in|was taken|took it|swallowed|pickpocketed|fell out)\b",
        rf"\b(?:stolen|lost|missing) (?:debit )?{_CARD_DEV}\b|\b(?:mugged|burgled|pickpocketed|robbed|break-in|broke into)\b|\bbag (?:got |was )?nicked\b",
        rf"\b(?:can'?t|cannot|can not|cant|couldn'?t) find (?:my|the) {_CARD_DEV}\b|\b(?:stole|took|pinched|snatched|nicked) (?:my|our)\b",
        rf"\b(?:report|block|cancel|freeze)\b.{{0,20}}\b(?:my )?(?:card|phone)\b.{{0,15}}\b(?:stolen|lost|missing)\b|\bit'?s been stolen\b",
        r"\b(?:new |replacement )?card (?:never arrived|delivered to (?:a|the wrong))\b|\bdelivered to a neighbour\b",
        r"\b(?:phone|fone|mobile)\b.{0,30}\b(?:in (?:the|a) (?:sea|lake|river|toilet)|smashed|dead)\b",
        r"\bphone number to block my card\b|\bblock my card\b.{0,40}\bcan'?t open the app\b|\btemporarily block my card\b.{0,40}\bsomewhere\b",
    ],
    "secret_exposed": [
        # "wrote" is not here: writing the words down is the backup every help centre asks for
        # ("can I check that I wrote my recovery words down correctly"); a note that was then lost
        # or seen is caught by the cues below.
        rf"\b(?:gave|give|given|giving|told|tell|shared|share|sent|send|typed|type|entered|enter|pasted|put|read(?: out| back)?|handed over|emailed|posted|uploaded|screenshot(?:ted)?|photo(?:graphed)?|import(?:ed)?|fill(?:ed)? in|said)\b.{{0,50}}\b{_SEED}\b",
        r"\b(?:gave|give|given|giving|told|tell|shared|share|sent|send|read(?: out| back)?|handed over|emailed|posted|screenshot(?:ted)?)\b.{0,40}\b(?:pin|password|passcode|2fa|one[- ]time|otp|verification code|(?:six|6)[- ]digit code|authenticator code|backup codes|login details|the code|code you)\b",
        rf"\b{_SEED}\b.{{0,50}}\b(?:leaked|visible|exposed|compromised|in a (?:leak|breach)|breached|hacked|posted|online|opened|someone else)\b|\b(?:password|passcode)\b.{{0,30}}\b(?:leaked|in a (?:leak|breach)|data breach)\b|\bleaked my\b",
        r"\b(?:saw|seen|watched|knows?|knew)\b.{0,20}\bmy (?:seed|recovery|private key|pin|passcode|password|2fa|12-word|24 words|backup codes)\b|\bhas my (?:seed|recovery|private key|2fa|password)\b",
        r"<seed_phrase_\d+>|<private_key_\d+>",
        rf"\b(?:asked|asking|asks|wants?|wanted|requested)\b.{{0,20}}\b(?:for )?my {_SECRET}\b",
        r"\bsame password\b.{0,80}\b(?:breach|hacked|leak)\w*\b|\bhaveibeenpwned\b|\bdata breach\b.{0,40}\bsame\b",
        rf"\b{_SEED}\b.{{0,60}}\b(?:uploaded|sold|github|cloud)\b|\bwrote my pin\b",
        r"\bphoto of my recovery\b|\b(?:the|a) form asked for the (?:12|24) words\b|\bput them in\b",
        r"\b(?:fake|phishing|bogus) (?:_company_ )?(?:login|log-in|site|page|website)\b.{0,30}\b(?:typed|entered|put|logged)\b|\b(?:typed|entered|put) my password (?:in|into|on)\b",
        r"\blogged in through (?:it|the link|their link)\b|\bthe app took my login\b",
        rf"\b(?:gave|sent|told|read out|shared|showed|handed) (?:them|him|her|it to (?:them|him|her)|the (?:caller|agent|guy|man|woman|person|bot))\b.{{0,20}}\b(?:my |the )?{_SECRET}\b",
        rf"\b(?:accidentally|by mistake|mistakenly)\b.{{0,40}}\b(?:shared|posted|sent|pasted|showed|leaked|uploaded|screenshot\w*)\b.{{0,40}}\b{_SECRET}\b",
        rf"\b(?:stream|livestream|screen ?share|screen ?sharing|video call|zoom)\b.{{0,60}}\b{_SEED}\b|\b{_SEED}\b.{{0,60}}\b(?:stream|screen ?share|on camera)\b",
        rf"\b(?:paper|notebook|note|card|sheet|photo|screenshot|notes app|cloud|icloud|google drive|email)\b.{{0,30}}\b(?:with|of|containing) my {_SEED}\b.{{0,40}}\b(?:stolen|taken|lost|hacked|missing|gone|leaked|breached)\b",
        # Version 4 families: the secret typed into the message itself ("my 2fa code is
        # 482913"), someone watched it typed, a key pushed to a public place, a breached
        # password reused here, codes thrown out, a remote-access session over the wallet.
        r"\bmy (?:password|passcode|pin|pin code|2fa code|2fa|one[- ]time code|otp|authenticator code|verification code|security code|code)\s*(?:is|:|=)\s*(?:[\"']?(?=\S*\d)\S{4,}|\d{3} \d{3})",
        r"\b(?:watched|saw|seen|filmed|recorded|looking over)\b.{0,15}\b(?:me (?:type|typing|enter|entering|put|putting)|my shoulder)\b",
        r"\b(?:api (?:key|secret)s?|secret key|private key|seed|password|credentials)\b.{0,60}\b(?:github|public repo|pastebin|public (?:channel|chat|group|forum|post))\b|\bpushed\b.{0,30}\b(?:secret|key|password|credentials)\b",
        r"\b(?:hacked|breach\w*|leak\w*|pwned)\b.{0,80}\bsame password\b",
        r"\b(?:backup codes|recovery (?:codes|sheet)|seed|private key|passwords?)\b.{0,80}\b(?:anyone could|thrown (?:out|away)|in the (?:bin|trash|rubbish))\b",
        r"\b(?:anydesk|teamviewer|remote access|screen ?shar\w*)\b.{0,120}\b(?:opened my (?:wallet|app|account)|seed|private key|recovery (?:phrase|words)|logged (?:in|into))\b",
    ],
    "legal_regulatory": [
        r"\b(?:lawyer|lawyers|solicitor|attorney|atorney|law firm|barrister)\b(?!.{0,25}\b(?:invoice|fees?)\b)",
        r"\b(?:sue|suing|lawsuit|legal action|legal advice|proceedings|small claims|letter before action|take you to court|taking you to court|to court|court order|see you in court)\b",
        r"\b(?:ombudsman|fca|fos|cfpb|ftc|ico|information commissioner|trading standards|regulator|attorney general|bank of lithuania|central bank|finra|financial conduct authority|consumer financial protection)\b",
        r"\b(?:police|detective|action fraud|crime reference|subpoena|warrant|law enforcement|report number)\b",
        r"\b(?:gdpr|ccpa|subject access|data subject|right to (?:erasure|be forgotten)|article 15|withdrawing consent|stop processing my)\b",
        r"\b(?:delete|erase|wipe|remove)\b.{0,30}\b(?:all )?(?:my|of my) (?:data|personal|details|information|info)\b|\ball my data deleted\b",
        r"\beverything you (?:have|hold) on me\b|\b(?:copy|all) of (?:all )?(?:the )?(?:personal )?(?:data|info|information|everything) you (?:have|hold)(?: on| about)? me\b|\brequest a copy of my data\b",
        r"\bwho can i (?:go|escalate|complain) to\b|\btake (?:this|it) to the ombudsman\b",
        r"\bunlawful\b|\bentitled to it by law\b|\bprobate\b|\bestate of\b",
    ],
    "complaint": [
        r"\bcomplaint\b|\bcompla(?:i)?n\b|\bcompaint\b|\bcomplant\b|\bcomplain(?:ing)?\b",
        r"\bescalat(?:e|ed|ing)\b",
        r"\b(?:speak|talk) to (?:a|your|the) (?:manager|supervisor|someone senior)\b|\bsomeone senior\b",
        r"\b(?:disgusted|disgrace\w*|appalling|shocking|livid|furious|unacceptable|fed up|beyond frustrated|nightmare|useless|rubbish|rubish|worst|is a joke|ridiculous|rediculous|dismissive|rude|pathetic|terrible service|poor service|treated (?:this|so) badly)\b",
        r"\bcompensation\b|\bextreme(?:ly)? (?:dissatisf\w+|unhappy)\b|\butterly disappointed\b|\bnot happy with (?:the|your|how)\b|\bunhappy with (?:your|the|how)\b",
        r"\btake (?:this|it) to the ombudsman\b|\bfinal (?:answer|response)\b|\bnobody has given me\b|\bno(?:body| one) has (?:replied|answered|got back)\b",
        r"\bso hard to get a straight answer\b|\bnobody (?:will|can) (?:say|tell)\b|\bi'?ve explained this\b",
        r"\b(?:done being patient|had enough|sick (?:and tired )?of|last straw|lost patience)\b|\b(?:go|take (?:this|it)|escalate (?:this|it)|pass (?:this|it)|send (?:this|it)) to (?:your|the) complaints?\b|\btake (?:my case|my complaint|you) to the (?:financial )?ombudsman\b",
    ],
    "vulnerable_customer": [
        r"\b(?:passed away|passed on|passd away|passed last|died|dead|death certificate|date of death|bereave\w*|late (?:husband|wife|partner|father|mother|mum|mom|dad|son|daughter|brother|sister)|executor|funeral|lost my (?:daughter|son|wife|husband|mum|mom|dad|partner))\b",
        r"\b(?:suicid\w*|end my life|kill myself|hurt(?:ing)? myself|self[- ]harm|don'?t see the point|can'?t carry on|carry on|giving up on|dark place|breakdown|panic attack|feel like giving up)\b",
        r"\b(?:spouse|husband|wife|mum|mom|dad|father|mother|brother|sister|son|daughter|partner) (?:has |just )?passed\b|\bisn'?t my first language\b|\bdivorce\b|\bcan'?t (?:sleep|face)\b|\bruining me\b|\bi have nothing\b",
        r"\b(?:can'?t|cannot|cant) (?:pay|make|afford) (?:my |the )?rent\b|\bbailiffs?\b|\bbailifs\b|\bevict\w*\b|\bdebt collectors?\b|\bin debt\b|\bdrowning in debt\b|\bhardship\b|\bskipping meals\b|\bhomeless\b|\bon the street\b|\bskint\b|\bredundant\b|\blost my job\b|\bbehind on (?:all )?my (?:bills|rent|payments)\b",
        r"\bgambling (?:problem|addiction)\b|\bcan'?t stop gambling\b|\bself-excluded\b|\bgambling away\b|\bkeep gambling\b|\baddict\w*\b",
        r"\b(?:controls (?:all )?my money|frightened of|scared of (?:him|her)|threaten\w* (?:me|to)|forced to|makes me (?:give|transfer)|checks my app)\b",
        r"\b(?:dementia|alzheimer'?s|stroke|mental capacity|power of attorney|learning difficult\w*|visually impaired|blind|deaf|autis\w*|cancer|chemo\w*|bipolar|depress\w*|disabled|disability|in hospital|terminal\w*|diagnosed)\b",
        r"\b(?:struggling|can'?t cope|not coping|overwhelmed|wits'? end|falling apart)\b",
        r"\b(?:domestic abuse|abusive (?:partner|husband|wife|relationship|ex)|coercive|financial abuse|grie(?:f|ving)|widow(?:ed)?|recently separated)\b",
        r"\b(?:can'?t|cannot|can not|cant) (?:afford|pay for) (?:food|to eat|heating|my bills|the bills|groceries|nappies|medication)\b|\b(?:food bank|lost my (?:home|house|flat))\b",
        # Version 4 families: running out of money before payday, falling behind, a failed
        # business; a partner who controls the money or sends threats.
        r"\b[£$€]?\d+ (?:left|to last)\b.{0,20}\b(?:until|till|til)\b|\buntil payday\b|\bemergency help\b|\bbehind on (?:\w+ ){0,3}(?:rent|bills?|payments?|mortgage)\b|\b(?:business|company|shop) (?:went|has gone|had gone|is going) (?:under|bust)\b|\bborrow\w* from one card\b|\bmake ends meet\b|\bmore time (?:on|to pay|to repay)\b",
        r"\bcontrols? (?:all )?(?:the|my|our) (?:money|finances|accounts?|cards?)\b|\bchecks my (?:phone|app|account|messages|spending|bank)\b|\bthreatening (?:messages|texts|me|notes)\b|\btoo scared\b|\bscared of (?:him|her|them|my)\b|\b(?:he|she) can'?t see\b",
        r"\bi (?:have|'?ve got|got|suffer from|was diagnosed with) (?:adhd|ptsd|ocd|severe anxiety|depression|dyslexia|parkinson'?s|epilepsy|ms|a brain injury|memory problems)\b|\b(?:hearing|sight) loss\b|\bwheelchair\b",
    ],
}

# Topic words that a general question uses as readily as an incident report: they count
# only in a message that stage 1 reads as an incident.
WEAK: dict[str, list[str]] = {
    "fraud_scam": [r"\bscam\w*\b|\bfraudster\b|\bfake\b|\bphishing\b|\bsuspicious (?:call|text|email|message)\b|\b(?:telegram|discord|whatsapp|instagram|linkedin|dm'?d)\b"],
    "account_takeover": [r"\b(?:locked out|can'?t (?:log|get) in|someone (?:else )?(?:has|knows) my password)\b"],
    "unauthorised_transaction": [r"\b(?:charge|payment|transaction|withdrawal|transfer|debit)s?\b.{0,40}\b(?:don'?t|didn'?t|never|strange|weird|unknown)\b"],
    "lost_stolen_device": [r"\bstolen\b"],
    "secret_exposed": [rf"\b{_SEED}\b.{{0,60}}\b(?:someone|stranger|guy|him|her|them|site|website|bot|tool|form|link|sold|stolen|hacked)\b"],
    "legal_regulatory": [],
    "complaint": [r"\bunhappy\b|\bangry\b|\bdisappointed\b"],
    "vulnerable_customer": [r"\b(?:mental health|anxiety|stress(?:ed)?|ill|illness|carer|vulnerable|confused)\b"],
}

# Stage 1: the message reports something that happened to the writer, or an urgent need.
INCIDENT = re.compile(
    rf"\b{_ME}\b.{{0,40}}\b(?:\w*[^e\W]ed|got|gave|sent|told|lost|left|paid|put|typed|saw|took|stole|made|found|think|realis\w+|realiz\w+|just|now)\b"
    rf"|\b{_SOMEONE}\b.{{0,40}}\b(?:\w*[^e\W]ed|got|took|stole|sent|said|says|told|asked|wants?|rang|called|texted|messaged)\b"
    rf"|\b(?:{_NOT_ME}|i (?:\w+ )?(?:didn'?t|did not|never)|help|urgent|asap|right now|panick\w*|worried|scared|please (?:freeze|block|stop|lock|help))\b"
    r"|\bis (?:this|it|that) (?:a scam|legit|real|genuine|from you)\b|\?\?"
)

# Stage 1, other side: openings of general, policy or how-to questions, and markers of a
# hypothetical. An opening only vetoes the weak cues; a hypothetical marker also vetoes
# the strong ones ("if my phone is stolen, what happens?").
GENERAL_OPENING = re.compile(
    r"^(?:what (?:happens|should i do|do i do|do you do) (?:if|when|to)|what if\b|what is\b(?! (?:this|that)\b)|can you (?:explain|tell me) (?:what|how|about|the difference)\b|what's (?:your|the|a)\b|what are\b|how does\b|how do (?:i|you) (?:spot|know|tell|back up|set up|view|change|update|turn on|reset|order|move|export|download|add|make my|withdraw|dispute|keep)\b|"
    r"how can i (?:tell|know|protect|spot)\b|is (?:it|there|my|_company_|the)\b|are (?:you|payments|my)\b|do you\b|does (?:the|_company_|_company_'s|vault)\b|what does\b|why does the app\b|will (?:_company_|you|staff)\b|can i (?:add|use|export|nominate|see|set|get a|buy|turn|pay|change)\b|who is\b|which\b|where (?:should|can|do) i\b|how (?:long|many|much)\b)"
)
HYPOTHETICAL = re.compile(
    r"\b(?:if i ever|if (?:my|i|someone|a)\b.{0,40}\b(?:is|were|was|gets?|lose|loses)\b.{0,30}\b(?:what|how|do|does|will|would)\b|in case|just out of interest|for (?:my (?:course|article|uni)|future reference)|asking for (?:a friend|future)|so i can tell|before signing up|as a precaution|precaution|in the future|if needed|how would _company_|just want to warn|i didn'?t use it|haven'?t clicked|didn'?t click|in general|general advice|on the news|in the news|(?:watched|watching|saw) a documentary|read (?:an|a|this) article)\b"
    # Someone else's incident, told to ask about ours: "my friend got scammed on another app, what…"
    r"|\bmy (?:friend|cousin|neighbou?r|colleague|mate|flatmate's \w+)\b.{0,30}\b(?:got|was|has been|fell)\b.{0,40}\b(?:scamm?ed|caught|hacked|conned|phished|robbed|for)\b"
)

# A past incident that is over ("my card was stolen last year and you sorted it"): the
# message is about something else now, so it is read like a hypothetical.
RESOLVED = re.compile(
    r"\b(?:last (?:year|month)|years ago|months ago|a while (?:back|ago)|back in (?:19|20)\d\d|in (?:19|20)\d\d)\b.{0,100}"
    r"\b(?:sorted|refunded|resolved|fixed|thanks again|great service|dealt with|got (?:it|them|the money) back|all good|now (?:i'?d|i would) like|quick question)\b"
)
# Idioms and self-descriptions that contain a topic word ("died laughing", "the phone is
# dead (battery)", "i'm a lawyer and…"): removed before the cues run.
IDIOMS = re.compile(
    r"\b(?:died|dying|dead) (?:laughing|of (?:laughter|embarrassment|boredom))\b|\b(?:is |'s )?dead \(?battery\b|\bbattery(?:'s| is)? dead\b|\bdead battery\b"
    r"|\b(?:passed away|died) (?:many |several |a few |\w+ )?(?:years|decades) ago\b"
    r"|\bi(?:'m| am) an? (?:lawyer|solicitor|attorney|barrister|police officer)\b|\bas an? (?:lawyer|solicitor|attorney)\b"
)

# Cues that mean the incident is over or is not one of ours ("found my card", a PIN
# locked by the customer's own typos): they switch off one category.
VETO: dict[str, re.Pattern] = {
    "lost_stolen_device": re.compile(r"\bfound (?:my|the|it)\b|\blost signal\b|\b(?:new|replacement) (?:one|card) (?:has |just )?arrived\b"),
    "secret_exposed": re.compile(r"\bwrong pin\b|\bpin (?:is |got |now )?(?:locked|blocked)\b|\bput my pin in\b|\bcan'?t remember\b|\bforgot\b"),
}
# Money words: a transaction the customer did not make is about money, so without one of
# these unauthorised_transaction stays off ("a device I don't recognise" is a login).
MONEY = re.compile(r"\b(?:pay\w*|paid|charge\w*|transaction\w*|transfer\w*|withdr\w+|spent|spend\w*|debit\w*|purchase\w*|bought|money|funds|balance|crypto|btc|eth|usdc|xrp|coins?|savings|refund\w*|cash|order\w*|subscription|card|merchant|pending|transation\w*|authori[sz]ation|£|\$|€|\d+)\b|[£$€]")
# Phrasings that state the writer's own case even inside a how-long/what-is question
# ("how long until you answer my complaint", "can i get a copy of all the info you have on me").
OWNED: dict[str, re.Pattern] = {
    "complaint": re.compile(r"\bmy complaint\b|\bmy son wants to complain\b"),
    "lost_stolen_device": re.compile(r"\bmy stolen (?:debit )?(?:card|phone)\b"),
    "legal_regulatory": re.compile(r"\bcopy of (?:all )?(?:the )?(?:info|data|information) you (?:have|hold)\b|\bsubject access request\b|\bright to be forgotten\b|\bccpa request\b|\brequest a copy of my data\b|\bcan i (?:complain|report \w+) to the (?:cfpb|fca|ombudsman)\b"),
}
# Frustration aimed at the assistant itself ("this bot is useless, a real person please") asks for a
# person (guardrails/human_request.py), it is not a complaint about the company's service: those
# words are taken out before the complaint cues are read, so a complaint stated beside them still counts.
_THE_BOT = r"(?:bot|chat ?bot|ai|assistant|virtual assistant|robot|automated (?:system|replies|chat))"
AT_THE_BOT = re.compile(
    rf"\b(?:this|the|your|you'?re an?) {_THE_BOT}(?: is| are| was| seems|'s)"
    r"(?: (?:so|just|completely|totally|absolutely|really|pretty))?"
    r" (?:useless|rubbish|pathetic|a joke|terrible|ridiculous|the worst|no help|not helping)\b"
    rf"|\b(?:stupid|useless|pathetic) {_THE_BOT}\b")
# A person or channel in a message where a secret was handed over makes it a scam too.
SCAM_CHANNEL = re.compile(r"\b(?:support|agent|website|site|bot|tool|form|link|telegram|discord|whatsapp|caller|rang|called|a guy|the guy|the man|a man|dm'?d|validator|fake|stranger|account manager)\b")


def _compile(table: dict[str, list[str]]) -> dict[str, list[re.Pattern]]:
    return {cat: [re.compile(p) for p in pats] for cat, pats in table.items()}


STRONG_RULES = _compile(STRONG)
WEAK_RULES = _compile(WEAK)


def prepare(text: str, company: Company | None = None) -> str:
    """Lower case, quotes folded, idioms blanked, and the company's names (when it has any) as
    ``_company_``, the word the cue patterns use for it."""
    lowered = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    if company is not None:
        lowered = company.mark(lowered)
    return IDIOMS.sub(" ", lowered)


def is_incident(lowered: str) -> bool:
    return bool(INCIDENT.search(lowered))


def is_general_question(lowered: str) -> bool:
    return bool(GENERAL_OPENING.search(lowered.strip())) and not is_incident(lowered)


def is_hypothetical(lowered: str) -> bool:
    return bool(HYPOTHETICAL.search(lowered) or RESOLVED.search(lowered))


def rule_hits(text: str, company: Company | None = None) -> dict[str, int]:
    """Cue count per category after the two stages: strong cues unless hypothetical, weak
    cues only in an incident report that does not open as a general question."""
    lowered = prepare(text, company)
    incident = is_incident(lowered)
    opening = bool(GENERAL_OPENING.search(lowered.strip()))
    owned = {cat: int(bool(p.search(lowered))) for cat, p in OWNED.items()}
    if is_hypothetical(lowered) or (opening and not incident):
        return {cat: owned.get(cat, 0) for cat in STRONG_RULES}
    hits = {}
    about_us = AT_THE_BOT.sub(" ", lowered)
    for cat in STRONG_RULES:
        text_for = about_us if cat == "complaint" else lowered
        n = sum(1 for p in STRONG_RULES[cat] if p.search(text_for)) + owned.get(cat, 0)
        if incident and not opening:
            n += sum(1 for p in WEAK_RULES[cat] if p.search(lowered))
        hits[cat] = n
    for cat, veto in VETO.items():
        if veto.search(lowered):
            hits[cat] = 0
    if not MONEY.search(lowered):
        hits["unauthorised_transaction"] = 0
    if hits["secret_exposed"] and SCAM_CHANNEL.search(lowered):
        hits["fraud_scam"] += 1
    return hits


def vetoed(text: str, company: Company | None = None) -> set[str]:
    """Categories a veto switches off ("found my card", "wrong PIN"): the labelling rule calls
    these routine, so they bind the model as well as the rules."""
    lowered = prepare(text, company)
    return {cat for cat, veto in VETO.items() if veto.search(lowered)}
