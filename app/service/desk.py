"""The handoff loop after Beacon hands over: agents assign, reply, reveal and resolve; the
customer reads the replies (in the chat, in the session's API transcript and event stream)
and comes back to them with a resume code.

Agent identities are plain strings: a staff login (``alice``) or ``api:`` and an API key's id.

Privacy:
- an agent's reply is redacted before it is stored, with the conversation's own vault, so the
  customer's values keep their placeholders; it is refused when it carries personal data that
  is not this customer's own (another customer's e-mail pasted by mistake) or any secret;
- with ``BEACON_VAULT_KEY`` set, the values of a conversation that reached a person are kept
  encrypted (``app/handoff/sealed_values.py``); the ticket's assignee can reveal one value of
  one ticket, and every reveal is audited (``app/handoff/reveal_audit.py``) before it is shown;
- erasure and retention destroy the sealed values with the conversation (``BeaconService._erase``).
"""

from __future__ import annotations

import contextlib
import copy
import re
import threading
from datetime import datetime, timedelta
from typing import Iterator

from app.chain.sessions import Turn
from app.core.clock import utc_now
from app.core.errors import ConflictError, InvalidInputError, NotFoundError
from app.handoff.reveal_audit import RevealAudit
from app.handoff.sealed_values import SealedValues
from app.handoff.ticket_states import TicketStateError
from app.handoff.tickets import Ticket, normalise_resume_code
from app.core.settings import MAKE_A_VAULT_KEY
from guardrails.normalize import normalize
from guardrails.output_guard import BLOCKING_PII  # one list of what a reply may not carry
from guardrails.pii.vault import PLACEHOLDER_RE

AGENT_MESSAGE_MAX_CHARS = 4000
SECRET_TYPES = frozenset({"SEED_PHRASE", "PRIVATE_KEY"})
_SPACE = re.compile(r"\s+")
# What a resumed conversation shows instead of a value: a resume code passed on by mistake must
# not hand over the customer's details.
_MASKS = {
    "EMAIL_ADDRESS": "your e-mail address", "PHONE_NUMBER": "your phone number", "PERSON": "a name",
    "CREDIT_CARD": "a card number", "IBAN_CODE": "an IBAN", "CRYPTO_WALLET": "a wallet address",
    "ADDRESS": "an address", "UK_POSTCODE": "a postcode", "DATE_OF_BIRTH": "a date of birth",
    "LODESTAR_CUSTOMER_ID": "your customer number", "LODESTAR_TX_REF": "a transaction reference",
}
_TYPE_NAMES = {"EMAIL_ADDRESS": "an e-mail address", "PHONE_NUMBER": "a phone number", "CREDIT_CARD": "a card number",
               "IBAN_CODE": "an IBAN", "CRYPTO_WALLET": "a wallet address", "ADDRESS": "a street address",
               "UK_POSTCODE": "a postcode", "BANK_ACCOUNT": "an account number", "UK_SORT_CODE": "a sort code"}


class AgentMessageError(InvalidInputError):
    """An agent's message cannot be sent as written; the message says what to change."""

    code = "message_refused"


class VaultNotConfiguredError(ConflictError):
    """Values are not kept because no vault key is set."""

    code = "vault_not_configured"


class UnknownPlaceholderError(NotFoundError):
    code = "unknown_placeholder"


class UnknownResumeCodeError(NotFoundError):
    code = "unknown_resume_code"

    def __init__(self) -> None:
        super().__init__("That code doesn't match a conversation. Check it against the handoff notice (it looks like "
                         "ABCD-EFGH-JKLM-NPQR); a conversation that was deleted cannot be resumed")


def placeholders_in(texts) -> list[str]:
    """Every placeholder in the texts, each once, in order of appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for match in PLACEHOLDER_RE.finditer(text or ""):
            found.setdefault(match.group(0), None)
    return list(found)


def ticket_placeholders(ticket: Ticket) -> list[str]:
    return placeholders_in([ticket.summary, *(entry.get("text", "") for entry in ticket.transcript)])


def mask(text: str) -> str:
    """Placeholders as words a customer understands: ``<EMAIL_ADDRESS_1>`` -> ``[your e-mail address]``."""
    return PLACEHOLDER_RE.sub(lambda m: f"[{_MASKS.get(m.group(1), 'a detail you shared')}]", text or "")


def _squash(text: str) -> str:
    return _SPACE.sub("", text).lower()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class HandoffDesk:
    def __init__(self, service) -> None:
        self._service = service
        self._sealed: SealedValues | None = None
        self._audit: RevealAudit | None = None
        self._published: str | None = None
        self._lock = threading.Lock()

    # -- parts ----------------------------------------------------------------------------
    @property
    def settings(self):
        return self._service.settings

    @property
    def tickets(self):
        return self._service.tickets

    @property
    def sealed(self) -> SealedValues | None:
        """The encrypted values, or None without ``BEACON_VAULT_KEY``."""
        key = self.settings.vault_key
        if key is None:
            return None
        with self._lock:
            if self._sealed is None:
                self._sealed = self._sealed_values(key.get_secret_value())
            return self._sealed

    def _sealed_values(self, key: str | None) -> SealedValues:
        if self.settings.shared:
            from app.chain.factory import shared_database
            from app.handoff.postgres_stores import PostgresSealedValues

            return PostgresSealedValues(shared_database(self.settings), key)
        return SealedValues(self.settings.data_dir / "vault.sqlite3", key)

    @property
    def audit(self) -> RevealAudit:
        with self._lock:
            if self._audit is None:
                if self.settings.shared:
                    from app.chain.factory import shared_database
                    from app.handoff.postgres_stores import PostgresRevealAudit

                    self._audit = PostgresRevealAudit(shared_database(self.settings))
                else:
                    self._audit = RevealAudit(self.settings.data_dir / "reveals.sqlite3")
            return self._audit

    def forget_published(self) -> None:
        """After an ingest: the knowledge base may publish other contact details now."""
        self._published = None

    def _published_text(self) -> str:
        if self._published is None:
            _, texts, _ = self._service.store.all_chunks()
            self._published = _squash(" ".join(texts))
        return self._published

    # -- the conversation in memory ------------------------------------------------------
    def restore_session(self, session_id: str) -> None:
        """A stored conversation that is no longer in memory (an idle tab, a restart) gets its
        recent turns back, and its vault: the sealed values with a key, and in any case the
        numbers of the placeholders already used, so ``<EMAIL_ADDRESS_1>`` keeps meaning one value."""
        chain = self._service.chain
        if chain.sessions.peek(session_id) is not None:
            return
        stored = self._service.conversations.get_session(session_id)
        if stored is None:
            return
        session, _ = chain.sessions.get(session_id)
        if session.vault is None:
            session.vault = chain.guardrails.new_vault()
        texts = [text for turn in stored["turns"] for text in (turn["question"], turn["answer"])]
        self._fill_vault(session, texts)
        if not session.turns:
            session.turns = [Turn(t["question"], t["question"], t.get("region"), t["answer"],
                                  (t.get("decision") or {}).get("action") or "answer") for t in stored["turns"][-10:]]
            session.region = next((t.get("region") for t in reversed(stored["turns"]) if t.get("region")), None)
        chain.sessions.save(session)  # the shared store keeps it for every replica; in memory a no-op

    def _fill_vault(self, session, texts: list[str]) -> None:
        if self.sealed is not None:
            for placeholder, kind, value in self.sealed.entries(session.session_id):
                session.vault.adopt(placeholder, kind, value)
        for ticket in self.tickets.list(session_id=session.session_id, limit=1000):
            texts += [entry.get("text", "") for entry in ticket.transcript]
        for placeholder in placeholders_in(texts):
            session.vault.reserve(placeholder)

    @contextlib.contextmanager
    def _live_session(self, session_id: str) -> Iterator:
        """The conversation's session, held like a turn holds it: an agent's message may add a
        value to the vault, and a customer's turn on another replica must not write over it."""
        self.restore_session(session_id)
        chain = self._service.chain
        with chain.sessions.hold(session_id) as (session, created):
            if session.vault is None:
                session.vault = chain.guardrails.new_vault()
            if created:
                self._fill_vault(session, [])
            yield session

    def seal(self, session_id: str, session=None) -> int:
        """Keep the conversation's values encrypted (with a key), once it reached a person.
        ``session``: the conversation's session when the caller holds it (a turn), else it is read."""
        if self.sealed is None:
            return 0
        if session is None:
            session = self._service.chain.sessions.peek(session_id)
        if session is None or session.vault is None or not len(session.vault):
            return 0
        return self.sealed.seal(session_id, session.vault.entries(), utc_now().isoformat(timespec="seconds"))

    # -- agents ---------------------------------------------------------------------------
    def assign(self, ticket_id: str, agent: str, note: str | None = None) -> dict:
        return self.tickets.assign(ticket_id, agent.strip(), note).to_json()

    def set_status(self, ticket_id: str, status: str, note: str | None = None, by: str | None = None) -> dict:
        return self.tickets.set_status(ticket_id, status, note, by).to_json()

    def send(self, ticket_id: str, text: str, by: str) -> dict:
        """An agent's message to the customer: checked, redacted, put on the ticket (which is then
        answered) and delivered to the chat and the session's event stream."""
        text = (text or "").strip()
        if not text:
            raise AgentMessageError("The message is empty: write what the customer should read")
        if len(text) > AGENT_MESSAGE_MAX_CHARS:
            raise AgentMessageError(f"The message is {len(text)} characters long; the most is "
                                    f"{AGENT_MESSAGE_MAX_CHARS}: shorten it or send it in two parts")
        ticket = self.tickets.get(ticket_id)
        if ticket.state == "resolved":
            raise TicketStateError(f"ticket {ticket_id} is resolved: reopen it before you reply")
        with self._live_session(ticket.session_id) as session:
            redacted = self._checked(ticket, session.vault, text)
        ticket, entry = self.tickets.add_agent_message(ticket_id, redacted, by)
        self._service.conversations.touch_session(ticket.session_id)
        self.seal(ticket.session_id)
        return {"message": {**entry, "ticket_id": ticket.ticket_id}, "ticket": ticket.to_json()}

    def _checked(self, ticket: Ticket, vault, text: str) -> str:
        """The message redacted with the conversation's vault, or AgentMessageError: a
        placeholder the ticket does not have, a secret, or personal data that is not this
        customer's own (values the knowledge base publishes, like the help line, are fine)."""
        known = set(ticket_placeholders(ticket)) | set(vault.values())
        unknown = [p for p in placeholders_in([text]) if p not in known]
        if unknown:
            raise AgentMessageError(f"{unknown[0]} is not a placeholder of this conversation: use one the ticket shows"
                                    + (f" ({', '.join(sorted(known)[:6])})" if known else ""))
        redactor = self._service.chain.guardrails.input.redactor
        normalized = normalize(text).text
        trial = copy.deepcopy(vault)  # the real vault learns nothing from a refused message
        before = set(trial.values())
        redaction = redactor.redact(normalized, trial)
        if any(e.type in SECRET_TYPES for e in redaction.entities):
            raise AgentMessageError("The message carries a recovery phrase or private key. Never send one to a "
                                    "customer: remove it")
        published = None
        foreign = set()
        for entity in redaction.entities:
            if entity.placeholder in before or entity.type not in BLOCKING_PII:
                continue
            published = self._published_text() if published is None else published
            if _squash(normalized[entity.start:entity.end]) not in published:
                foreign.add(entity.type)
        if foreign:
            kinds = ", ".join(sorted(_TYPE_NAMES.get(k, k.lower().replace("_", " ")) for k in foreign))
            raise AgentMessageError(
                f"The message carries personal data that is not this customer's own ({kinds}). Remove it, and check "
                "you are replying on the right ticket; to use the customer's own details, write their placeholder "
                "(e.g. <EMAIL_ADDRESS_1>) or the value they gave")
        return redactor.redact(normalized, vault).text

    # -- reveal under audit ---------------------------------------------------------------
    def placeholders(self, ticket_id: str) -> list[dict]:
        """The ticket's placeholders, and whether a value is kept for each (a key is set and the
        customer wrote it while the conversation was with a person or before)."""
        ticket = self.tickets.get(ticket_id)
        kept = set(self.sealed.placeholders(ticket.session_id)) if self.sealed is not None else set()
        return [{"placeholder": p, "entity_type": PLACEHOLDER_RE.fullmatch(p).group(1), "kept": p in kept}
                for p in ticket_placeholders(ticket)]

    def reveal(self, ticket_id: str, placeholder: str, by: str) -> dict:
        """One value of one ticket, for the agent who holds it. The reveal is written to the audit
        log before the value is returned; without a key nothing is kept, so nothing can be shown."""
        placeholder = (placeholder or "").strip()
        match = PLACEHOLDER_RE.fullmatch(placeholder)
        if match is None:
            raise InvalidInputError(f"{placeholder!r} is not a placeholder: write it as the ticket shows it, e.g. "
                                    "<EMAIL_ADDRESS_1>")
        if self.sealed is None:
            raise VaultNotConfiguredError(
                "No values are kept because BEACON_VAULT_KEY is not set: the ticket shows placeholders only. An "
                f"operator can make a key with {MAKE_A_VAULT_KEY} and set it; values written after that are kept")
        ticket = self.tickets.get(ticket_id)
        if ticket.state == "resolved":
            raise TicketStateError(f"ticket {ticket_id} is resolved: reopen it before you reveal a value")
        if ticket.assigned_to != by:
            holder = f"assigned to {ticket.assigned_to}" if ticket.assigned_to else "not assigned to anyone"
            raise TicketStateError(f"ticket {ticket_id} is {holder}: assign it to yourself before you reveal a value")
        if placeholder not in ticket_placeholders(ticket):
            raise UnknownPlaceholderError(f"ticket {ticket_id} has no {placeholder}: reveal one of the placeholders "
                                          "its transcript shows")
        value = self.sealed.unseal(ticket.session_id, placeholder)
        if value is None:
            raise UnknownPlaceholderError(f"the value of {placeholder} is not kept (it was written before "
                                          "BEACON_VAULT_KEY was set, or the conversation was erased): ask the customer")
        at = utc_now().isoformat(timespec="seconds")
        entry = self.audit.record(at, by, ticket_id, placeholder, match.group(1), ticket.assigned_to)
        return {**entry, "value": value}

    def reveals(self, ticket_id: str | None = None, revealed_by: str | None = None, limit: int = 200) -> list[dict]:
        return self.audit.entries(ticket_id, revealed_by, limit)

    # -- the customer's side ----------------------------------------------------------------
    def messages_for_customer(self, session_id: str, masked: bool = False) -> list[dict]:
        """The agents' replies in the conversation, oldest first, as the customer reads them: with
        their own values back (``masked``: as words, for a resumed conversation)."""
        session = self._service.chain.sessions.peek(session_id)
        shown = []
        for entry in self.tickets.agent_messages(session_id):
            text = entry["text"]
            if masked:
                text = mask(text)
            elif session is not None and session.vault is not None:
                text = session.vault.restore(text)
            shown.append({"message_id": entry["message_id"], "ticket_id": entry["ticket_id"], "at": entry["at"],
                          "by": entry["by"], "text": text})
        return shown

    def stored_messages(self, session_id: str) -> list[dict]:
        """The agents' replies as stored (redacted), for the session's API transcript."""
        return [{k: entry[k] for k in ("message_id", "ticket_id", "at", "by", "text")}
                for entry in self.tickets.agent_messages(session_id)]

    def handoff_state(self, session_id: str) -> dict | None:
        """The conversation's open ticket, else its latest one, or None."""
        tickets = self.tickets.list(session_id=session_id, limit=1000)
        if not tickets:
            return None
        ticket = next((t for t in tickets if t.status == "open"), None) or max(tickets, key=lambda t: t.created_at)
        return {"ticket_id": ticket.ticket_id, "state": ticket.state, "priority": ticket.priority,
                "category": ticket.category, "assigned_to": ticket.assigned_to, "resolved_at": ticket.resolved_at,
                "related_tickets": [r["ticket_id"] for r in ticket.related_tickets]}

    def issue_resume_code(self, session_id: str) -> str:
        return self.tickets.issue_resume_code(session_id)

    def resume(self, code: str) -> dict:
        """The conversation behind a resume code, as a chat shows it again: every turn and agent
        reply in order, with the customer's details masked."""
        session_id = self.tickets.session_for_resume_code(code or "")
        stored = self._service.conversations.get_session(session_id) if session_id else None
        if stored is None:
            raise UnknownResumeCodeError()
        self.restore_session(session_id)
        history = []
        for turn in stored["turns"]:
            history.append({"role": "customer", "text": mask(turn["question"]), "at": _when(turn["at"])})
            history.append({"role": "beacon", "text": mask(turn["answer"]), "at": _when(turn["at"])})
        for message in self.messages_for_customer(session_id, masked=True):
            history.append({"role": "agent", "text": message["text"], "by": message["by"], "at": _when(message["at"]),
                            "message_id": message["message_id"]})
        history.sort(key=lambda entry: entry["at"])  # stable: a turn's question stays before its answer
        return {"session_id": session_id, "resume_code": normalise_resume_code(code),
                "history": [{**e, "at": e["at"].isoformat()} for e in history],
                "handoff": self.handoff_state(session_id)}

    # -- erasure and retention --------------------------------------------------------------
    def erase(self, session_ids: list[str]) -> int:
        """The sealed values of these conversations (their resume codes go with the tickets)."""
        sealed = self.sealed or self._sealed_values(None)
        return sealed.delete_sessions(session_ids)

    def purge_audit(self, now: datetime) -> int:
        cutoff = (now - timedelta(days=self.settings.reveal_audit_days)).isoformat(timespec="seconds")
        return self.audit.forget_before(cutoff)
