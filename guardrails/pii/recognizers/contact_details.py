"""E-mail addresses and phone numbers.

Presidio's stock EmailRecognizer validates the domain with the module-level
`tldextract.extract`, which downloads the public-suffix list on first use (and logs
a long traceback when offline). This subclass uses an extractor built with
`suffix_list_urls=()` and no cache dir: it reads only the snapshot bundled with
tldextract, so nothing touches the network or the disk.
"""

from __future__ import annotations

from functools import lru_cache

import tldextract
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, EmailRecognizer, PhoneRecognizer

# Where Lodestar's customers are (UK/EU/US); "+<country code>" numbers from anywhere
# are still found by phonenumbers because the leading + fixes the region.
PHONE_REGIONS = ("GB", "US", "IE", "FR", "DE", "ES", "IT", "NL", "PT", "PL", "CA", "AU", "IN")


@lru_cache(maxsize=1)
def offline_tld_extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    def __init__(self) -> None:
        super().__init__(name="OfflineEmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        return offline_tld_extractor()(pattern_text).fqdn != ""


def phone_recognizer() -> PhoneRecognizer:
    return PhoneRecognizer(supported_regions=PHONE_REGIONS, leniency=1)


class CardRecognizer(CreditCardRecognizer):
    """Stock card patterns plus Mastercard's 2221–2720 range, which they miss; Luhn still decides."""

    def __init__(self) -> None:
        patterns = list(self.PATTERNS) + [
            Pattern("mastercard_2_series", r"\b2[2-7]\d{2}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b", 0.3)]
        super().__init__(patterns=patterns)
