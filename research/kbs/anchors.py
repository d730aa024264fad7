"""Anchor text: a section that links to another article lends that article its score (file hit@1 / hit@5).

    .venv/bin/python -m research.kbs.anchors [--kb KB ...] [--out FILE]

Many BTCPay misses put an overview page above the guide it points to: `WhatsNext.md`'s "Creating the Payment
Request ... View Payment Request instructions [here](./PaymentRequests.md)" matches "send a client a link they
can pay whenever" better than the guide does. Web search has long used the text around a link as evidence for
the page it points to. Here, over the product's retrieval (sentence step as shipped), a candidate chunk whose
section links to at most ``m`` other files of the KB lends each of them ``lam`` x its fused score; a file's
score is the best of its own and what it is lent; files are ranked by it. ``lam = 0`` is retrieval as shipped.

This feasibility script finds a section's links with simple patterns over the raw files (Markdown links, rst
``:doc:`` / ``:ref:`` roles, HTML ``href``); a product version would take them from the loaders' parse trees.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
from pathlib import Path

from research.kbs.evaluate import kb_by_name
from research.kbs.harness import FILE_DEPTH, Runner, bundled_embedder, hit_rank, ingest
from research.kbs.hubness import _rates

LAMBDAS = (0.0, 0.8, 0.9, 0.95, 1.0, 1.05)
MAX_LINKS = (1, 2, 3, 99)
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
_HREF = re.compile(r"href=[\"']([^\"']+)")
_DOC = re.compile(r":doc:`(?:[^`<]*<)?([^`>]+)>?`")
_REF = re.compile(r":ref:`(?:[^`<]*<)?([^`>]+)>?`")
_LABEL = re.compile(r"^\.\. _([^:]+):\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+.])\1{2,}\s*$")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0].lower()


class Links:
    """Each (file, heading) of a KB folder -> the other files its text links to."""

    def __init__(self, docs: Path) -> None:
        self.files = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file())
        self.by_stem: dict[str, list[str]] = {}
        for f in self.files:
            self.by_stem.setdefault(_stem(f), []).append(f)
        self.labels: dict[str, str] = {}
        texts = {f: (docs / f).read_text(encoding="utf-8", errors="replace") for f in self.files}
        for f, text in texts.items():
            for line in text.splitlines():
                if m := _LABEL.match(line.strip()):
                    self.labels[m.group(1).strip().lower()] = f
        self.sections: dict[tuple[str, str], set[str]] = {}
        for f, text in texts.items():
            self._read(f, text)

    def _resolve(self, source: str, target: str) -> str | None:
        target = re.sub(r"\{\{[^}]*\}\}", "", target).split("#")[0].split("?")[0].strip()
        if not target or "://" in target or target.startswith("mailto:"):
            return None
        candidates = self.by_stem.get(_stem(target), [])
        if len(candidates) > 1:
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")
            exact = [c for c in candidates if posixpath.splitext(c)[0] == posixpath.splitext(joined)[0]]
            tail = [c for c in candidates if posixpath.splitext(c)[0].endswith(posixpath.splitext(target.lstrip("./"))[0])]
            candidates = exact or (tail if len(tail) == 1 else [])
        if len(candidates) != 1 or candidates[0] == source:
            return None
        return candidates[0]

    def _read(self, source: str, text: str) -> None:
        heading, lines = "", text.splitlines()
        for i, line in enumerate(lines):
            if source.endswith((".md", ".markdown")) and (m := _MD_HEADING.match(line)):
                heading = _norm(m.group(1))
                continue
            if i + 1 < len(lines) and _RST_UNDERLINE.match(lines[i + 1]) and line.strip() and not _RST_UNDERLINE.match(line):
                heading = _norm(line)
                continue
            targets = _MD_LINK.findall(line) + _HREF.findall(line) + _DOC.findall(line)
            found = {self._resolve(source, t) for t in targets}
            found |= {self.labels.get(r.strip().lower()) for r in _REF.findall(line)} - {source}
            found.discard(None)
            if found:
                self.sections.setdefault((source, heading), set()).update(found)

    def of(self, chunk) -> set[str]:
        last = _norm((chunk.section or "").split(" › ")[-1]) if chunk.section else ""
        return self.sections.get((chunk.source, last), set()) or (
            self.sections.get((chunk.source, ""), set()) if not chunk.section else set())


def file_order(results, links: Links, lam: float, max_links: int) -> list[str]:
    score: dict[str, float] = {}
    for c in results:
        score[c.source] = max(score.get(c.source, 0.0), c.score)
    if lam > 0:
        lent: dict[str, float] = {}
        for c in results:
            to = links.of(c)
            if 0 < len(to) <= max_links:
                for f in to:
                    lent[f] = max(lent.get(f, 0.0), lam * c.score)
        for f, s in lent.items():
            score[f] = max(score.get(f, 0.0), s)
    first_seen = {f: i for i, f in reversed(list(enumerate(c.source for c in results)))}
    return sorted(score, key=lambda f: (-score[f], first_seen.get(f, 1 << 30)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay, demo, stackfaq (repeatable; default all five)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    embedder, result = bundled_embedder(), {}
    for name in args.kb or ["electrum", "monero", "btcpay", "demo", "stackfaq"]:
        kb = kb_by_name("stackfaq-train" if name == "stackfaq" else name)
        runner = Runner(ingest(kb, embedder), embedder, chain=True)
        links = Links(kb.docs)
        questions = [q for q in kb.questions if q.targets]
        grid: dict[str, list] = {}
        examples = []
        for q in questions:
            results = runner.retriever.retrieve(q.query, top_k=FILE_DEPTH, region=q.region).results
            base = hit_rank(file_order(results, links, 0.0, 1), q.targets)
            for lam in LAMBDAS:
                for m in MAX_LINKS if lam else (1,):
                    rank = hit_rank(file_order(results, links, lam, m), q.targets)
                    grid.setdefault(f"lam={lam} m={m}", []).append(rank)
                    if lam == 1.0 and m == 2 and rank != base:
                        examples.append({"query": q.query, "rank": [base, rank], "targets": list(q.targets)})
        result[name] = {k: _rates(rs) for k, rs in grid.items()}
        result[name]["n"] = len(questions)
        result[name]["sections with links"] = len(links.sections)
        result[name]["moved at lam=1 m=2"] = examples
        runner.close()
        embedder.save()
        print(json.dumps({name: result[name]}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
