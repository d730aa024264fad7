"""Person names introduced in chat ("my name is james wright", "hi this is sarah o'connor").

The small spaCy model misses most lower-case names, so these patterns use the phrase
that introduces a name. "I'm X" and "this is X" also introduce feelings and situations
("I'm worried", "this is urgent"), hence the guard list of words that are never a name
here, and the rule that for these weaker cues the first word must be capitalised or a
known first name. The span covers the name only (variable-length look-behind).
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer

from guardrails.pii.recognizers.name_edges import TITLES

# Common first names across UK/US/EU/South Asian customers; written for this project.
FIRST_NAMES = frozenset("""
james jim jimmy john jon robert rob bob tom tommy mike matt steve dave dan danny nick pete tony andy michael william david richard joseph thomas charles chris christopher daniel matthew
anthony mark donald steven paul andrew joshua kevin brian george tim timothy ronald edward jason jeff
ryan jacob gary nick nicholas eric jonathan stephen larry justin scott brandon ben benjamin sam samuel
frank greg gregory ray raymond alex alexander patrick jack dennis jerry tyler aaron jose adam henry
nathan doug peter zach kyle walter harold jeremy ethan carl keith roger gerald christian terry sean
arthur austin noah lawrence jesse joe bryan billy jordan albert dylan bruce willie gabriel alan juan
logan wayne ralph roy eugene randy vincent russell louis philip bobby johnny bradley oliver harry
charlie leo freddie alfie archie theo oscar finn rory callum liam connor declan niall ciaran eoin
mary patricia jennifer linda elizabeth liz barbara susan sue jessica sarah sara karen nancy lisa betty
margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie
rebecca becky sharon laura cynthia kathleen amy shirley angela helen anna anne brenda pamela nicole
emma samantha katherine kate christine debra rachel catherine carolyn janet ruth maria heather diane
virginia julie joyce victoria olivia kelly christina lauren joan evelyn judith megan cheryl andrea
hannah martha jacqueline frances gloria ann teresa kathryn sara janice jean alice madison doris abigail
julia judy grace denise amber marilyn beverly danielle theresa sophia sophie marie diana brittany
natalie isabella isla ava mia amelia poppy lily chloe ella freya ellie jess jessie niamh siobhan aoife
priya raj rahul amit anil sunil deepak arjun vikram ananya aisha fatima mohammed muhammad ahmed ali
omar hassan yusuf zara zainab ayesha imran bilal tariq kwame kofi ama chidi ngozi tunde femi
pierre jean-luc marc luc camille chloé léa manon hugo lucas louis mathieu antoine nicolas
hans jürgen klaus stefan lukas jonas felix lena lea hannah sophie anja katrin ines
giulia marco luca matteo francesco alessandro chiara francesca sofia giovanni
carlos javier miguel pablo diego sergio alejandro lucia carmen elena marta laura ana isabel
joão pedro tiago rui inês beatriz mariana lars erik anders sven ingrid astrid freja
piotr tomasz krzysztof agnieszka katarzyna magdalena ivan dmitri olga natasha tatiana
wei li ming chen mei hiroshi yuki kenji haruto sakura min-jun ji-woo
""".split())

# Words that follow "I'm"/"this is"/"my name is" but are not names.
NOT_A_NAME = frozenset("""
a an the my your our their this that it its so very really just not no yes still also
worried concerned confused annoyed angry upset frustrated stuck locked unable trying looking
having getting waiting writing calling contacting messaging asking wondering hoping going
sure afraid scared new back here there abroad away travelling traveling moving leaving
about from in on at with without for to of by urgent ridiculous unacceptable weird strange
fine ok okay good great happy glad sorry done finished ready able interested based currently
now again already always never ever cancelling canceling closing opening using paying sending
on-hold premium plus metal customer user member client business student lodestar vault earn
regarding re following because since if when why how what who where which whether
and or but nor then plus i me we you he she they need needs want wants have has had was were is are am be
can could would will should may might must do does did please pls hi hello hey thanks thank cheers card account
phone email number money payment transfer wallet app help question
lord god jesus guys everyone everybody team all both folks sir madam support
today yesterday yesterdays tomorrow tonight last one recently earlier lately morning afternoon evening
""".split())

# A name never starts with a guard word: without this, "hi this is sam" matches at "hi"
# ("this is sam"), is rejected, and the real cue "this is" never gets its turn.
_NOT_A_NAME_AHEAD = r"(?!(?:" + "|".join(sorted((re.escape(w) for w in NOT_A_NAME), key=len, reverse=True)) + r")\b)"
# letters of any script, with their combining marks ("दुर्गा"); one Han character is a whole surname
_NAME_TOKEN = r"(?:\p{L}[\p{L}\p{M}'’-]{1,24}|\p{Han})"
# Titles that open a name when written with a capital; not the ones that are also everyday
# abbreviations in chat ("Fr" for, "Hr" hour, "NY", "Ing" in "Ing Bank", "Don", "Pan").
RULE_TITLES = "|".join(t for t in TITLES.split("|") if t not in {"hr", "fr", "ny", "tn", "ing", "don", "pan", "ibu"})
_CAPITALISED = r"(?-i:\p{Lu})[\p{L}\p{M}'’-]{1,24}"
_ROLES = r"account holder|card ?holder|recipient|beneficiary|payee"
# Cues that say the next words are a name ("my name is", "payee:"). Not "signed" ("signed up", "a signed
# transaction") nor a role without "is" or ":" ("the recipient doesn't see it").
_NAMING_CUES = (
    r"my name is|my name's|name is|name:|full name is|full name:|name on (?:the )?card(?: is|:)?|"
    r"(?:" + _ROLES + r")(?: is|:)|"
    r"me llamo|mi nombre es|je m'appelle|mon nom est|mi chiamo|il mio nome è|mein name ist|ich heiße|ich heisse|"
    r"meu nome é|mijn naam is|nazywam się|меня зовут")
# A role or "signed" without "is" or ":" is followed by a name as often as by a verb ("the recipient doesn't see
# it", "my beneficiary didn't receive", "i signed up"): after these the first word must look like a name, as
# after the weak cues below (capitalised, a known first name, or a script without capitals).
_ROLE_CUES = r"(?:signed|(?:" + _ROLES + r"))"
_STRONG_CUES = r"(?:" + _NAMING_CUES + r"|" + _ROLE_CUES + r")"
# (sign-offs take their comma with or without a space before it: "Regards ,", as pasted text is often tokenised;
# "love" only with its comma, as in "Love, Anna", never "I love Paris")
_WEAK_CUES = (
    r"(?:this is|i'm|i am|im|it's|its|it is|hey,?|hi,?|hello,?|dear,?|"
    r"(?:(?:kind|best|warm|warmest) regards|regards|thanks|many thanks|cheers|best|best wishes|sincerely|yours|"
    r"xoxo|xx|hugs|take care|saludos|cordialement|grüße|gruß|saluti|abraços|pozdrawiam)(?:\s?,)?|thank you[,!.]?|"
    r"(?:(?:lots of |with |all my )?love)\s?,|"
    r"soy|je suis|ich bin|sono|eu sou|ik ben)")

NAME_CUE_BEFORE = re.compile(r"\b(?:" + _STRONG_CUES + "|" + _WEAK_CUES + r")\s{1,3}$", re.I)
_NAMED_BEFORE = re.compile(r"\b(?:" + _NAMING_CUES + r")\s{1,3}$", re.I)


def named_by_cue(text: str, start: int) -> bool:
    """Whether the words at ``start`` follow a cue that says they are a name ("my name is …")."""
    return bool(_NAMED_BEFORE.search(text[max(0, start - 40):start]))


class IntroducedNameRecognizer(PatternRecognizer):
    PATTERNS = [
        Pattern("name_after_naming_cue",
                r"(?<=\b(?:" + _NAMING_CUES + r")\s{1,3})" + _NOT_A_NAME_AHEAD + _NAME_TOKEN + r"(?:\s+" + _NAME_TOKEN +
                r"){0,2}", 0.8),
        Pattern("name_after_role_cue",
                r"(?<=\b" + _ROLE_CUES + r"\s{1,3})" + _NOT_A_NAME_AHEAD + _NAME_TOKEN + r"(?:\s+" + _NAME_TOKEN +
                r"){0,2}", 0.75),
        Pattern("name_after_weak_cue",
                r"(?<=(?:\b|(?<!\w))" + _WEAK_CUES + r"\s{1,3})" + _NOT_A_NAME_AHEAD + _NAME_TOKEN + r"(?:\s+" + _NAME_TOKEN +
                r"){0,2}", 0.7),
        # a signature after a dash line: "--\nAmara Okafor", "-- Amara" (at the start of a line only)
        Pattern("name_after_signature_dashes",
                r"(?<=^-{2,3}\s{0,2})" + _NOT_A_NAME_AHEAD + _NAME_TOKEN + r"(?:[ \t]+" + _NAME_TOKEN + r"){0,2}", 0.7),
        # a sign-off after a sentence, at the end of a line: "... thanks for nothing. - Amara", "...' – Pooh"
        Pattern("name_after_closing_dash",
                r"(?<=[.!?\"'”)][ \t]{0,2}[-–—]{1,2}[ \t]{0,2})(?-i:\p{Lu})[\p{L}\p{M}'’-]{1,24}(?:[ \t]+(?-i:\p{Lu})[\p{L}\p{M}'’-]{1,24}){0,2}"
                r"(?=[ \t]*(?:$|\n))", 0.7),
        # "Mrs. Garba", "Dr Amara Okafor", "Herr Müller": a title and a capitalised word (the title is in the span)
        Pattern("name_after_title",
                r"(?<![\w.])(?-i:(?=\p{Lu}))(?:" + RULE_TITLES + r")\.?\s{1,2}" + _CAPITALISED + r"(?:\s+" + _CAPITALISED +
                r"){0,2}", 0.7),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="PERSON", patterns=self.PATTERNS, name="IntroducedNameRecognizer")

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = []
        for result in results:
            words = text[result.start:result.end].split()
            names = _leading_name_words(words)
            if not names:
                continue
            weak = result.score < 0.8
            first = names[0]
            if weak and not (first[0].isupper() or first.lower() in FIRST_NAMES or _caseless(first)):
                continue
            result.end = _span_end(text, result.start, names)
            kept.append(result)
        return kept


def _caseless(word: str) -> bool:
    """A script without capitals (Devanagari, Arabic, Han, Thai; Georgian writes names in lower case)."""
    first = word[0]
    return first.lower() == first.upper() or "\u10a0" <= first <= "\u10ff"


def _leading_name_words(words: list[str]) -> list[str]:
    names: list[str] = []
    for word in words:
        bare = word.strip("'’-").lower()
        if bare in NOT_A_NAME or not bare:
            break
        names.append(word.rstrip("'’-"))
    return names


def _span_end(text: str, start: int, names: list[str]) -> int:
    position = start
    for name in names:
        position = text.index(name, position) + len(name)
    return position

