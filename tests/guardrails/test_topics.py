"""Sensitive-topic detection: incidents fire, general questions about the same things do not."""

from __future__ import annotations

import pytest

from guardrails.errors import GuardrailError
from guardrails.topics import CATEGORIES, DEFAULT_THRESHOLDS, TopicDetector, TopicScore


@pytest.fixture(scope="session")
def detector() -> TopicDetector:
    d = TopicDetector()
    d.warm_up()
    return d


@pytest.fixture(scope="session")
def rules_detector() -> TopicDetector:
    d = TopicDetector(use_model=False)
    d.warm_up()
    return d


INCIDENTS = [
    ("a man rang pretending to be from lodestar and got me to move £3k to a safe account", {"fraud_scam"}),
    ("someone logged into my account from a phone i dont own and changed my email", {"account_takeover"}),
    ("There's a £240 payment to a shop in Leeds that I didn't make.", {"unauthorised_transaction"}),
    ("my phone got nicked at the station and the app is on it", {"lost_stolen_device"}),
    ("i typed my seed phrase into a website that said it would sync my wallet", {"secret_exposed"}),
    ("My solicitor will be in touch and I'm reporting you to the FCA.", {"legal_regulatory"}),
    ("I want to make a formal complaint about how I was treated.", {"complaint"}),
    ("My mum passed away last week and I need to deal with her account.", {"vulnerable_customer"}),
    ("<PERSON_1> from your support team asked for my 2FA code and I gave it to them", {"secret_exposed"}),
    ("my recovery phrase is <SEED_PHRASE_1> can u check my vault", {"secret_exposed"}),
    ("here is my key <PRIVATE_KEY_1>, please move my coins", {"secret_exposed"}),
    ("a woman i met on a dating app keeps asking me to put more into her trading site, ive sent 3k", {"fraud_scam"}),
    ("got an email about a login from a new device and it wasn't me", {"account_takeover"}),
    ("Sim swapped overnight and now there are password reset emails I never asked for", {"account_takeover"}),
    ("someone used my card without me knowing", {"unauthorised_transaction"}),
    ("how much is premium, I want to complain about the fee you took", {"complaint"}),
    ("i lost my job and i'm behind on my rent, the bailiffs are coming", {"vulnerable_customer"}),
    ("delete all my personal data under GDPR", {"legal_regulatory"}),
]

HARD_NEGATIVES = [
    ("What is your fraud protection policy?", "fraud_scam"),
    ("How does Lodestar protect me from scams?", "fraud_scam"),
    ("How do I change my password?", "account_takeover"),
    ("Can I see a list of devices logged into my account?", "account_takeover"),
    ("How long does a card payment take to show up?", "unauthorised_transaction"),
    ("What happens if I lose my card?", "lost_stolen_device"),
    ("Is my seed phrase stored on your servers?", "secret_exposed"),
    ("Are you regulated by the FCA?", "legal_regulatory"),
    ("Can I get a statement for my lawyer?", "legal_regulatory"),
    ("What's the complaints procedure?", "complaint"),
    ("Can I nominate a beneficiary for my crypto wallet?", "vulnerable_customer"),
    # routine questions the first version flagged
    ("entered wrong pin 3 times now its locked", "secret_exposed"),
    ("found my card after i said it was stolen, can i still use it", "lost_stolen_device"),
    ("max i can spend per day on the card", "unauthorised_transaction"),
    ("what are the card fees on plus", "unauthorised_transaction"),
    ("can I buy a gift card for a friend from lodestar", "fraud_scam"),
    ("is it ok to screenshot my seed phrase", "secret_exposed"),
    ("If my phone is ever stolen, what should I do?", "lost_stolen_device"),
    ("How do I report a suspicious email? I haven't clicked it.", "fraud_scam"),
    ("Is SIM swap protection something you offer?", "account_takeover"),
]


@pytest.mark.parametrize("text, expected", INCIDENTS)
def test_incidents_are_detected(detector, text, expected):
    found = {t.category for t in detector.detect(text).topics}
    assert expected <= found, (text, found)


# Version 9 learnt lost_or_stolen_phone from BANKING77, whose intent holds such questions too ("What
# should I do if my phone is stolen?"): a known false alarm of the model (research/topics/TOPICS.md).
MODEL_KNOWN_FALSE_ALARMS = {"If my phone is ever stolen, what should I do?": "version 9 model: hypothetical theft read as current"}


@pytest.mark.parametrize("text, category", [
    pytest.param(t, c, marks=pytest.mark.xfail(strict=True, reason=MODEL_KNOWN_FALSE_ALARMS[t])) if t in MODEL_KNOWN_FALSE_ALARMS
    else (t, c) for t, c in HARD_NEGATIVES])
def test_general_questions_do_not_fire(detector, text, category):
    result = detector.detect(text)
    assert category not in {t.category for t in result.topics}, (text, result.scores)


@pytest.mark.parametrize("text, category", [(t, c) for t, cats in INCIDENTS[:8] for c in cats])
def test_rules_alone_catch_plain_incidents(rules_detector, text, category):
    assert rules_detector.mode == "rules"
    assert category in {t.category for t in rules_detector.detect(text).topics}


@pytest.mark.parametrize("text, category", HARD_NEGATIVES)
def test_rules_alone_skip_general_questions(rules_detector, text, category):
    assert category not in {t.category for t in rules_detector.detect(text).topics}


def test_routine_question_is_not_sensitive(detector):
    result = detector.detect("how do i top up with apple pay")
    assert not result.sensitive and result.topics == []
    assert set(result.scores) == set(CATEGORIES) and all(0 <= s <= 1 for s in result.scores.values())


def test_topics_are_sorted_and_above_threshold(detector):
    result = detector.detect("i gave my recovery phrase to a fake lodestar agent on telegram and now my eth is gone")
    scores = [t.score for t in result.topics]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2
    assert all(t.score >= detector.thresholds[t.category] for t in result.topics)


def test_threshold_override():
    text = "someone logged into my account from a phone i dont own and changed my email"
    strict = TopicDetector(thresholds={"account_takeover": 1.0 + 1e-9})
    loose = TopicDetector(thresholds={"account_takeover": 0.0})
    assert "account_takeover" not in {t.category for t in strict.detect(text).topics}
    assert "account_takeover" in {t.category for t in loose.detect("how do i top up").topics}
    assert strict.thresholds["fraud_scam"] == DEFAULT_THRESHOLDS["fraud_scam"]


def test_unknown_threshold_name_says_the_fix():
    with pytest.raises(GuardrailError, match="unknown topic threshold.*fraud_scam"):
        TopicDetector(thresholds={"fraud": 0.5})


def test_batch_equals_single(detector):
    texts = [t for t, _ in INCIDENTS] + [t for t, _ in HARD_NEGATIVES]
    batch = detector.detect_batch(texts)
    for text, got in zip(texts, batch):
        single = detector.detect(text)
        assert [t.category for t in got.topics] == [t.category for t in single.topics]
        assert got.scores == pytest.approx(single.scores, abs=1e-4)


@pytest.mark.parametrize("text", ["", "   ", "\x00\xff\ufffd" * 50, "lost my card " + "a" * 100_000, "🙂" * 500])
def test_odd_input_does_not_crash(detector, text):
    result = detector.detect(text)
    assert set(result.scores) == set(CATEGORIES)
    if not text.strip():
        assert not result.sensitive


def test_placeholders_alone_are_not_sensitive(detector):
    result = detector.detect("please send <AMOUNT_1> to <PERSON_1> at <IBAN_CODE_1>")
    assert not result.sensitive, result.scores


def test_the_retrieval_embedder_does_not_change_topics(settings):
    from app.chain.factory import build_input_guard

    hashed = build_input_guard(settings.model_copy(update={"embedding_backend": "hash"}), embedder=None, redactor=object())
    assert hashed.topics.use_model
    rules = build_input_guard(settings.model_copy(update={"topic_model": "rules"}), embedder=None, redactor=object())
    assert not rules.topics.use_model


def test_construction_is_cheap_and_warm_up_is_explicit():
    d = TopicDetector(use_model=False)
    assert d.mode == "unloaded"
    d.warm_up()
    assert d.mode == "rules"
    assert "lost_stolen_device" in {t.category for t in d.detect("my card was stolen").topics}


@pytest.mark.parametrize("threshold, fires", [(0.5, True), (0.65, False)])
def test_one_cue_scores_between_the_thresholds(threshold, fires):
    # One cue scores 0.6: the default 0.5 fires on it, an override of 0.65 asks for two.
    d = TopicDetector(thresholds={"lost_stolen_device": threshold}, use_model=False)
    assert ("lost_stolen_device" in {t.category for t in d.detect("lost my card").topics}) is fires


def test_score_json_is_rounded():
    assert TopicScore("complaint", 0.123456).to_json() == {"category": "complaint", "score": 0.1235}


# Version 3 cue families: incidents described in words the earlier rules had no phrase for
# (written for these tests, not taken from any labelled split).
CUE_FAMILIES = [
    ("there are three weird transactions on my account from last night", "unauthorised_transaction"),
    ("£400 has gone from my account and i have no idea where", "unauthorised_transaction"),
    ("my card was cloned, payments in spain", "unauthorised_transaction"),
    ("got a text saying my password was changed, i never did that", "account_takeover"),
    ("a new iphone was added to my account and it's not mine", "account_takeover"),
    ("i gave them my seed phrase because they said they were support", "secret_exposed"),
    ("i accidentally pasted my recovery phrase in a discord chat", "secret_exposed"),
    ("I was streaming on twitch and my seed phrase was visible on screen", "secret_exposed"),
    ("the notebook with my seed phrase was stolen from my car", "secret_exposed"),
    ("i'm leaving an abusive relationship and he has access to my card", "vulnerable_customer"),
    ("i can't afford food this week and my direct debits are due", "vulnerable_customer"),
    ("i have ADHD and find the app really confusing", "vulnerable_customer"),
    ("a guy on telegram asked me to validate my wallet on his site", "fraud_scam"),
]

CUE_FAMILY_NEGATIVES = [
    ("how do i spot a suspicious transaction", "unauthorised_transaction"),
    ("how long does money take to leave my account", "unauthorised_transaction"),
    ("what happens if I accidentally share my seed phrase", "secret_exposed"),
    ("can i see which devices are linked to my account", "account_takeover"),
]


# Version 4 cue families (written for these tests; the families came from test3's misses).
CUE_FAMILIES += [
    ("the seller says my refund is on hold until i pay a release fee", "fraud_scam"),
    ("he says he will post my pictures unless i send him money", "fraud_scam"),
    ("a trading group promised 5% a day and now i can't get my eth out", "fraud_scam"),
    ("an unknown party gained access to my account last night", "account_takeover"),
    ("my girlfriend has been going into my account behind my back", "account_takeover"),
    ("a new sim was activated on my number and i never asked for one", "account_takeover"),
    ("two payments in paris this morning but i'm at home in leeds", "unauthorised_transaction"),
    ("a £60 card payment to a betting site, i don't gamble", "unauthorised_transaction"),
    ("somebody's spent £200 on my card in the last hour", "unauthorised_transaction"),
    ("my 2fa code is 553 901 please log me in", "secret_exposed"),
    ("i think my colleague watched me type my password", "secret_exposed"),
    ("i pushed my api secret to a public github repo by mistake", "secret_exposed"),
    ("I've reported this to the Central Bank and expect a reply", "legal_regulatory"),
    ("i'm done being patient, send this to your complaints team", "complaint"),
    ("i've got £5 left until payday and nothing in the fridge", "vulnerable_customer"),
    ("my husband controls the money and checks my phone", "vulnerable_customer"),
]

# Version 4 hard negatives: resolved past events, someone else's incident, idioms.
CUE_FAMILY_NEGATIVES += [
    # The version 8 model (trained with BANKING77, where "my card was stolen" is the incident) reads a
    # resolved theft as a current one: a known false alarm (research/guards/README.md).
    pytest.param("my card was stolen last year and you sorted it fast, thanks again. how do i add a payee?",
                 "lost_stolen_device", marks=pytest.mark.xfail(strict=True, reason="version 8 model: past theft")),
    ("I died laughing at your newsletter. how do I change my currency?", "vulnerable_customer"),
    ("my phone is dead (battery), can i log in on my laptop?", "lost_stolen_device"),
    ("I'm a lawyer and want to open a business account, what do you need?", "legal_regulatory"),
    ("my friend got scammed on another app, how do you protect customers?", "fraud_scam"),
    ("I saw on the news that an exchange got hacked, are you affected?", "account_takeover"),
    ("can you explain what a sim swap is?", "account_takeover"),
]


@pytest.mark.parametrize("text, category", CUE_FAMILIES)
def test_cue_families_fire_on_incidents(rules_detector, text, category):
    assert category in {t.category for t in rules_detector.detect(text).topics}


@pytest.mark.parametrize("text, category", CUE_FAMILY_NEGATIVES)
def test_cue_families_skip_general_questions(detector, text, category):
    assert category not in {t.category for t in detector.detect(text).topics}


def test_the_model_is_on_by_default(detector):
    assert detector.mode == "rules+model"


@pytest.mark.parametrize("p, cut, expected", [(0.0, 0.9, 0.0), (0.45, 0.9, 0.25), (0.9, 0.9, 0.5), (0.95, 0.9, 0.75), (1.0, 0.9, 1.0)])
def test_model_probability_maps_its_cut_to_the_default_threshold(p, cut, expected):
    from guardrails.topics import model_score

    assert model_score(p, cut) == pytest.approx(expected)


def test_shipped_model_matches_the_categories_and_gives_a_probability_per_topic():
    from guardrails.topics import TopicModel

    model = TopicModel.load()
    assert 0 < model.cut < 1
    probs = model.probabilities(["my card was stolen", "what are your fees?", ""])
    assert probs.shape == (3, len(CATEGORIES)) and ((probs >= 0) & (probs <= 1)).all()
    assert probs[0, CATEGORIES.index("lost_stolen_device")] > probs[1, CATEGORIES.index("lost_stolen_device")]


def test_encoder_that_does_not_match_the_model_file_says_the_fix(tmp_path):
    import json

    from guardrails.topics import MODEL_PATH, TopicModel

    (tmp_path / "topic_encoder.onnx").write_bytes(b"not the trained graph")
    (tmp_path / "topic_model.json").write_text(MODEL_PATH.read_text())
    with pytest.raises(GuardrailError, match="not the encoder this file was written with.*research.topics.finetune"):
        TopicModel.load(tmp_path / "topic_model.json")
    assert json.loads(MODEL_PATH.read_text())["encoder"] == "topic_encoder.onnx"


def test_broken_model_file_says_the_fix(tmp_path):
    from guardrails.topics import TopicModel

    path = tmp_path / "topic_model.json"
    path.write_text("{")
    with pytest.raises(GuardrailError, match="research.topics.finetune"):
        TopicModel.load(path)


def test_a_rule_counts_only_where_the_model_gives_its_category_the_floor(monkeypatch):
    import numpy as np

    d = TopicDetector()
    d.warm_up()
    assert d._model.rule_floor > 0
    monkeypatch.setattr(d._model, "probabilities", lambda texts: np.zeros((len(texts), len(CATEGORIES))))
    assert not d.detect("my phone got nicked at the station and the app is on it").sensitive
    monkeypatch.setattr(d._model, "rule_floor", 0.0)
    assert "lost_stolen_device" in {t.category for t in d.detect("my phone got nicked at the station and the app is on it").topics}


# Routine help-centre questions named in issue 13 (research/guards/README.md has the public figures).
@pytest.mark.parametrize(
    "text",
    [
        "can I check that I wrote my recovery words down correctly",
        "an exchange says my address is not valid",
        "charged twice for the same coffee",
    ],
)
def test_routine_help_centre_questions_are_not_escalated(detector, text):
    assert detector.detect(text).topics == []


# A request for a person is routed to one as "human_requested", not as a sensitive topic.
@pytest.mark.parametrize("text", [
    "can I speak to someone", "get me an agent",
    # Frustration at the bot is a request for a person, not a complaint (topic_rules.AT_THE_BOT).
    "this bot is useless, a real person please", "useless bot, get me a human", "this bot's useless, is anyone there?",
])
def test_requests_for_a_person_are_not_a_topic(detector, text):
    assert not detector.detect(text).sensitive


def test_a_complaint_beside_frustration_at_the_bot_still_counts(detector):
    found = detector.detect("this bot is useless and your service is a disgrace, I want to complain")
    assert "complaint" in {t.category for t in found.topics}
