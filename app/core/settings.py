"""All of Beacon's knobs in one typed object, read from ``BEACON_*`` environment variables.

Every field has a default, a type and a description; the settings table in docs/settings.md is
checked against this class by a test, so a new field must be documented there too.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.errors import ConfigError
from app.core.source_urls import template_problem

ENV_PREFIX = "BEACON_"

EmbeddingBackend = Literal["minilm-onnx", "openai", "hash"]
MAKE_A_VAULT_KEY = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
DEFAULT_SLA_MINUTES = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    knowledge_dir: Path = Field(Path("knowledge"), description="Folder of knowledge files (FAQs, policies) to ingest.")
    kb_url_template: str | None = Field(
        None,
        description="The public address of a knowledge file, as a pattern with {path}, {page}, {folder}, {stem} "
                    "(https://help.example.com/{page}/): citations link to it. Unset: only files that give "
                    "their own url do.",
    )
    company_name: str | None = Field(
        None,
        description="The company's name as customers know it (chat title, replies, LLM instructions, guard cues); "
                    "unset names none.",
    )
    company_aliases: list[str] = Field(
        default_factory=list, description='Other names customers use for the company, as JSON (["Acme", "Acme Pay"]).'
    )
    data_dir: Path = Field(Path(".beacon"), description="Folder for the embedded Chroma store and other local state.")
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:8000). Unset: a persistent embedded store in data_dir."
    )
    chroma_collection: str = Field(
        "beacon_knowledge", description="Collection name prefix; the embedding model's id is appended."
    )
    embedding_backend: EmbeddingBackend = Field(
        "minilm-onnx",
        description="minilm-onnx (bundled, offline), openai (any OpenAI-compatible /embeddings), or hash (test fake).",
    )
    embedding_batch_size: int = Field(8, ge=1, le=256, description="Texts per embedding call.")
    embedding_threads: int = Field(0, ge=0, description="ONNX Runtime intra-op threads; 0 uses every core.")
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible API (Azure, vLLM, Ollama, llama.cpp). Unset: api.openai.com."
    )
    openai_api_key: SecretStr | None = Field(None, description="API key for the OpenAI-compatible endpoint.")
    openai_embedding_model: str = Field("text-embedding-3-small", description="Embedding model name at that endpoint.")
    openai_chat_model: str = Field("gpt-4o-mini", description="Chat model name at that endpoint (BEACON_GENERATOR=openai).")
    openai_context_tokens: int = Field(8192, ge=512, description="The chat model's context window; the prompt is cut to fit.")
    openai_answer_tokens: int = Field(512, ge=16, description="Tokens reserved for, and the most allowed in, one reply.")
    openai_timeout_s: float = Field(
        30.0, gt=0, description="Most seconds for one HTTP request to the endpoint (never past the reply deadline)."
    )
    openai_max_retries: int = Field(
        2, ge=0, le=10, description="Retries after a connection error or a 5xx/429, only while the reply deadline allows."
    )
    openai_first_token_s: float = Field(
        4.0, gt=0, le=120, description="Seconds a model reply may take to start; then the extractive answer is given."
    )
    openai_reply_deadline_s: float = Field(
        10.0, gt=0, le=300, description="Seconds a whole model reply may take, retries included; then the extractive answer."
    )
    openai_concurrency: int = Field(
        8, ge=1, le=256, description="Model calls in flight at once; a turn beyond them gets the extractive answer at once."
    )
    openai_breaker_failures: int = Field(
        3, ge=1, le=100, description="Failed model calls in a row after which the endpoint is not called for a while."
    )
    openai_breaker_cooldown_s: float = Field(
        30.0, gt=0, le=3600, description="Seconds the endpoint is left alone after those failures, before one probe call."
    )
    chunk_max_tokens: int = Field(
        220, ge=32, le=2000, description="Token budget of one policy chunk (tiktoken cl100k_base)."
    )
    max_file_mb: float = Field(2.0, gt=0, description="Knowledge files larger than this are refused.")
    search_top_k: int = Field(5, ge=1, le=100, description="Results returned by a search.")
    retrieval_alpha: float = Field(
        0.7, ge=0, le=1, description="Weight of vector search against BM25 in the fused score (1: vectors only)."
    )
    retrieval_candidates: int = Field(20, ge=1, le=500, description="Candidates each of vector and BM25 search pass to fusion.")
    reranker: bool = Field(
        False, description="Reorder the top fused results with the cross-encoder reranker (app/index/reranker.onnx, built by research/kbs/reranker_train.py)."
    )
    reranker_top_n: int = Field(5, ge=1, le=100, description="Fused results the reranker reads and reorders.")
    reranker_weight: float = Field(
        0.25, ge=0, le=1, description="Weight of the reranker's probability against the fused score in the new order (1: the reranker alone)."
    )
    sentence_weight: float = Field(
        0.2, ge=0, le=1, description="Weight of each candidate's best sentence (its cosine to the question, normalised over the candidates) added to the fused score before the cut (0: off; 0.2 is the measured choice; the ingest stores the sentence vectors while it is on)."
    )
    sentence_top_n: int = Field(10, ge=1, le=100, description="Fused results whose sentences are matched and reordered.")
    exact_search_max_records: int = Field(
        100_000, ge=0, description="Up to this many stored vectors the vector search is exact (every vector scored, the same result in every process); above it Chroma's approximate index answers."
    )
    confidence_threshold: float = Field(
        0.614, ge=0, le=1, description="Below this confidence Beacon does not answer (the cut of python -m research.kbs.decision --write)."
    )
    answer_sources: int = Field(3, ge=1, le=20, description="Retrieved chunks given to the generator as numbered sources.")
    max_question_chars: int = Field(2000, ge=50, description="Longer messages get a polite request to shorten them.")
    generator: Literal["extractive", "openai"] = Field(
        "extractive", description="extractive (no LLM, offline) or openai (any OpenAI-compatible chat endpoint)."
    )
    caution_margin: float = Field(
        0.1, ge=0, le=1, description="Confidence band above the threshold in which an answer carries a caution note."
    )
    answer_alongside_handoff: bool = Field(
        True, description="A handoff for a sensitive topic (not a vulnerable customer, a secret, an injection or a request for a person) also gives the help centre's answer when retrieval is confident."
    )
    pii_score_threshold: float | None = Field(
        None, ge=0, le=1, description="Presidio score from which a detection is redacted; empty uses the measured default."
    )
    pii_allow_list: list[str] = Field(
        default_factory=list,
        description="Extra words not redacted (JSON list), on top of the company vocabulary; after 'my name is', "
                    "they are a name.",
    )
    pii_id_patterns: dict[str, str] = Field(
        default_factory=dict,
        description='The company\'s own identifiers to redact, as JSON {"TYPE": "regular expression"}, e.g. '
                    '{"ACME_CUSTOMER_ID": "AC-?\\d{8}"}: whole words, any case.',
    )
    topic_thresholds: dict[str, float] = Field(
        default_factory=dict, description='Per-topic escalation thresholds as JSON, e.g. {"complaint": 0.6}; others keep defaults.'
    )
    topic_model: Literal["bundled", "rules"] = Field(
        "bundled", description="Sensitive-topic detector: the bundled fine-tuned model with the rules, or the rules alone."
    )
    injection_model: Literal["bundled", "rules"] = Field(
        "bundled", description="Prompt-injection detector: the bundled classifier with the rules, or the rules alone."
    )
    injection_threshold: float | None = Field(
        None, ge=0, le=1, description="Prompt-injection score from which a message is flagged; empty uses the default."
    )
    host: str = Field("127.0.0.1", description="Address `beacon serve` listens on (0.0.0.0 to accept other machines).")
    port: int = Field(7860, ge=1, le=65535, description="Port `beacon serve` listens on.")
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="API keys for /v1 (comma-separated); sent as Authorization: Bearer KEY."
    )
    admin_api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="API keys with the admin scope (ingest, documents, handoffs), comma-separated."
    )
    api_keys_file: Path | None = Field(
        None, description='JSON file of keys: {"keys": ["..."], "admin_keys": ["..."]}, read at start, added to the above.'
    )
    ui_users: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Staff logins for Knowledge, Escalations and Insights, as user:password, comma-separated."
    )
    max_request_kb: int = Field(64, ge=1, description="Largest JSON request body in KB (uploads: BEACON_MAX_FILE_MB); larger gets 413.")
    rate_limit_per_minute: int = Field(120, ge=1, description="Requests per minute per API key; more get 429 with Retry-After.")
    chat_rate_limit_per_minute: int = Field(
        20, ge=1, description="Messages per minute from one browser address in the open chat; more are asked to wait."
    )
    chat_daily_limit: int = Field(
        300, ge=1, description="Messages per day (UTC) from one browser address in the open chat; more are refused."
    )
    chat_max_request_kb: int = Field(
        256, ge=8, description="Largest request the open chat accepts in KB (the message and the conversation shown)."
    )
    chat_concurrency: int = Field(
        16, ge=1, le=512, description="Chat turns the open chat works on at once; more wait their turn."
    )
    auth_failures_per_minute: int = Field(
        10, ge=1, description="Failed API keys or staff logins per minute from one address; more get 429 with Retry-After."
    )
    retention_days: int = Field(30, ge=1, description="Conversations untouched for longer are purged (at start and daily).")
    conversation_store: str = Field(
        "", description="Where conversations are kept: a SQLite path or sqlite:///path; empty: DATA_DIR/conversations.sqlite3."
    )
    database_url: SecretStr | None = Field(
        None, description="PostgreSQL URL of the store shared by several replicas (postgresql://user:pass@host/db); "
                          "unset: SQLite files and memory in DATA_DIR (one replica)."
    )
    database_pool_size: int = Field(
        12, ge=2, le=200, description="Connections each replica keeps open to that database at most."
    )
    webhook_url: str | None = Field(None, description="URL that receives a POST with each new handoff ticket (JSON).")
    webhook_secret: SecretStr | None = Field(None, description="Signs webhook bodies: X-Beacon-Signature is HMAC-SHA256 hex.")
    vault_key: SecretStr | None = Field(
        None, description="Fernet key(s), comma-separated (the first encrypts): handed-over conversations' values "
                          "kept encrypted for agents to reveal."
    )
    reveal_audit_days: int = Field(365, ge=1, description="Days the audit log of revealed values is kept.")
    handoff_sla_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_SLA_MINUTES),
        description='Minutes within which a ticket of each priority should be picked up, as JSON, e.g. {"urgent": 10}.',
    )
    judge_base_url: str | None = Field(
        None, description="OpenAI-compatible URL of the judge model for `beacon eval --judge` (unset: judged metrics skipped)."
    )
    judge_model: str = Field("gpt-4o-mini", description="Judge model name at that endpoint.")
    judge_api_key: SecretStr | None = Field(None, description="API key for the judge endpoint.")
    judge_timeout_s: float = Field(60.0, gt=0, description="Timeout in seconds for one judge call.")
    judge_max_tokens: int = Field(1024, ge=16, description="Most tokens in one judge reply (a judge that rambles costs time, not accuracy).")
    groundedness_threshold: float | None = Field(
        None, ge=0, le=1, description="Support score a reply sentence needs from its cited source; empty uses the default."
    )

    @field_validator("api_keys", "admin_api_keys", "ui_users", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        """Keys and logins come as "a,b" in the environment (a JSON list also works)."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("ui_users")
    @classmethod
    def _user_password_pairs(cls, value: list[SecretStr]) -> list[SecretStr]:
        for entry in value:
            user, _, password = entry.get_secret_value().partition(":")
            if not user or not password:
                raise ValueError("each login must be user:password, e.g. BEACON_UI_USERS=editor:long-secret")
        return value

    @field_validator("vault_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        """Checked at start, so a wrong key stops ``beacon serve`` rather than the first handoff."""
        if value is None or not value.get_secret_value().strip():
            return None
        for number, key in enumerate(value.get_secret_value().split(","), start=1):
            try:
                raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
            except (binascii.Error, ValueError, UnicodeEncodeError):
                raw = b""
            if len(raw) != 32:
                raise ValueError(f"key {number} is not a Fernet key (32 url-safe base64-encoded bytes); make one with "
                                 f"{MAKE_A_VAULT_KEY}")
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("not a PostgreSQL URL; write it like postgresql://beacon:PASSWORD@db.internal:5432/beacon")
        return value

    @field_validator("conversation_store")
    @classmethod
    def _not_a_database(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://", "postgresql+")):
            raise ValueError("PostgreSQL holds every shared store at once, not conversations alone: set "
                             "BEACON_DATABASE_URL to that URL and leave BEACON_CONVERSATION_STORE unset")
        return value

    @model_validator(mode="after")
    def _shared_needs_a_key_and_a_server(self) -> "Settings":
        """Replicas that share state share the PII vault: it is kept encrypted in the database,
        never in one replica's memory, so a shared deployment without a key does not start."""
        if self.database_url is None:
            return self
        if self.vault_key is None:
            raise ValueError(
                "BEACON_DATABASE_URL is set, so replicas keep each conversation's placeholders and values in the shared "
                "database, encrypted with BEACON_VAULT_KEY, which is not set: make a key with "
                f"{MAKE_A_VAULT_KEY} and give every replica the same BEACON_VAULT_KEY")
        if self.chroma_url is None:
            raise ValueError(
                "BEACON_DATABASE_URL is set but BEACON_CHROMA_URL is not: replicas would each search their own embedded "
                "index. Run a Chroma server (chroma run --path DIR --port 8000) and set BEACON_CHROMA_URL on every replica")
        return self

    @property
    def shared(self) -> bool:
        """Several replicas share one database: nothing may live in one process's memory alone."""
        return self.database_url is not None

    @field_validator("handoff_sla_minutes")
    @classmethod
    def _known_priorities(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(DEFAULT_SLA_MINUTES))
        if unknown:
            raise ValueError(f"unknown priority {', '.join(unknown)}; use {', '.join(DEFAULT_SLA_MINUTES)}")
        if any(minutes < 1 for minutes in value.values()):
            raise ValueError("each target must be at least 1 minute")
        return {**DEFAULT_SLA_MINUTES, **value}

    @field_validator("kb_url_template")
    @classmethod
    def _url_template(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if problem := template_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("chroma_url", "judge_base_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL; write it like http://localhost:8000")
        return value.rstrip("/")


def unknown_env_keys(environ: dict[str, str] | None = None) -> list[str]:
    """BEACON_* variables that match no setting: almost always a typo."""
    environ = dict(os.environ if environ is None else environ)
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(key for key in environ if key.startswith(ENV_PREFIX) and key not in known)


def load_settings(**overrides) -> Settings:
    """Read settings from the environment, turning mistakes into one clear ConfigError."""
    unknown = unknown_env_keys()
    if unknown:
        known = [ENV_PREFIX + name.upper() for name in Settings.model_fields]
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, known, n=1)
            hints.append(f"{key} (did you mean {close[0]}?)" if close else key)
        raise ConfigError(f"unknown setting {', '.join(hints)}: fix or unset it (see the settings table in docs/settings.md)")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if not err["loc"]:  # a rule across settings: its message names them
                problems.append(err["msg"].removeprefix("Value error, "))
                continue
            name = ENV_PREFIX + ".".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid setting " + "; ".join(problems) + " — fix the value or unset it") from None
