"""Does the reranker read? A few pairs written here: a question, the passage that answers it, and passages
that share its words without answering it (an overview page that names the topic, a neighbouring guide).
A model that reads puts the answer first; one that matches words does not.

    python -m research.kbs.reranker_reads --model ~/.cache/beacon-kbs/reranker-without-btcpay.onnx

Written here, so a check, never a headline figure; nothing is chosen on it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.index.reranker import CrossEncoderReranker, passage_text

OVERVIEW = passage_text("What's next", "", "Now that your store runs, read about invoices, refunds, the point of sale "
                        "app, Lightning payments and wallet backups. Each is covered in its own guide.")
# (question, the answer, passages that do not answer it)
PAIRS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("how do I issue a refund",
     passage_text("Issuing a refund", "", "Open the invoice, press Issue refund, choose the rate and send the customer "
                  "the link: they enter their address and the refund is paid from your wallet."),
     (passage_text("Wallet backup", "", "Write the seed words on paper and keep them offline."), OVERVIEW)),
    ("how do I give a customer their money back",
     passage_text("Issuing a refund", "", "Open the invoice, press Issue refund, choose the rate and send the customer "
                  "the link: they enter their address and the refund is paid from your wallet."),
     (passage_text("Invoices", "Creating an invoice", "Press New invoice, enter the amount and the currency, and "
                   "share the link or the QR code with the customer."), OVERVIEW)),
    ("how can I accept Lightning payments in my store",
     passage_text("Lightning", "Connecting a node", "In the store settings open Lightning, choose your node type, paste "
                  "the connection string and press Test connection. Invoices then offer a Lightning option."),
     (OVERVIEW, passage_text("Glossary", "Lightning Network", "A second layer on Bitcoin where payments move through "
                             "channels between nodes."))),
    ("I lost my phone, how do I get my wallet back",
     passage_text("Restoring a wallet", "From the seed", "Install the app on the new device, choose Restore, and type "
                  "the twelve seed words in order. Your balance and history come back once the wallet syncs."),
     (passage_text("Wallet backup", "", "Write the seed words on paper and keep them offline."),
      passage_text("Security", "Phone lock", "Set a PIN or use fingerprint unlock so nobody who picks up your phone "
                   "can open the wallet."))),
    ("why is my transaction still unconfirmed",
     passage_text("Stuck transactions", "", "A transaction stays unconfirmed when its fee is lower than what miners "
                  "currently accept. Wait, or raise the fee with Replace-by-fee from the transaction's menu."),
     (passage_text("Sending", "Choosing a fee", "The fee slider sets how much you pay miners; the app suggests a fee "
                   "for confirmation within an hour."),
      passage_text("Glossary", "Confirmation", "A block that includes a transaction confirms it."))),
    ("how do I turn off two-factor authentication",
     passage_text("Two-factor authentication", "Disabling it", "Go to Account, Security, press Disable next to "
                  "two-factor authentication and enter a current code from your authenticator app."),
     (passage_text("Two-factor authentication", "Setting it up", "Go to Account, Security, press Enable, scan the "
                   "QR code with your authenticator app and enter the code it shows."),
      passage_text("Account", "Changing your password", "Go to Account, Security, enter your current password and "
                   "the new one twice."))),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a reranker ONNX file")
    args = parser.parse_args()
    model = CrossEncoderReranker(Path(args.model).expanduser())
    right = 0
    print("| question | answer's logit | best other logit | answer first |\n|---|---|---|---|")
    for question, answer, others in PAIRS:
        logits = model.scores(question, [answer, *others])
        first = bool(logits[0] > logits[1:].max())
        right += first
        print(f"| {question} | {logits[0]:.2f} | {logits[1:].max():.2f} | {'yes' if first else 'NO'} |")
    print(f"\nthe answer first in {right} of {len(PAIRS)}")


if __name__ == "__main__":
    main()
