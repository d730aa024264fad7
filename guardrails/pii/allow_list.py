"""Lodestar's own vocabulary: words and names that look like PII to a model but are not.

spaCy's small model tags capitalised product names as PERSON ("Lodestar Plus", "Vault")
and acronyms like "KYC" as anything. A detection whose whole text is one of these
(case-insensitive), or made only of these words, is dropped. Taken from the knowledge
base (product, plan and feature names, app menu labels) plus common industry terms.
"""

from __future__ import annotations

PRODUCT_NAMES = (
    "Lodestar", "Lodestar Plus", "Lodestar Premium", "Lodestar Standard", "Lodestar Metal", "Lodestar Metal card",
    "Lodestar Vault", "Lodestar Crypto", "Lodestar Europe", "Lodestar US", "Lodestar Financial",
    "Lodestar Financial Ltd", "Lodestar app", "Lodestar card", "Lodestar Visa", "Lodestar Support", "Lodestar Earn",
    "Plus", "Premium", "Standard", "Metal", "Vault", "Earn", "Vault wallet", "Pockets", "Round-ups",
)
APP_LABELS = (
    "Settings", "Card", "Profile", "Verification", "Security", "Privacy", "Plan", "Notifications", "Account",
    "Backup codes", "Passkeys", "Devices", "Sign out all devices", "Freeze", "Unfreeze", "Change device",
    "Proof of address", "Legal name", "Request my data", "Marketing preferences", "Close account",
    "Express card", "Default card", "Virtual card", "Add card", "Home", "Payments", "Hub", "Help",
)
INDUSTRY_TERMS = (
    "IBAN", "SEPA", "BIC", "SWIFT", "KYC", "AML", "2FA", "MFA", "OTP", "PIN", "CVV", "CVC", "BACS", "CHAPS",
    "Faster Payments", "ACH", "Zelle", "Visa", "Mastercard", "Apple Pay", "Google Pay", "FCA", "FOS", "GDPR",
    "Bitcoin", "BTC", "Ethereum", "ETH", "Solana", "SOL", "TON", "USDT", "USDC", "MetaMask", "Ledger", "Trezor",
    "Tonkeeper", "Phantom", "ERC-20", "ERC20", "TRC-20", "Binance", "Coinbase", "Kraken", "Face ID", "Touch ID",
    "Chargeback", "Trustpilot", "Monzo", "Revolut", "Wise", "Starling", "Barclays", "HSBC", "Chase", "Tesco",
    "Toncoin", "Tether", "Dogecoin", "Litecoin", "Android", "iOS", "iPhone", "Samsung", "Pixel", "Email", "E-mail",
    "Google Authenticator", "Authy", "WhatsApp", "Telegram", "Amazon", "PayPal", "Etherscan",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

COMPANY_VOCABULARY: frozenset[str] = frozenset(
    term.casefold() for term in PRODUCT_NAMES + APP_LABELS + INDUSTRY_TERMS + MONTHS)
