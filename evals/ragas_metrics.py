"""Ragas metrics, by their ragas names, on the records of a run.

The no-LLM metrics always run. With a judge endpoint (any OpenAI-compatible URL), the
LLM-judged ones run too. Ragas is imported only here and only when scoring starts: the import
takes about 11 s, and its telemetry must be switched off before it loads.

Which cases each metric sees:
- context metrics: cases with reference contexts; retrieved = the chunks the generator is
  given (the top ``answer_sources`` of the search), reference = the knowledge-base chunks
  under each labelled (source, section), so a retrieved chunk can match its label exactly;
- answer metrics: cases the labels say to answer *and* Beacon answered. A handoff is not a
  worse answer but a different decision, which Beacon's decision metrics score (ragas
  issue #772: ragas has no notion of a correct "I'll connect you to a person").
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import warnings
from pathlib import Path

from app.core.settings import Settings
from evals.cases import WHOLE_FILE

# Off before ragas or langchain are imported: ragas posts usage analytics and LangSmith
# traces unless told not to, and the machine running CI may be offline.
OFFLINE_ENV = {"RAGAS_DO_NOT_TRACK": "true", "LANGCHAIN_TRACING_V2": "false", "LANGSMITH_TRACING": "false",
               "LANGCHAIN_TRACING": "false", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
NON_LLM = ("non_llm_context_precision_with_reference", "non_llm_context_recall", "non_llm_string_similarity",
           "rouge_score", "semantic_similarity")
LLM_JUDGED = ("faithfulness", "answer_relevancy", "llm_context_precision_with_reference", "context_recall",
              "factual_correctness")
_CITATION = re.compile(r"\s*\[\d+\]")


class JudgeUnavailable(Exception):
    """The judge endpoint cannot be reached or keeps failing; the message says which and how to fix it."""


def _quiet_ragas():
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ragas.*")
    warnings.filterwarnings("ignore", message=r".*ragas.*", category=DeprecationWarning)


def ragas_embeddings(embedder):
    """Beacon's bundled embedder behind ragas' embeddings interface (no download, no network)."""
    _quiet_ragas()
    from ragas.embeddings import BaseRagasEmbeddings
    from ragas.run_config import RunConfig

    class BeaconEmbeddings(BaseRagasEmbeddings):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model
            self.run_config = RunConfig()

        def embed_query(self, text: str) -> list[float]:
            return self.model.embed_query(text)

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.model.embed_documents(texts)

        async def aembed_query(self, text: str) -> list[float]:
            return self.embed_query(text)

        async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.embed_documents(texts)

    return BeaconEmbeddings(embedder)


def clean_reply(text: str) -> str:
    return _CITATION.sub("", text).strip()


def reference_texts(record, kb_chunks: dict[tuple[str, str], list[str]]) -> list[str]:
    out = []
    for source, section in record.reference_contexts:
        for (s, sec), texts in kb_chunks.items():
            if s == source and (not section or sec == section or sec.startswith(section + " > ")):
                out.extend(texts)
    return out


def _mean(values: list[float]) -> float | None:
    good = [v for v in values if v is not None and not math.isnan(v)]
    return round(sum(good) / len(good), 4) if good else None


def _samples(records, kb_chunks, answer_sources: int):
    from ragas import SingleTurnSample

    context, sections, answers = [], [], []
    for r in records:
        if r.error:
            continue
        retrieved = [c["text"] for c in r.retrieved[:answer_sources]]
        refs = reference_texts(r, kb_chunks)
        if refs and retrieved:
            sample = SingleTurnSample(user_input=r.standalone_question, retrieved_contexts=retrieved,
                                      reference_contexts=refs, reference=r.reference_answer or None)
            context.append((r, sample))
            if not any(section == WHOLE_FILE for _, section in r.reference_contexts):
                sections.append((r, sample))
        if r.expected_decision == "answer" and r.decided == "answer" and r.reference_answer and r.answer:
            answers.append((r, SingleTurnSample(user_input=r.standalone_question, response=clean_reply(r.answer),
                                                reference=r.reference_answer, retrieved_contexts=retrieved or None)))
    return context, sections, answers


def score_non_llm(records, kb_chunks: dict[tuple[str, str], list[str]], embedder, answer_sources: int = 3) -> dict:
    """Score in place (``record.scores[name]``) and return {name: {"cases": n, "mean": m}}."""
    _quiet_ragas()
    from ragas.metrics import (
        NonLLMContextPrecisionWithReference,
        NonLLMContextRecall,
        NonLLMStringSimilarity,
        RougeScore,
        SemanticSimilarity,
    )

    # Recall needs the passages that answer: a label that names a whole file (a help centre's questions.tsv)
    # would count every chunk of a long article as one to find, so those cases are left out of it (their
    # file-level hit@k says whether the article was found).
    context, sections, answers = _samples(records, kb_chunks, answer_sources)
    plan = [(NonLLMContextPrecisionWithReference(), context), (NonLLMContextRecall(), sections),
            (NonLLMStringSimilarity(), answers), (RougeScore(), answers),
            (SemanticSimilarity(embeddings=ragas_embeddings(embedder)), answers)]
    out = {}
    for metric, pairs in plan:
        values = []
        for record, sample in pairs:
            value = float(metric.single_turn_score(sample))
            record.scores[metric.name] = round(value, 4)
            values.append(value)
        out[metric.name] = {"cases": len(pairs), "mean": _mean(values)}
    return out


def judge_config(settings) -> dict | None:
    """The judge endpoint from settings, or None when none is configured."""
    url = getattr(settings, "judge_base_url", None)
    if not url:
        return None
    key = getattr(settings, "judge_api_key", None)
    key = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    return {"base_url": str(url), "model": getattr(settings, "judge_model", None) or "gpt-4o-mini",
            "api_key": key or "unused", "timeout": float(getattr(settings, "judge_timeout_s", 60.0) or 60.0),
            "max_tokens": int(getattr(settings, "judge_max_tokens", 1024) or 1024)}


def check_judge(config: dict) -> None:
    """One tiny request, so a dead endpoint fails in a second with a clear message instead
    of one timeout per case."""
    from openai import OpenAI

    client = OpenAI(base_url=config["base_url"], api_key=config["api_key"], max_retries=0,
                    timeout=min(config["timeout"], 30.0))
    try:
        client.chat.completions.create(model=config["model"], max_tokens=1,
                                       messages=[{"role": "user", "content": "ping"}])
    except Exception as exc:
        raise JudgeUnavailable(
            f"the judge endpoint {config['base_url']} (model {config['model']}) did not answer: "
            f"{type(exc).__name__}: {exc} — start it, or fix BEACON_JUDGE_BASE_URL / BEACON_JUDGE_MODEL / "
            "BEACON_JUDGE_API_KEY; the no-LLM metrics are reported without it") from exc


def _judge_llm(config: dict):
    from langchain_openai import ChatOpenAI
    from ragas.llms import LangchainLLMWrapper

    chat = ChatOpenAI(base_url=config["base_url"], api_key=config["api_key"], model=config["model"],
                      timeout=config["timeout"], max_retries=0, temperature=0, max_tokens=config["max_tokens"])
    return LangchainLLMWrapper(chat)


def _is_connection_error(exc: BaseException) -> bool:
    import openai

    from app.core.errors import endpoint_transport_errors

    transport = endpoint_transport_errors()
    seen = exc
    while seen is not None:
        if isinstance(seen, (openai.APIConnectionError, openai.APITimeoutError, ConnectionError, *transport)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def score_judged(records, kb_chunks, embedder, settings, answer_sources: int = 3, limit: int | None = None) -> dict:
    """The LLM-judged metrics on answered cases (at most ``limit``). Returns
    {name: {"cases", "mean", "failed"}} plus "error" when the endpoint went away."""
    config = judge_config(settings)
    if config is None:
        return {"skipped": "no judge endpoint configured: set BEACON_JUDGE_BASE_URL and BEACON_JUDGE_MODEL"}
    check_judge(config)
    _quiet_ragas()
    from ragas.metrics import (
        FactualCorrectness,
        Faithfulness,
        LLMContextPrecisionWithReference,
        LLMContextRecall,
        ResponseRelevancy,
    )

    llm = _judge_llm(config)
    _, _, answers = _samples(records, kb_chunks, answer_sources)
    answers = answers[:limit] if limit else answers
    metrics = [Faithfulness(llm=llm), ResponseRelevancy(llm=llm, embeddings=ragas_embeddings(embedder), strictness=1),
               LLMContextPrecisionWithReference(llm=llm), LLMContextRecall(llm=llm), FactualCorrectness(llm=llm)]
    out: dict = {"model": config["model"], "base_url": config["base_url"]}
    # One event loop for the whole run: the judge's async HTTP client keeps its connections
    # on the loop it first ran in, so a new loop per case breaks the second case.
    return asyncio.run(_judge_all(metrics, answers, out, config))


async def _judge_all(metrics, answers, out: dict, config: dict) -> dict:
    for metric in metrics:
        values, failed = [], 0
        for record, sample in answers:
            try:
                value = float(await metric.single_turn_ascore(sample))
            except Exception as exc:
                if _is_connection_error(exc):
                    out["error"] = (f"the judge endpoint {config['base_url']} stopped answering during "
                                    f"{metric.name} ({type(exc).__name__}): LLM-judged metrics are incomplete")
                    out[metric.name] = {"cases": len(values), "mean": _mean(values), "failed": failed + 1}
                    return out
                failed += 1  # a reply the judge could not parse: counted, not fatal
                value = float("nan")
            record.scores[metric.name] = None if math.isnan(value) else round(value, 4)
            values.append(value)
        out[metric.name] = {"cases": len(answers), "mean": _mean(values), "failed": failed}
    return out


def load_kb_chunks(kb_dir: Path, settings: Settings) -> dict[tuple[str, str], list[str]]:
    """(source, section) -> chunk texts in document order, as ingest chunks ``kb_dir``. A file ingest could
    not index (a contents page, a broken file) gives no reference text: the run's ``not_indexed`` names it
    and why, and a case whose references are all in such files is left out of the context metrics."""
    from ingest.folder import chunk_folder

    out: dict[tuple[str, str], list[str]] = {}
    for chunked in chunk_folder(kb_dir, settings):
        if chunked.error is not None:
            continue
        for chunk in chunked.chunks:
            out.setdefault((chunked.source, chunk.section), []).append(chunk.text)
    return out
