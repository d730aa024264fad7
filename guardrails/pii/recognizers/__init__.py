"""Every recognizer the PII analyzer uses: ours (one module per family) and the stock
Presidio ones we keep. Person names come from the name tagger (guardrails/pii/name_tagger.py,
run by the redactor), not from spaCy's NER. Stock types we drop on purpose: DATE_TIME, NRP, LOCATION and
ORGANIZATION from spaCy (mostly noise on support chat: "3 days", "British", "Paris",
"Lodestar"), URL (links to our own help centre are not PII), Presidio's CRYPTO (Bitcoin
only, replaced by crypto_addresses) and US_BANK_NUMBER (replaced by bank_accounts).
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    IpRecognizer,
    UkNinoRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

from guardrails.pii.recognizers.address_lines import AddressRecognizer
from guardrails.pii.recognizers.bank_accounts import (
    CuedAbaRoutingRecognizer,
    BankAccountNumberRecognizer,
    SortCodeRecognizer,
)
from guardrails.pii.recognizers.contact_details import (
    CardRecognizer,
    OfflineEmailRecognizer,
    phone_recognizer,
)
from guardrails.pii.recognizers.cued_numbers import CuedNumberRecognizer
from guardrails.pii.recognizers.crypto_addresses import (
    Bech32Recognizer,
    BitcoinBase58Recognizer,
    EthereumRecognizer,
    SolanaRecognizer,
    TonRecognizer,
)
from guardrails.pii.recognizers.iban import CountryLengthIbanRecognizer
from guardrails.pii.recognizers.dates_of_birth import DateOfBirthRecognizer
from guardrails.pii.recognizers.lodestar_ids import CustomerNumberRecognizer, TransactionReferenceRecognizer
from guardrails.pii.recognizers.person_names import IntroducedNameRecognizer
from guardrails.pii.recognizers.phone_numbers import PhoneNumberRecognizer
from guardrails.pii.recognizers.private_keys import HexKeyOrTxHashRecognizer, WifPrivateKeyRecognizer
from guardrails.pii.recognizers.seed_phrase import SeedPhraseRecognizer
from guardrails.pii.recognizers.social_handles import SocialHandleRecognizer
from guardrails.pii.recognizers.uk_postcodes import CuedUkPostcodeRecognizer


def custom_recognizers() -> list[EntityRecognizer]:
    return [
        BitcoinBase58Recognizer(), Bech32Recognizer(), EthereumRecognizer(), TonRecognizer(), SolanaRecognizer(),
        SeedPhraseRecognizer(), WifPrivateKeyRecognizer(), HexKeyOrTxHashRecognizer(),
        SortCodeRecognizer(), BankAccountNumberRecognizer(), CuedAbaRoutingRecognizer(),
        CustomerNumberRecognizer(), TransactionReferenceRecognizer(),
        CuedUkPostcodeRecognizer(), AddressRecognizer(),
        CuedNumberRecognizer(), PhoneNumberRecognizer(),
        IntroducedNameRecognizer(), SocialHandleRecognizer(), DateOfBirthRecognizer(),
        OfflineEmailRecognizer(), phone_recognizer(),
    ]


def stock_recognizers() -> list[EntityRecognizer]:
    return [
        CardRecognizer(), CountryLengthIbanRecognizer(), IpRecognizer(),
        UsSsnRecognizer(), UkNinoRecognizer(), UsPassportRecognizer(),
    ]


def all_recognizers() -> list[EntityRecognizer]:
    return custom_recognizers() + stock_recognizers()
