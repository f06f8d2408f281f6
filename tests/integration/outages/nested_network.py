"""A small network for partial restorations and life-support tests.

    TX ─ SUB ─ SUB-1 ─ R1 ─ F1 ─ T1: SP-A SP-B
                       │    └ T3: SP-M SP-N SP-O
                       └ T2: SP-C SP-D SP-E

R1 serves 5 members (SP-A, SP-B, SP-M, SP-N, SP-O), F1 2 (SP-A, SP-B); the feeder 8.
Each service point has an account in force (number ``31000`` + its letter's position).
"""

from __future__ import annotations

from django.core.management import call_command

from coopcis.apps.members.models import Account
from tests.factories import (
    AccountFactory,
    PartyFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)

GIS = (
    "device_id,kind,parent_id\n"
    "TX,source,\n"
    "SUB,substation,TX\n"
    "SUB-1,feeder,SUB\n"
    "R1,recloser,SUB-1\n"
    "F1,fuse,R1\n"
    "T1,transformer,F1\n"
    "T3,transformer,R1\n"
    "T2,transformer,SUB-1\n"
)
TRANSFORMERS = {
    "A": "T1",
    "B": "T1",
    "M": "T3",
    "N": "T3",
    "O": "T3",
    "C": "T2",
    "D": "T2",
    "E": "T2",
}


def number_of(letter: str) -> str:
    return f"3100{ord(letter) - ord('A'):03d}"


def build(tmp_path, *, language: str = "EN") -> dict[str, Account]:
    accounts = {}
    for letter, transformer in TRANSFORMERS.items():
        party = PartyFactory(first_name=f"Member{letter}", email=f"sp-{letter.lower()}@example.org")
        account = AccountFactory(number=number_of(letter), party=party, language=language)
        ServiceAgreementFactory(
            account=account,
            service_point=ServicePointFactory(code=f"SP-{letter}", transformer=transformer),
        )
        accounts[letter] = account
    path = tmp_path / "gis.csv"
    path.write_text(GIS, encoding="utf-8")
    call_command("outages", "network", "import", str(path))
    return accounts
