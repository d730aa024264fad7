"""Customer-message templates that carry the public values (phones, IBANs) and Faker's
(names, street addresses) into sentences, since no public set has them in running text.

Written for this evaluation in the style of real support chat: typos, lower case, no
full stops, values at the start, middle or end, several lines. Every family is cut in
two: ``train`` templates are the only ones rules were tuned on, ``report`` templates
are the ones the numbers are reported on (written separately, with other wording and
other cues where the family allows it). ``{v}`` is the value.
"""

from __future__ import annotations

# Phones. National formats need a cue (the issue: "with cues for national ones"), so only
# the CUED templates carry them; international and E.164 numbers go into both kinds.
PHONE_CUED = {
    "train": [
        "call me back on {v} pls",
        "My phone number is {v}.",
        "new mobile: {v}",
        "Hi, my number changed to {v}, can you update it on my account?",
        "you can reach me at {v} after 6pm",
        "Tel {v}",
        "whatsapp me on {v} if the chat drops",
        "pls send the sms code to {v} not the old one",
        "phone number {v} - this is the one linked to my wallet",
        "the verification call goes to {v} but that phone was stolen",
        "Hello, please ring {v} tomorrow morning. Thanks",
        "my cell is {v}",
    ],
    "report": [
        "can someone call {v}? been waiting 2 days for a reply",
        "Contact number: {v}",
        "I'm on {v} all day if you need to talk",
        "text me at {v} when the card is shipped",
        "mob. {v}",
        "Phone:\n{v}\nBest time is evenings",
        "the 2FA texts should go to my new number {v}",
        "hey, the app keeps asking to confirm {v} as my phone but it's correct",
        "Número de teléfono {v}",
        "my telephone is {v}, landline only",
        "numéro de portable : {v}",
        "reach me on whatsapp {v} pls, email is not working",
    ],
}
PHONE_UNCUED = {
    "train": [
        "{v} is the one on file now",
        "did your team try {v}? nobody got in touch",
        "I got a strange message from {v} asking for my PIN, was that you??",
        "it's {v}, thanks",
    ],
    "report": [
        "{v} - that's me, please update",
        "someone from {v} says they're Lodestar support, is it a scam?",
        "use {v} for the callback",
        "ok so {v} and the old one should be removed",
    ],
}

IBAN = {
    "train": [
        "Please send the refund to my IBAN {v}",
        "my iban: {v} - is that right for sepa transfers?",
        "the transfer to {v} bounced back, why?",
        "I'd like to add a payee, IBAN {v}, BIC not sure",
        "{v} is my new account, pls change the payout",
        "can you check if {v} is correct? my landlord says the money never arrived",
        "IBAN {v}\nName on account is the same as in the app",
        "withdraw everything to {v} please",
    ],
    "report": [
        "Hello, the salary account is {v}. Thanks!",
        "paid rent to {v} on monday and it still shows pending",
        "bank says {v} is invalid but i copied it from the statement??",
        "Beneficiary: {v}",
        "send my EUR balance to {v}",
        "is {v} a valid iban? the app rejects it",
        "my old bank account {v} should be removed",
        "Refund please, to the account I used before ({v}).",
    ],
}

# Card-like numbers: a run of 8-19 digits after a cue, card or account, several languages.
CARD = {
    "train": [
        "my card {v} got declined at the petrol station",
        "card number is {v} exp 09/27, pls freeze it asap",
        "acct no. {v} - can you check the balance",
        "account {v} shows a payment I didn't make",
        "cc {v} was charged twice",
        "Kartennummer {v}, bitte sperren",
        "numéro de carte {v} refusé",
        "i typed my card wrong, its {v}",
        "routing number {v}",
        "no. {v} is the one on the back of the card",
    ],
    "report": [
        "the card ending... actually the full number is {v}",
        "Card: {v}\nExpiry: 11/28",
        "número de tarjeta {v}, no funciona",
        "my debit card {v} was swallowed by the ATM",
        "account number {v} please close it",
        "numero di carta {v} bloccata",
        "acct {v} still not verified",
        "Please cancel card no {v} immediately",
        "kaart nummer {v} werkt niet",
        "sort code and account: {v}",
    ],
}

ADDRESS = {
    "train": [
        "please post the new card to {v}",
        "I moved, my new address is {v}",
        "Address:\n{v}",
        "ship it to {v} thanks",
        "i live at {v} now, how do i update it?",
        "the letter went to {v} but that's my old flat",
        "Delivery address {v}. I'm home after 5.",
        "{v}\nthat's where I live now",
    ],
    "report": [
        "can you send the replacement to {v}? cheers",
        "My registered address should be {v}",
        "we relocated to {v} last month",
        "postal address: {v}",
        "the courier couldn't find {v}, please check",
        "Hi, updating my details:\n{v}\nThanks",
        "proof of address shows {v} but the app has the old one",
        "send the documents to {v} please",
    ],
}

NAME = {
    "train": [
        "my name is {v} and I can't log in",
        "Hi this is {v}, my card was blocked",
        "Regards,\n{v}",
        "I sent 200 EUR to {v} yesterday and it never arrived",
        "the account is in the name of {v}",
        "{v} here, following up on my ticket",
        "can you add {v} as a recipient?",
        "Thanks, {v}",
    ],
    "report": [
        "Hello, I'm {v}. Someone used my card in Lisbon.",
        "the payment to {v} failed twice",
        "Account holder: {v}",
        "my wife {v} needs access to the joint account",
        "Best wishes\n{v}",
        "it's {v} again, any news?",
        "I was told by {v} from your team to write here",
        "refund it to {v} please, she paid for me",
    ],
}

# Messages with numbers and capitalised words that are not PII: what over-redaction costs.
NEGATIVE = {
    "train": [
        "I paid €250 on 12/03/2024, 3 days ago and it's still pending",
        "order 48213377 never came",
        "The app crashes on version 4.12.1 with error 503",
        "Why is the fee 1.5% when the website says 0.5%?",
        "I tried 3 times in a row at 10:45 and it failed",
        "my balance shows 1,234.56 USD but should be 2,000",
        "Lodestar Plus vs Lodestar Metal card, which one has cashback?",
        "I need a statement for March 2024 for my tax return",
        "withdrawal of 0.05 BTC pending for 6 hours",
        "Ticket 5521 was closed without an answer",
    ],
    "report": [
        "the transfer of £1,500.00 from 02/11/2025 is missing",
        "it says error code 40021, what does that mean?",
        "Still waiting after 14 days, this is unacceptable",
        "I have 2 cards and 3 accounts, can I merge them?",
        "app version 7.2.0 on Android 14 keeps logging me out",
        "the exchange rate was 1.08 at 09:30 but you gave me 1.05",
        "Can I get the Premium plan for 12 months at 9.99 a month?",
        "sent 150 USDT on Tuesday, 20 confirmations already",
        "My statement from January 2025 shows 4 payments of 19.99",
        "Paris trip next week, will my card work in France?",
    ],
}

FAMILIES = {"phone_cued": PHONE_CUED, "phone_uncued": PHONE_UNCUED, "iban": IBAN, "card": CARD,
            "address": ADDRESS, "name": NAME, "negative": NEGATIVE}
