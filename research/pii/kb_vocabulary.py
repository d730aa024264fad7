"""Person-name false alarms on customer questions, and the knowledge base's own words as a cure.

The name tagger reads lower-case customer text and, on a help centre nobody here wrote, takes the
KB's own terms for names: "setting up monerod on a vps" became "setting up <PERSON_1> on a vps",
"get_tx_key doesnt return anything" lost its only key term, and retrieval then searched without
them. The demo KB's words are on a hand-written allow list (guardrails/pii/allow_list.py); a
company's own are not.

This measures, for rules that drop a PERSON detection when every word of it is a word of the KB:
- false alarms: the share of real customer messages with no name in them that get a PERSON
  redaction (each help centre's own questions with its own KB; StackFAQ's queries with its
  threads; BANKING77 and CLINC150 with the demo KB, the bank KB Beacon ships);
- the cost: PERSON recall on WNUT-17 and the Broad Twitter Corpus with each KB's words allowed
  (a customer whose name is also a word of the KB keeps it in the clear).

Rules (research/pii/README.md, "Names that are the help centre's words", has the table): ``any`` (the
word occurs in the KB), ``lower`` (the KB writes it in lower case at least once), ``prose`` (the same outside
links, e-mail addresses and code), ``prose2`` (twice), ``prose-1word`` (one-word detections only),
``prose-as-written`` (``prose``, and the customer wrote it in lower case: the rule shipped), ``either-as-written``
(the KB writes it in lower case or the tagger, reading the KB's own sentences that hold it, never tags it),
``unnamed-as-written`` (the KB uses it in any case and no Faker locale has it as a first or last name; as written),
``prose|unnamed-as-written`` (either; both measured in the seventh session and not shipped: research/pii/README.md).
"shipped" runs the product's code path. Tune on the train parts (StackFAQ train, BANKING77 train, WNUT-17 / BTC
train); the report parts are read once.

    PYTHONPATH=. .venv/bin/python -m research.pii.kb_vocabulary [--side train|report]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from app.core.vocabulary import NOT_PROSE, WORD, lower_case_words, word_key
from research.kbs.data import cache_dir
from research.paths import REPO
from research.pii.public_scoring import judge
from research.pii.public_sets import ner_messages

# ``tagger`` is slow (the tagger reads the KB's sentences for each word) and was not put in the README's tables.
RULES = ("base", "any", "lower", "prose", "prose2", "prose-1word", "prose-as-written", "either-as-written", "tagger",
         "unnamed-as-written", "prose|unnamed-as-written")


def kb_chunks(name: str) -> list[str]:
    """Every chunk's title, section path and text as the cached ingest stored them."""
    from research.kbs.evaluate import kb_by_name
    from research.kbs.harness import bundled_embedder, ingest

    kb = kb_by_name("stackfaq-train" if name == "stackfaq" else name)
    ingested = ingest(kb, bundled_embedder())
    root = Path(ingested.settings.data_dir) / "keyword_index"
    folder = root / (root / "CURRENT").read_text().strip()
    out = []
    for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines():
        text, meta = json.loads(line)
        out.append(f"{meta.get('title', '')}\n{meta.get('section', '')}\n{text}")
    return out


class KbWords:
    def __init__(self, chunks: list[str], tagger) -> None:
        self.seen: Counter = Counter()
        self.lower: set[str] = set()
        self.prose: Counter = Counter()
        self.sentences: dict[str, list[str]] = {}
        self.tagger = tagger
        self._named: dict[str, bool] = {}
        for chunk in chunks:
            for sentence in re.split(r"(?<=[.!?])\s+|\n+", chunk):
                for m in WORD.finditer(sentence):
                    key = word_key(m.group())
                    self.seen[key] += 1
                    if m.group().islower():
                        self.lower.add(key)
                    bucket = self.sentences.setdefault(key, [])
                    if len(bucket) < 5 and sentence not in bucket:
                        bucket.append(sentence)
            for m in WORD.finditer(NOT_PROSE.sub(" ", chunk)):
                if m.group().islower():
                    self.prose[word_key(m.group())] += 1

    def named_in_kb(self, key: str) -> bool:
        if key not in self._named:
            named = False
            for sentence in self.sentences.get(key, []):
                for start, end, _ in self.tagger.spans(sentence[:600]):
                    if any(word_key(m.group()) == key for m in WORD.finditer(sentence[start:end])):
                        named = True
            self._named[key] = named
        return self._named[key]

    def term(self, word: str, rule: str) -> bool:
        key = word_key(word)
        if rule == "base" or key not in self.seen:
            return False
        if rule == "any":
            return True
        if rule == "lower":
            return key in self.lower
        if rule == "prose":
            return self.prose[key] >= 1
        if rule == "prose2":
            return self.prose[key] >= 2
        if rule == "either":
            return self.prose[key] >= 1 or not self.named_in_kb(key)
        if rule == "tagger":
            return not self.named_in_kb(key)
        if rule == "unnamed":  # the KB uses it, in any case, and no locale of Faker has it as a first or last name
            return key not in faker_names()
        if rule == "prose|unnamed":
            return self.prose[key] >= 1 or key not in faker_names()
        raise ValueError(rule)


@lru_cache(maxsize=1)
def faker_names() -> frozenset[str]:
    """Every first and last name of every locale Faker ships (casefolded, ~56,000)."""
    import importlib
    import pkgutil

    import faker.providers.person as people

    names: set[str] = set()
    for module in pkgutil.iter_modules(people.__path__):
        provider = getattr(importlib.import_module(f"{people.__name__}.{module.name}"), "Provider", None)
        for cls in provider.__mro__ if provider else ():
            for attr in ("first_names", "last_names", "first_names_male", "first_names_female"):
                value = cls.__dict__.get(attr)
                if isinstance(value, (list, tuple, dict)):
                    names.update(n.casefold() for n in value if isinstance(n, str))
    return frozenset(names)


class ShippedWords:
    """The product's reading of a KB (app.core.vocabulary, as KeywordFiles.writes_lower does)."""

    def __init__(self, chunks: list[str]) -> None:
        self.lower = frozenset(lower_case_words(chunks))

    def writes_lower(self, word: str) -> bool:
        return word_key(word) in self.lower


def kept(text: str, entities, words: KbWords | None, rule: str) -> list:
    out = []
    for e in entities:
        if e.type == "PERSON" and words is not None and rule != "base":
            found = WORD.findall(text[e.start:e.end])
            applies = bool(found) and (rule != "prose-1word" or len(found) == 1) and (
                not rule.endswith("-as-written") or all(w.islower() or not w.isalpha() for w in found))
            if applies and all(words.term(w, rule.split("-")[0]) for w in found):
                continue
        out.append(e)
    return out


def redact_all(redactor, texts: list[str]) -> list[list]:
    """The redactor's entities for each text, as it is (no KB's words), cached between runs."""
    code = b"".join(p.read_bytes() for p in sorted((REPO / "guardrails" / "pii").rglob("*.py")))
    key = hashlib.sha1(repr(texts).encode() + code).hexdigest()[:16]  # a change to the redactor redoes it
    path = cache_dir() / f"redactions-{key}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    out = shipped(redactor, texts, None)
    path.write_bytes(pickle.dumps(out))
    return out


def shipped(redactor, texts: list[str], knowledge) -> list[list]:
    """The product's entities for each text with ``knowledge``, a KB's words (None: none)."""
    out = []
    for i in range(0, len(texts), 32):
        out += [r.entities for r in redactor.redact_batch(texts[i:i + 32], knowledge=knowledge)]
    return out


def customer_sets(side: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (KB whose words apply, messages with no name in them)."""
    from research.kbs.data import clinc_out_of_scope, real_kb, stackfaq_kb
    from research.paths import public_datasets

    sets: dict[str, tuple[str, list[str]]] = {}
    if side == "train":
        sets["StackFAQ train queries"] = ("stackfaq", [q.query for q in stackfaq_kb("train").questions])
        with (public_datasets() / "topics" / "banking77_train.csv").open(encoding="utf-8", newline="") as handle:
            sets["BANKING77 train"] = ("demo", [row["text"] for row in csv.DictReader(handle)])
        sets["CLINC150 oos_train"] = ("demo", [q.query for q in clinc_out_of_scope("oos_train")])
    else:
        for name in ("electrum", "monero", "btcpay"):
            sets[f"{name} questions.tsv"] = (name, [q.query for q in real_kb(name).questions])
        sets["StackFAQ test queries"] = ("stackfaq", [q.query for q in stackfaq_kb("test").questions])
        data = json.loads((public_datasets() / "out_of_scope" / "clinc150_dev.json").read_text(encoding="utf-8"))
        sets["CLINC150 val (in scope)"] = ("demo", [text for text, _ in data["val"]])
        sets["CLINC150 oos_val"] = ("demo", [q.query for q in clinc_out_of_scope("oos_val")])
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", choices=("train", "report"), default="train")
    parser.add_argument("--rule", default="prose-as-written", help="the rule whose lost names --examples prints")
    parser.add_argument("--examples", type=int, default=0, help="print up to N dropped / kept detections per set")
    args = parser.parse_args()

    from guardrails.pii import Redactor

    redactor = Redactor()
    redactor.warm_up()
    kbs = ("electrum", "monero", "btcpay", "demo", "stackfaq")
    chunks = {name: kb_chunks(name) for name in kbs}
    words = {name: KbWords(chunks[name], redactor.name_tagger) for name in kbs}
    product = {name: ShippedWords(chunks[name]) for name in kbs}

    print(f"## Messages with a PERSON redaction ({args.side} side; no message here names a person)\n")
    print("| set (KB words) | messages | " + " | ".join(RULES) + " | shipped |")
    print("|---|---|" + "---|" * (len(RULES) + 1))
    for set_name, (kb, texts) in customer_sets(args.side).items():
        found = redact_all(redactor, texts)
        cells = []
        for rule in RULES:
            flagged = [i for i, (t, ents) in enumerate(zip(texts, found))
                       if any(e.type == "PERSON" for e in kept(t, ents, words[kb], rule))]
            cells.append(f"{len(flagged)} ({len(flagged) / len(texts):.3f})")
            if args.examples and rule in ("base", args.rule):
                for i in flagged[: args.examples]:
                    spans = [texts[i][e.start:e.end] for e in kept(texts[i], found[i], words[kb], rule)
                             if e.type == "PERSON"]
                    print(f"    {rule}: {texts[i][:90]!r} -> {spans}")
        after = shipped(redactor, texts, product[kb])
        flagged = [i for i, ents in enumerate(after) if any(e.type == "PERSON" for e in ents)]
        cells.append(f"{len(flagged)} ({len(flagged) / len(texts):.3f})")
        if args.examples:
            for i in flagged[: args.examples]:
                names = [texts[i][e.start:e.end] for e in after[i] if e.type == "PERSON"]
                print(f"    shipped: {texts[i][:90]!r} -> {names}")
        print(f"| {set_name} ({kb}) | {len(texts)} | " + " | ".join(cells) + " |")

    print(f"\n## PERSON recall with each KB's words allowed ({args.side} side)\n")
    print("| set | PERSON spans | base | " + " | ".join(f"{r}: min over KBs (worst KB)" for r in RULES[1:])
          + " | shipped: min over KBs (worst KB) |")
    print("|---|---|" + "---|" * (len(RULES) + 1))
    for set_name in (("wnut17_train", "btc_train") if args.side == "train" else ("wnut17_dev", "btc_dev")):
        messages = ner_messages(set_name)
        found = redact_all(redactor, [m["text"] for m in messages])

        def recall(rule: str, kb: str | None, predicted=None) -> tuple[float, int]:
            caught = total = 0
            for m, ents in zip(messages, predicted or found):
                spans = [(e.start, e.end) for e in kept(m["text"], ents, words[kb] if kb else None, rule)]
                verdict = judge(m, spans)
                for span, hit in zip(m["spans"], verdict["caught"]):
                    if span["type"] == "PERSON" and hit is not None:
                        total += 1
                        caught += hit
            return caught / total, total

        base, total = recall("base", None)
        cells = []
        for rule in RULES[1:]:
            worst = min((recall(rule, kb)[0], kb) for kb in kbs)
            cells.append(f"{worst[0]:.3f} ({worst[1]})")
        texts = [m["text"] for m in messages]
        worst = min((recall("base", None, shipped(redactor, texts, product[kb]))[0], kb) for kb in kbs)
        cells.append(f"{worst[0]:.3f} ({worst[1]})")
        print(f"| {set_name} | {total} | {base:.3f} | " + " | ".join(cells) + " |")
        if args.examples:
            for kb in kbs:
                lost = Counter()
                for m, ents in zip(messages, found):
                    spans_all = [(e.start, e.end) for e in ents]
                    spans_kept = [(e.start, e.end) for e in kept(m["text"], ents, words[kb], args.rule)]
                    for span, a, b in zip(m["spans"], judge(m, spans_all)["caught"], judge(m, spans_kept)["caught"]):
                        if a and not b:
                            lost[m["text"][span["start"]:span["end"]]] += 1
                print(f"    {args.rule} with {kb}'s words loses: {dict(lost.most_common(25))}")


if __name__ == "__main__":
    main()
