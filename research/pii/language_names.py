"""Language and currency names taken for person names: "can I change the app language to <PERSON_1>".

The name tagger reads lower-case customer text and tags a language's name as a person ("do you
speak french", "translate this into chinese", "change the language to spanish"); the question then
reaches retrieval and the ticket without its key word. Capitalised, spaCy calls these NORP, not
PERSON, so the tagger's lower-case reading is the cause. This measures rules that keep a PERSON
detection in the text when it is a language's English name (CLDR, read with Babel), not after a
cue that says a name follows ("my name is …"):

- false alarms: messages that name nobody but get a PERSON redaction (CLINC150 train in scope,
  BANKING77 train, StackFAQ train queries, CLINC150 oos_train on the train side);
- the cost: PERSON recall on WNUT-17 and the Broad Twitter Corpus (a person called "English" or
  "Meru" keeps the name in the clear).

Lists compared: ``all`` (every language CLDR names in English, 668), ``locales`` (languages CLDR has
locale data for: ones software is translated into, 322), ``official`` (languages official in some
territory), each with ``-lower`` (the customer wrote it in lower case); then, measured after the
languages shipped (so over a redactor that already keeps them), ``currencies`` (CLDR's currency names,
singular and plural) and ``currency-units`` (with their units alone, "rubles"). Tune on the train side;
the report side is read once, after the choice.

    PYTHONPATH=. .venv/bin/python -m research.pii.language_names [--side train|report] [--examples N]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from research.paths import public_datasets
from research.pii.kb_vocabulary import customer_sets, redact_all
from research.pii.public_scoring import judge
from research.pii.public_sets import ner_messages


def language_lists() -> dict[str, frozenset[str]]:
    """name -> casefolded English language (and currency) names, per candidate list."""
    from babel import Locale, languages

    from guardrails.pii.cldr_names import language_names

    names = Locale("en").languages
    official = set()
    for territory in Locale("en").territories:
        official.update(code.split("_")[0] for code in languages.get_official_languages(territory, de_facto=True))
    fold = lambda codes: frozenset(names[c].casefold() for c in codes if c in names)  # noqa: E731
    # "locales" is the product's list: the languages CLDR has locale data for
    return {"all": fold(names), "locales": language_names(), "official": fold(official), **currency_lists()}


def currency_lists() -> dict[str, frozenset[str]]:
    """``currencies``: CLDR's English currency names, singular and plural ("russian ruble", "swiss francs");
    ``currency-units``: those and their last words ("rubles", "rupee"), without a known first name ("mark"):
    the product's list (guardrails/pii/cldr_names.py)."""
    from guardrails.pii.cldr_names import currency_names

    return {"currencies": currency_names(units=False), "currency-units": currency_names()}


def kept(text: str, entities, names: frozenset[str] | None, as_written: bool) -> list:
    """``entities`` without the PERSON detections that are a language's name (not after a naming cue)."""
    from guardrails.pii.recognizers.person_names import named_by_cue

    out = []
    for e in entities:
        value = text[e.start:e.end]
        if (e.type == "PERSON" and names is not None and value.casefold() in names
                and (not as_written or value == value.lower()) and not named_by_cue(text, e.start)):
            continue
        out.append(e)
    return out


def sides(side: str) -> dict[str, list[str]]:
    sets = {name: texts for name, (_, texts) in customer_sets(side).items()}
    data = json.loads((public_datasets() / "out_of_scope" / "clinc150_dev.json").read_text(encoding="utf-8"))
    if side == "train":
        sets["CLINC150 train (in scope)"] = [text for text, intent in data["train"] if intent != "oos"]
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", choices=("train", "report"), default="train")
    parser.add_argument("--examples", type=int, default=0, help="print up to N detections each rule drops per set")
    args = parser.parse_args()

    from guardrails.pii import Redactor

    redactor = Redactor()
    redactor.warm_up()
    lists = language_lists()
    rules = [("base", None, False)] + [(f"{n}{'-lower' if w else ''}", lists[n], w)
                                       for n in lists for w in (False, True) if not (w and n.startswith("currenc"))]
    print(f"lists: " + ", ".join(f"{n} {len(v)}" for n, v in lists.items()) + "\n")

    print(f"## Messages with a PERSON redaction ({args.side} side; no message here names a person)\n")
    print("| set | messages | " + " | ".join(r[0] for r in rules) + " |")
    print("|---|---|" + "---|" * len(rules))
    for set_name, texts in sides(args.side).items():
        found = redact_all(redactor, texts)
        cells = []
        for rule, names, lower in rules:
            flagged = [i for i, (t, ents) in enumerate(zip(texts, found))
                       if any(e.type == "PERSON" for e in kept(t, ents, names, lower))]
            cells.append(f"{len(flagged)} ({len(flagged) / len(texts):.3f})")
        print(f"| {set_name} | {len(texts)} | " + " | ".join(cells) + " |")
        if args.examples:
            for name in ("all", "currency-units"):
                dropped = Counter(t[e.start:e.end].casefold() for t, ents in zip(texts, found) for e in ents
                                  if e.type == "PERSON" and e not in kept(t, ents, lists[name], False))
                print(f"    dropped by `{name}`: {dict(dropped.most_common(args.examples))}")

    print(f"\n## PERSON recall ({args.side} side)\n")
    print("| set | PERSON spans | " + " | ".join(r[0] for r in rules) + " |")
    print("|---|---|" + "---|" * len(rules))
    for set_name in (("wnut17_train", "btc_train") if args.side == "train" else ("wnut17_dev", "btc_dev")):
        messages = ner_messages(set_name)
        found = redact_all(redactor, [m["text"] for m in messages])
        cells, total, lost = [], 0, Counter()
        for rule, names, lower in rules:
            caught = total = 0
            for m, ents in zip(messages, found):
                spans = [(e.start, e.end) for e in kept(m["text"], ents, names, lower)]
                for span, hit in zip(m["spans"], judge(m, spans)["caught"]):
                    if span["type"] == "PERSON" and hit is not None:
                        total += 1
                        caught += hit
                        if rule == "currency-units" and not hit:
                            lost[m["text"][span["start"]:span["end"]]] += 1
            cells.append(f"{caught / total:.3f}")
        print(f"| {set_name} | {total} | " + " | ".join(cells) + " |")
        if args.examples:
            print(f"    not caught under `currency-units` (base misses included): "
                  f"{dict(lost.most_common(args.examples))}")


if __name__ == "__main__":
    main()
