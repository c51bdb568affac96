"""Draw the demo's customer feedback from BANKING77 and write it into the package.

Run from the repository root (the output is committed; run again only to change the subset):

    .venv/bin/python tools/make_demo_data.py [--source ../shared/datasets/banking77/train.csv]

It reads BANKING77's ``train.csv`` (``text,category``; CC BY 4.0, see NOTICE) and the demo's
hand-written ``customers.csv``, and writes ``src/productpath/demo/data/feedback_banking77.csv``
with the columns ``id,days_ago,time,customer,category,text``:

* a fixed number of messages per category (``QUOTAS``), skewed toward what Pocket's roadmap is
  about, drawn with a fixed seed; texts are copied unmodified (messages with a line break or
  surrounding spaces are left out so every row is one clean line);
* ``days_ago`` (1-182) and ``time`` (UTC) place each message in the six months before the day
  the demo is built; each category follows a ``PROFILES`` shape: steady, emerging (rising over
  the last four weeks) or fading (mostly older than two months);
* about half the messages name a customer, drawn by segment weight (business accounts speak
  for many card holders) and by the category's segment affinity (``AFFINITY``).

The same source file and seed always give the same output.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

SEED = 77
DAYS = 182
LINKED_SHARE = 0.5
REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "productpath" / "demo" / "data"
DEFAULT_SOURCE = REPO.parent / "shared" / "datasets" / "banking77" / "train.csv"

# Messages drawn per BANKING77 category. Categories the roadmap answers get the most;
# a tail of unrelated ones keeps the mix honest.
# fmt: off
QUOTAS: dict[str, int] = {
    # card delivery and activation
    "card_arrival": 60, "card_delivery_estimate": 40, "activate_my_card": 35,
    # top-ups
    "top_up_failed": 70, "top_up_reverted": 60, "pending_top_up": 40,
    "verify_top_up": 20, "top_up_limits": 15,
    # transfers
    "transfer_not_received_by_recipient": 50, "pending_transfer": 40,
    "transfer_timing": 35, "failed_transfer": 30, "declined_transfer": 15,
    # exchange rates
    "exchange_rate": 40, "card_payment_wrong_exchange_rate": 40, "exchange_charge": 25,
    "wrong_exchange_rate_for_cash_withdrawal": 25,
    # identity verification
    "unable_to_verify_identity": 40, "verify_my_identity": 30, "why_verify_identity": 25,
    # contactless, wallets, cards that do not work
    "contactless_not_working": 35, "apple_pay_or_google_pay": 50, "card_not_working": 30,
    # PIN
    "pin_blocked": 35, "change_pin": 20,
    # lost cards, disputes, refunds, fees
    "lost_or_stolen_card": 20, "compromised_card": 15,
    "transaction_charged_twice": 35, "request_refund": 20, "Refund_not_showing_up": 20,
    "card_payment_not_recognised": 30, "direct_debit_payment_not_recognised": 15,
    "card_payment_fee_charged": 30, "transfer_fee_charged": 20,
    "extra_charge_on_statement": 15, "top_up_by_card_charge": 15,
    # virtual cards, renewals, countries and currencies
    "getting_virtual_card": 15, "virtual_card_not_working": 25,
    "get_disposable_virtual_card": 15, "disposable_card_limits": 10,
    "card_about_to_expire": 20, "country_support": 25, "fiat_currency_support": 20,
    "visa_or_mastercard": 15, "balance_not_updated_after_bank_transfer": 20,
    # not on the roadmap
    "terminate_account": 15, "age_limit": 10, "atm_support": 10, "edit_personal_details": 15,
    "passcode_forgotten": 15, "cash_withdrawal_charge": 15, "declined_card_payment": 25,
    "card_swallowed": 10,
    "beneficiary_not_allowed": 10, "receiving_money": 10,
}
# fmt: on

# How a category's messages spread over the six months; "steady" when not named.
# Emerging: a wallet and terminal update broke contactless payments, and a payment provider
# change reverts top-ups. Fading: card delivery tracking shipped about two months ago.
PROFILES: dict[str, str] = {
    "contactless_not_working": "emerging",
    "apple_pay_or_google_pay": "emerging",
    "top_up_reverted": "emerging",
    "card_arrival": "fading",
    "card_delivery_estimate": "fading",
}

# Weight of one customer of a segment when a message is given a customer.
SEGMENT_WEIGHT = {"consumer-free": 1.0, "consumer-premium": 2.0, "smb": 4.0, "partner": 8.0}

# Categories some segments raise more often than their weight alone says.
AFFINITY: dict[str, dict[str, float]] = {
    "top_up_reverted": {"partner": 3.0},
    "top_up_failed": {"partner": 2.0, "smb": 1.5},
    "transfer_not_received_by_recipient": {"smb": 2.0},
    "pending_transfer": {"smb": 2.0},
    "transfer_fee_charged": {"smb": 2.0},
    "exchange_rate": {"consumer-premium": 2.0},
    "card_payment_wrong_exchange_rate": {"consumer-premium": 2.0},
    "apple_pay_or_google_pay": {"consumer-premium": 2.0},
    "unable_to_verify_identity": {"consumer-free": 2.0},
    "country_support": {"partner": 2.0},
}


def days_ago(rng: random.Random, profile: str) -> int:
    """Whole days before the build day (1 = yesterday, 182 = six months ago)."""
    if profile == "emerging" and rng.random() < 0.7:
        return round(rng.triangular(1, 28, 1))
    if profile == "fading" and rng.random() < 0.8:
        return rng.randint(60, DAYS)
    return rng.randint(1, DAYS)


def read_source(path: Path) -> dict[str, list[str]]:
    """Texts per category, in file order, without multi-line or padded messages."""
    texts: dict[str, list[str]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["text"]
            if "\n" in text or "\r" in text or text != text.strip() or not text:
                continue
            texts[row["category"]].append(text)
    return texts


def read_customers(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["id"], row["segment"]) for row in csv.DictReader(handle)]


def pick_customer(rng: random.Random, category: str, customers: list[tuple[str, str]]) -> str:
    if rng.random() >= LINKED_SHARE:
        return ""
    bonus = AFFINITY.get(category, {})
    weights = [SEGMENT_WEIGHT[segment] * bonus.get(segment, 1.0) for _, segment in customers]
    return rng.choices([key for key, _ in customers], weights=weights)[0]


def build_rows(
    texts: dict[str, list[str]], customers: list[tuple[str, str]], seed: int = SEED
) -> list[dict[str, str]]:
    rng = random.Random(seed)
    drawn: list[tuple[int, int, str, str, str]] = []
    for category, quota in QUOTAS.items():
        pool = texts.get(category, [])
        if len(pool) < quota:
            raise SystemExit(f"{category}: {quota} wanted, {len(pool)} available")
        profile = PROFILES.get(category, "steady")
        for text in rng.sample(pool, quota):
            ago = days_ago(rng, profile)
            minute = rng.randint(7 * 60, 23 * 60 - 1)
            drawn.append((ago, minute, pick_customer(rng, category, customers), category, text))
    # Oldest first, so ids read in the order the messages arrived.
    drawn.sort(key=lambda row: (-row[0], row[1], row[3], row[4]))
    return [
        {
            "id": f"b77-{n:04d}",
            "days_ago": str(ago),
            "time": f"{minute // 60:02d}:{minute % 60:02d}",
            "customer": customer,
            "category": category,
            "text": text,
        }
        for n, (ago, minute, customer, category, text) in enumerate(drawn, start=1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DATA / "feedback_banking77.csv")
    args = parser.parse_args()
    rows = build_rows(read_source(args.source), read_customers(DATA / "customers.csv"))
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} messages from {len(QUOTAS)} categories to {args.out}")


if __name__ == "__main__":
    main()
