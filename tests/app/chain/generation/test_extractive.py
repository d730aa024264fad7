"""app/chain/generation/extractive.py: answers quoted from the sources, as a customer reads them."""

from __future__ import annotations

import pytest

from app.chain.generation.extractive import ExtractiveGenerator, best_sentences, mend, name_currency, select
from app.index.retrieval import RetrievedChunk


def _chunk(text: str, source: str = "guides/restore.md", title: str = "Restore a wallet", question: str | None = None,
           section: str = "Restoring") -> RetrievedChunk:
    return RetrievedChunk(f"id-{source}-{len(text)}", source, title, section, text, 1.0,
                          metadata={"question": question} if question else {})


RESTORE = ("Restoring needs your seed. It has 13, 14 or 25 words.\n\nTo restore from the seed:\n\n"
           "1. Open the wallet\n2. Choose Restore from seed\n3. Type the words\n\n"
           "The restore height makes syncing faster. You can find it in a block explorer.")


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("how do i restore from the seed", RESTORE,
         "Restoring needs your seed.\n\nTo restore from the seed:\n\n1. Open the wallet\n2. Choose Restore from seed\n"
         "3. Type the words"),
        ("what is the restore height", RESTORE, "Restoring needs your seed.\n\nTo restore from the seed:\n\n"
                                                "1. Open the wallet\n2. Choose Restore from seed\n3. Type the words\n\n"
                                                "The restore height makes syncing faster."),
        ("which command starts it offline", "Use the command line.\n\n```\nelectrum --offline\n```",
         "Use the command line."),
        ("how do I sign", "Sign the message with\nyour key. Then send it.", "Sign the message with your key."),
        # A label with no sentence end brings the code it labels (Electrum's merchant guide).
        ("how do i stop the daemon", "Start Electrum as a daemon:\n\n```\nelectrum daemon -d\n```\n\n"
                                     "Note: to stop the daemon\n\n```\nelectrum stop\n```",
         "Start Electrum as a daemon:\n\n```\nelectrum daemon -d\n```\n\nNote: to stop the daemon\n\n"
         "```\nelectrum stop\n```"),
        # A sentence carried on after a code block comes with the block and its lead-in (gpg guide).
        ("gpg says the key is not certified, is my download fake",
         "You can ignore this warning:\n\n```\nWARNING: This key is not certified!\n```\n\n"
         "as it only means you have not built a web of trust with other GPG users.",
         "You can ignore this warning:\n\n```\nWARNING: This key is not certified!\n```\n\n"
         "as it only means you have not built a web of trust with other GPG users."),
        # A lead-in whose code went to the next chunk is no answer: left out beside whole sentences.
        ("can the python console list my unspent outputs",
         "The console runs Python commands. The results are Python objects.\n\n"
         "Let us call listunspent() to see the unspent outputs:",
         "The console runs Python commands. The results are Python objects."),
        # "Then …" after a block answers "If you see: <the block>" (BTCPay's synchronisation FAQ).
        ("my node never finishes starting, is the data corrupted",
         "Check the logs first.\n\nIf you see:\n\n```\nPlease restart with -reindex\n```\n\n"
         "Then your data directory has been corrupted.",
         "If you see:\n\n```\nPlease restart with -reindex\n```\n\nThen your data directory has been corrupted."),
        # "Instead, …" comes with the sentence it answers (BTCPay's subscriptions page).
        ("can btcpay do recurring subscription payments",
         "Bitcoin has no way to charge customers on a schedule. Instead, BTCPay provides a subscription system "
         "with reminders.",
         "Bitcoin has no way to charge customers on a schedule. Instead, BTCPay provides a subscription system "
         "with reminders."),
        # "Now …" is the next step of a sequence: it comes with the step before it (Monero's chat guide).
        ("how do i find the chat rooms",
         "You need an account first.\n\nOnce you have entered your details, log into your account. Now search for "
         "the rooms and join the ones you like!",
         "Once you have entered your details, log into your account. Now search for the rooms and join the ones you "
         "like!"),
        # "This change …" is about what the sentence before it did: it comes with that sentence.
        ("how many invoices a minute can one till create",
         "Open Server settings and raise the rate limit to 500. This change lets every till create many invoices a "
         "minute.",
         "Open Server settings and raise the rate limit to 500. This change lets every till create many invoices a "
         "minute."),
        # "Click on it …" acts on what the sentence before it named.
        ("how do i fetch the full address for an alias",
         "Type the alias in the address field. A Resolve button then appears. Click on it to fetch the full address.",
         "Type the alias in the address field. A Resolve button then appears. Click on it to fetch the full address."),
        # "The next step is …" follows the options listed before it: they come with it.
        ("how do i refund a customer",
         "Open the Payouts page and tick the payouts.\n\nThe Actions button offers:\n\n- Approve\n- Approve and send\n"
         "- Cancel\n\nThe next step is to choose Approve and send to refund the customer.",
         "The Actions button offers:\n\n- Approve\n- Approve and send\n- Cancel\n\nThe next step is to choose Approve "
         "and send to refund the customer."),
        # "This guide …" sums up the page the citation opens: it stands alone.
        ("how to restore a wallet from seed",
         "Backups matter. This guide shows how to restore a wallet from its seed.",
         "This guide shows how to restore a wallet from its seed."),
    ],
    ids=["sentence-brings-its-list", "best-sentences-in-order", "code-is-never-alone", "line-breaks-mended",
         "label-brings-its-code", "continuation-brings-its-block", "lead-in-at-the-end-left-out",
         "then-brings-its-block", "instead-brings-the-sentence-before",
         "now-brings-the-step-before", "this-change-brings-the-sentence-before",
         "click-on-it-brings-the-sentence-before", "the-next-step-brings-the-list-before", "this-guide-stands-alone"],
)
def test_select_quotes_whole_sentences_with_what_they_introduce(question, text, expected):
    assert select(question, text) == expected


def test_an_answer_has_no_lead_in_and_ends_with_its_citation():
    faq = _chunk("Open the app and tap Freeze.", source="faq/cards.md", title="Cards FAQ",
                 question="How do I freeze my card?")
    text = ExtractiveGenerator().generate("freeze card", [faq]).text
    assert text == "Open the app and tap Freeze. [1]"
    policy = _chunk(RESTORE)
    text = ExtractiveGenerator().generate("how do i restore from the seed", [policy]).text
    assert not text.lower().startswith(("here is our answer", "from "))
    assert text.endswith("[1]") and "›" not in text


@pytest.mark.parametrize(
    ("extra_text", "see_also"),
    [
        ("Keep it offline. Never type your wallet seed into a website that asks for it.",
         "See also Security:\nNever type your wallet seed into a website that asks for it. [2]"),
        ("Prefix: xpub; Type: legacy\nPrefix: zpub; Type: segwit", None),  # a table row is no fact on its own
        ("Restoring needs your seed words and the restore height.", None),  # the answer says that already
        ("and then the seed restore finishes", None),  # a fragment, not a sentence
        ("Mining rewards arrive every two minutes on average.", None),  # not about the question
        ("View the wallet seed restore instructions here.", None),  # a pointer, not a fact
        # Sentences that need the page around them (Electrum's multisig and Tor pages, BTCPay's setup guide).
        ("Of course when you restore the other wallet from the seed, you put the key of this one.", None),
        ("This is because the wallet restore checks every seed word against the list.", None),
        ("Now that your wallet seed is restored, you will need to fund the wallet.", None),
        ("Read the following section to see how the wallet seed restore works.", None),
        ("Above that, a wallet seed restore costs 0.3% of the amount moved.", None),  # the demo KB's top-up fees
    ],
    ids=["different-fact", "table-row", "same-fact", "fragment", "off-topic", "pointer", "of-course", "this-is-because",
         "now-that", "the-following", "above-that"],
)
def test_see_also_only_adds_a_whole_different_fact(extra_text, see_also):
    top = _chunk("Restoring needs your seed. The restore height makes syncing faster.")
    extra = _chunk(extra_text, source="security.md", title="Security.", section="Seeds")
    text = ExtractiveGenerator().generate("how do i restore my wallet from the seed", [top, extra]).text
    assert text.split("\n\n", 1)[1:] == ([see_also] if see_also else [])


def test_a_long_faq_answer_is_cut_to_its_best_whole_sentences():
    answer = " ".join(f"Sentence number {i} talks about fees and other things at some length." for i in range(30))
    answer += " Refunds take five days."
    faq = _chunk(answer, question="How long do refunds take?")
    text = ExtractiveGenerator().generate("how long do refunds take", [faq]).text
    assert "Refunds take five days. [1]" in text and len(text) < len(answer) / 3


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("A new card costs 5.99 in your account currency.", "UK", "A new card costs 5.99 in your account currency (GBP)."),
        ("Limits are in your account currency.", "EU", "Limits are in your account currency (EUR)."),
        ("Limits are in your account currency.", None, "Limits are in your account currency."),
        ("Limits are in your account currency (GBP).", "UK", "Limits are in your account currency (GBP)."),
    ],
)
def test_the_currency_is_named_when_the_region_is_known(text, region, expected):
    assert name_currency(text, region) == expected


def test_mend_joins_broken_lines_but_keeps_list_items():
    assert mend("Sign the message\nwith your key.\n- one\n- two\n  continued") == \
        "Sign the message with your key.\n- one\n- two continued"


def test_mend_keeps_each_table_row_on_its_line():
    # the demo fee schedule's rows, as ingest writes a table: one "Header: value; …" line per row
    rows = ("Item: First physical card; Fee or limit: Free\nItem: Replacement physical card; Fee or limit: £5.99\n"
            "Item: Express card delivery; Fee or limit: £14.99")
    assert mend(rows) == rows
    assert mend("The fees\nbelow apply.\n" + rows) == "The fees below apply.\n" + rows


def test_best_sentences_offers_list_items_as_steps():
    text = "Treat it as urgent:\n\n- message us in the chat;\n- freeze your card in Card > Freeze;"
    assert "- freeze your card in Card > Freeze;" in best_sentences("freeze card", text, limit=2)


def test_a_source_that_is_only_code_never_leaves_the_answer_empty():
    # Found on BTCPay: a chunk that is one long code block came first, and the reply was " [1]".
    code = _chunk("```\npackage main\n\nfunc main() {}\n```", source="deploy/extended.md", title="Manual deployment")
    prose = _chunk("Describe the problem in detail. The better you describe it, the sooner it is fixed.",
                   source="troubleshooting.md", title="Troubleshooting")
    text = ExtractiveGenerator().generate("how do i get better at go", [code, prose]).text
    assert text == "The better you describe it, the sooner it is fixed. [2]"
    alone = ExtractiveGenerator().generate("how do i get better at go", [code]).text
    assert alone == "```\npackage main\n\nfunc main() {}\n``` [1]"


def test_a_followed_article_gives_what_the_answer_did_not_say_and_nothing_when_it_only_repeats():
    from app.chain.generation.extractive import FOLLOWED

    question = "balance shows zero after i restored my wallet"
    answer = _chunk("This problem occurs when you set a restore height above your first incoming transaction. "
                    "Please read this guide to change the wallet restore height.", source="restore.md")
    guide_text = ("This problem occurs when you set a restore height above your first incoming transaction. "
                  "Open Settings, change the wallet restore height to a lower block and rescan the balance.")
    guide = RetrievedChunk("id-guide", "height.md", "Change restore height", "", guide_text, 0.5,
                           metadata={FOLLOWED: "restore.md"})
    reply = ExtractiveGenerator().generate(question, [answer, guide]).text
    said, see_also = reply.split("See also Change restore height:\n")
    assert "lower block and rescan" in see_also and "above your first incoming" not in see_also
    copy = RetrievedChunk("id-copy", "copy.md", "Copy", "", answer.text, 0.5, metadata={FOLLOWED: "restore.md"})
    assert "See also" not in ExtractiveGenerator().generate(question, [answer, copy]).text
    assert select(question, guide_text, said=answer.text).startswith("Open Settings")


def test_a_followed_passage_about_something_else_gives_no_see_also():
    from app.chain.generation.extractive import FOLLOWED

    answer = _chunk("First look at the deployment options and pick one. If you still have questions, visit the "
                    "Deployment FAQ.", source="faq/general.md")
    onward = RetrievedChunk("id-dep", "faq/deployment.md", "Deployment FAQ", "", "Check this community guide.", 0.5,
                            metadata={FOLLOWED: "faq/general.md"})
    assert "See also" not in ExtractiveGenerator().generate("how do i upgrade to the latest version",
                                                            [answer, onward]).text


@pytest.mark.parametrize(("text", "expected"), [
    # BTCPay's Coldcard guide: the video is not in the reply
    ("1. Wallets > Send\n2. Sign it.\n\nThe video below shows how to connect your store to your Coldcard.",
     "1. Wallets > Send\n2. Sign it."),
    ("If it persists, the dialog appears as shown below, and the height does not change such as in this "
     "screenshot:\n\nThis happens when the server was offline.", "This happens when the server was offline."),
    ("Below is a screenshot of the page. Open Settings and tap Save.", "Open Settings and tap Save."),
    # words about pictures that point at none stay
    ("Write them down; a screenshot on the same phone won't help you. Tap your profile picture.",
     "Write them down; a screenshot on the same phone won't help you. Tap your profile picture."),
    ("Electrum windows can appear black in screenshots.", "Electrum windows can appear black in screenshots."),
    # a step is never dropped
    ("To pay:\n\n1. Scan the code shown in the image below.\n2. Confirm.", "To pay:\n\n1. Scan the code shown in the "
                                                                          "image below.\n2. Confirm."),
])
def test_a_sentence_about_a_picture_the_reply_cannot_show_is_not_quoted(text, expected):
    from app.chain.generation.extractive import whole

    assert whole(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Monero's "transaction not sent" guide, and BTCPay's wallet-creation page
    ("Your transaction was not sent to the Monero network. Read the following section to see how you can solve this "
     "problem.", "Your transaction was not sent to the Monero network."),
    ("As mentioned above, the create wallet functionality includes the risk of funds being stolen if the server is "
     "compromised.", "The create wallet functionality includes the risk of funds being stolen if the server is "
                     "compromised."),
    ("Run the installer. See the section below for Linux.", "Run the installer."),
    # a summary of the page the citation opens stays, and so does a sentence that goes on to say something
    ("This guide shows how to create an offline wallet that holds your coins.",
     "This guide shows how to create an offline wallet that holds your coins."),
    ("See the following list of supported wallets: Sparrow, Electrum.",
     "See the following list of supported wallets: Sparrow, Electrum."),
    # a step is never dropped
    ("1. Read the next section first.\n2. Confirm.", "1. Read the next section first.\n2. Confirm."),
])
def test_a_sentence_pointing_at_another_part_of_the_page_is_not_quoted(text, expected):
    from app.chain.generation.extractive import whole

    assert whole(text) == expected


# -- "See also" lines on subject (research/kbs/README.md, "See also lines") ------------------
FORGOT = "forgot my wallet password, i still have the 12 seed words written down. can i get back in?"
PASSWORD_FAQ = RetrievedChunk(
    "id-faq", "faq.md", "Frequently Asked Questions", "I have forgotten my password. What can I do?",
    "It is not possible to recover your password. However, you can restore your wallet from its seed phrase and "
    "choose a new password. If you lose both your password and your seed, there is no way to recover your money.", 1.0)
# Electrum's malware page under a forgotten-password question: it shares words with the question, not its subject.
STOLEN = RetrievedChunk("id-malware", "malware.md", "Malware", "If your coins got stolen",
                        "If your coins got stolen, you must not keep using your existing wallet with the same seed "
                        "words. Create a new wallet and move what is left.", 0.9)
SEED_ENOUGH = RetrievedChunk("id-restore", "restore.md", "Restoring a wallet", "From the seed",
                             "A forgotten wallet password is no loss when you still hold the 12 seed words: they "
                             "recreate every key on any device.", 0.85)


class _Cosines:
    """A deterministic sentence match: fixed cosines by passage text, or an endpoint that is down."""

    def __init__(self, by_text: dict[str, float] | None = None) -> None:
        self.by_text = by_text

    def cosines(self, question, passages):
        if self.by_text is None:
            raise ConnectionError("embedding endpoint down")
        return [next(v for k, v in self.by_text.items() if text.startswith(k)) for _, text in passages]


@pytest.fixture(scope="module")
def sentence_match(embedder):
    from app.index.sentences import SentenceMatch

    return SentenceMatch(embedder)


def _see_also_of(text: str) -> str | None:
    return text.split("\n\nSee also ", 1)[1] if "\n\nSee also " in text else None


def test_a_see_also_from_another_subject_is_left_out_and_one_on_the_question_is_kept(sentence_match):
    generator = ExtractiveGenerator(match=sentence_match)  # the bundled embedder, as the chain builds it
    assert _see_also_of(generator.generate(FORGOT, [PASSWORD_FAQ, STOLEN]).text) is None
    kept = _see_also_of(generator.generate(FORGOT, [PASSWORD_FAQ, SEED_ENOUGH]).text)
    assert kept == ("Restoring a wallet:\nA forgotten wallet password is no loss when you still hold the 12 seed "
                    "words: they recreate every key on any device. [2]")
    # Without a sentence match only the score check stands, and the stolen-coins line passes it.
    assert _see_also_of(ExtractiveGenerator().generate(FORGOT, [PASSWORD_FAQ, STOLEN]).text).startswith("Malware:")


def test_a_see_also_needs_its_source_to_score_close_to_the_answer():
    from dataclasses import replace

    from app.chain.generation.extractive import SEE_ALSO_SCORE_SHARE

    close = replace(SEED_ENOUGH, score=SEE_ALSO_SCORE_SHARE)
    far = replace(SEED_ENOUGH, score=SEE_ALSO_SCORE_SHARE - 0.01)
    assert _see_also_of(ExtractiveGenerator().generate(FORGOT, [PASSWORD_FAQ, close]).text)
    assert _see_also_of(ExtractiveGenerator().generate(FORGOT, [PASSWORD_FAQ, far]).text) is None


def test_the_third_source_gives_the_line_when_the_second_does_not_and_one_line_at_most():
    match = _Cosines({"It is not": 0.6, "If your coins": 0.3, "A forgotten": 0.58})
    text = ExtractiveGenerator(match=match).generate(FORGOT, [PASSWORD_FAQ, STOLEN, SEED_ENOUGH]).text
    assert _see_also_of(text).startswith("Restoring a wallet:") and text.endswith("[3]")
    both = _Cosines({"It is not": 0.6, "If your coins": 0.59, "A forgotten": 0.58})
    text = ExtractiveGenerator(match=both).generate(FORGOT, [PASSWORD_FAQ, STOLEN, SEED_ENOUGH]).text
    assert text.count("See also") == 1 and _see_also_of(text).startswith("Malware:")
    # A fourth source is never quoted.
    fourth = ExtractiveGenerator(match=match).generate(FORGOT, [PASSWORD_FAQ, STOLEN, STOLEN, SEED_ENOUGH]).text
    assert _see_also_of(fourth) is None


def test_a_sentence_match_that_fails_leaves_the_score_check_and_is_logged(caplog):
    text = ExtractiveGenerator(match=_Cosines(None)).generate(FORGOT, [PASSWORD_FAQ, SEED_ENOUGH]).text
    assert _see_also_of(text).startswith("Restoring a wallet:")
    assert "see-also sentence match failed" in caplog.text


def test_a_quoted_link_to_another_site_keeps_its_address_and_passes_the_output_check(redactor):
    """Monero's "First, try following this guide." sent the customer to a guide they could not open."""
    from app.index.link_targets import stored_anchors
    from guardrails.groundedness import GroundednessChecker
    from guardrails.output_guard import OutputGuard

    guide = "https://monero.stackexchange.com/questions/6649/transaction-stuck-as-pending-in-the-gui"
    anchors = [("this guide", guide), ("Monero public chat rooms", "{{site.baseurl}}/community/hangouts/")]
    chunk = RetrievedChunk("id-pay", "user-guides/make-payment.md", "Make a payment", "Failed", (
        "If your transaction failed, your money is not lost. First, try following this guide. If it doesn't "
        "solve your problem, ask in the Monero public chat rooms."), 1.0, metadata={"anchors": stored_anchors(anchors)})
    reply = ExtractiveGenerator().generate("my transaction failed, what do i try first", [chunk]).text
    assert f"First, try following [this guide]({guide})." in reply
    assert "[Monero public chat rooms]" not in reply  # a path on the help centre's site: no address to give
    check = OutputGuard(GroundednessChecker(), redactor).check(reply, [chunk.text], [guide])
    assert check.passed, check.to_json()
