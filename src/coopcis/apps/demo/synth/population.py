"""Plan the demo co-op's members, accounts, premises, service points, meters and agreements.

The class mix is a table of shares per member (mostly residential, some on TOU and net
metering; general service for shops, churches, agencies and irrigation wells; a few
large power and Rate 19 loads; street and yard lights). From ``FULL_MIX_MEMBERS``
members up, every service class gets at least one account, so even a small demo shows
every tariff. Counts are rounded shares, so the mix is exact for a member count and
only the draws within it depend on the seed.
"""

from __future__ import annotations

import itertools
import random
import string
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from coopcis.apps.demo.synth import names
from coopcis.apps.demo.synth.banking import make_routing_number
from coopcis.apps.demo.synth.places import TOWNS
from coopcis.apps.demo.synth.records import (
    DemoPlan,
    MandatePlan,
    PartyPlan,
)
from coopcis.apps.demo.synth.services import ServiceBuilder

FULL_MIX_MEMBERS = 50

#: Accounts held by organizations, per member.
ORG_ACCOUNT_SHARES = {
    "GS": 0.05,
    "CHURCH": 0.006,
    "GS_TOU": 0.008,
    "LP": 0.004,
    "LP_TOU": 0.0015,
    "R19": 0.00025,
    "IRRIGATION": 0.008,
    "LIGHT": 0.012,
}
#: Which kind of organization holds each class of organization account.
ORG_HOLDERS = {
    "GS": (("BUSINESS", 0.72), ("AGENCY", 0.12), ("ASSOCIATION", 0.08), ("RANCH", 0.08)),
    "CHURCH": (("CHURCH", 1.0),),
    "GS_TOU": (("BUSINESS", 0.7), ("AGENCY", 0.3)),
    "LP": (("LARGE", 0.75), ("AGENCY", 0.25)),
    "LP_TOU": (("LARGE", 1.0),),
    "R19": (("LOAD_MANAGEMENT", 1.0),),
    "IRRIGATION": (("RANCH", 1.0),),
    "LIGHT": (
        ("AGENCY", 0.55),
        ("BUSINESS", 0.2),
        ("CHURCH", 0.1),
        ("ASSOCIATION", 0.1),
        ("RANCH", 0.05),
    ),
}
#: How likely another account of a category goes to an organization that already has one.
ORG_REUSE = {"AGENCY": 0.7, "BUSINESS": 0.12, "RANCH": 0.35, "CHURCH": 0.5, "ASSOCIATION": 0.3}
ORGANIZATION_KIND = {
    "BUSINESS": "FIRM",
    "LARGE": "FIRM",
    "LOAD_MANAGEMENT": "FIRM",
    "RANCH": "PARTNERSHIP",
    "CHURCH": "CHURCH",
    "AGENCY": "AGENCY",
    "ASSOCIATION": "ASSOCIATION",
    "TRUST": "TRUST",
}
TRUST_SHARE = 0.01  # family trusts holding a home, per member
#: A person's own home, by class (the rest are on the flat residential rate).
HOME_SHARES = {"RES_TOU": 0.055, "RES_NET": 0.025, "MOBILE": 0.04}
#: Second services of persons, per member.
PERSON_SECOND_SHARES = {"CABIN": 0.03, "IRRIGATION": 0.007, "LIGHT": 0.02, "GS": 0.012}
DECEASED_SHARE, WITHDRAWN_SHARE, NON_MEMBER_SHARE = 0.008, 0.01, 0.004
PAPERLESS_SHARE = {"PERSON": 0.22, "ORGANIZATION": 0.35}
BANK_DRAFT_SHARE = {"PERSON": 0.18, "ORGANIZATION": 0.08}


def quota(members: int, share: float) -> int:
    """Rounded share of the member count; at least one from ``FULL_MIX_MEMBERS`` members."""
    count = round(members * share)
    return max(count, 1) if members >= FULL_MIX_MEMBERS else count


def plan_coop(*, members: int, seed: int, start_date: date, end_date: date) -> DemoPlan:
    """The demo co-op's master data for ``members`` parties, data window ``[start, end)``."""
    if members < 1:
        raise ValueError("the demo needs at least one member")
    rng = random.Random(f"coopcis-demo:{seed}")
    plan = DemoPlan(start_date=start_date, end_date=end_date)
    builder = ServiceBuilder(plan, rng)
    people = _People(plan, rng, start_date)
    org_accounts = [
        key for key, share in ORG_ACCOUNT_SHARES.items() for _ in range(quota(members, share))
    ]
    rng.shuffle(org_accounts)
    trusts = quota(members, TRUST_SHARE)
    org_limit = max(0, members - 1 - trusts)
    for key in org_accounts:
        party = people.organization_for(key, can_create=people.organizations < org_limit)
        builder.add_service(party, key, plan.parties[party].town)
    for _ in range(trusts if members - people.organizations > trusts else 0):
        party = people.new_party("TRUST", _weighted_town(rng))
        builder.add_service(party, "RES", plan.parties[party].town)
    persons = members - len(plan.parties)
    deceased = quota(members, DECEASED_SHARE)
    successors = min((deceased + 1) // 2, max(0, persons // 4))
    homes = _home_classes(persons - successors, rng)
    first_person = len(plan.parties)
    for key in homes:
        party = people.new_party("PERSON", _weighted_town(rng))
        builder.add_service(party, key, plan.parties[party].town)
    home_owners = list(range(first_person, len(plan.parties)))
    _add_second_services(plan, builder, rng, home_owners, members)
    _end_memberships(plan, builder, people, rng, home_owners, members, deceased, successors)
    while len(plan.parties) < members:  # fewer deaths with a surviving spouse than planned
        party = people.new_party("PERSON", _weighted_town(rng))
        builder.add_service(party, "RES", plan.parties[party].town)
    _mark_non_members(plan, rng, members)
    _number_and_contact(plan, rng)
    _add_mandates(plan, rng)
    builder.schedule_reads()
    return plan


def _weighted_town(rng: random.Random) -> int:
    return rng.choices(range(len(TOWNS)), weights=[t.weight for t in TOWNS])[0]


def _home_classes(count: int, rng: random.Random) -> list[str]:
    keys: list[str] = []
    for key, share in HOME_SHARES.items():
        keys += [key] * min(count - len(keys), quota(count, share) if count >= 3 else 0)
    keys += ["RES"] * (count - len(keys))
    rng.shuffle(keys)
    return keys


def _add_second_services(
    plan: DemoPlan, builder: ServiceBuilder, rng: random.Random, owners: list[int], members: int
) -> None:
    """Cabins in the mountains, irrigation wells, yard lights and home shops of members."""
    for key, share in PERSON_SECOND_SHARES.items():
        for party in rng.sample(owners, min(len(owners), quota(members, share))):
            town = plan.parties[party].town
            if key == "CABIN":
                town = rng.choice([i for i, t in enumerate(TOWNS) if t.mountain])
            builder.add_service(party, key, town, secondary=True)


def _end_memberships(
    plan: DemoPlan,
    builder: ServiceBuilder,
    people: _People,
    rng: random.Random,
    owners: list[int],
    members: int,
    deceased: int,
    successors: int,
) -> None:
    """Some members withdraw (moving away) and some die within the data window; a surviving
    spouse takes over the home of some who die, with a membership of their own."""
    window = (plan.end_date - plan.start_date).days
    single = [p for p in owners if len(builder.accounts_of.get(p, [])) == 1]
    withdrawn = quota(members, WITHDRAWN_SHARE)
    chosen = rng.sample(single, min(len(single), deceased + withdrawn))
    for position, party_index in enumerate(chosen):
        party = plan.parties[party_index]
        ended_on = plan.start_date + timedelta(rng.randint(min(15, window - 2), window - 2))
        died = position < deceased
        party.status = "DECEASED" if died else "WITHDRAWN"
        party.ended_on = ended_on
        party.end_reason = "Member died" if died else "Moved out of the service area"
        successor = None
        if died and position < successors:
            successor = people.spouse_of(party_index, ended_on)
        builder.end_service(party_index, ended_on, successor=successor, reason=party.end_reason)


def _mark_non_members(plan: DemoPlan, rng: random.Random, members: int) -> None:
    """A few take service without joining (a state agency, someone who declined)."""
    candidates = [i for i, p in enumerate(plan.parties) if p.status == "ACTIVE"]
    agencies = [
        i
        for i in candidates
        if plan.parties[i].organization_name in names.STATE_AND_FEDERAL_AGENCIES
    ]
    count = min(len(candidates), quota(members, NON_MEMBER_SHARE))
    chosen = agencies[:count]
    taken = set(chosen)
    others = [i for i in candidates if i not in taken]
    chosen += rng.sample(others, count - len(chosen))
    for index in chosen:
        plan.parties[index].membership_kind = "NON_MEMBER"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _number_and_contact(plan: DemoPlan, rng: random.Random) -> None:
    """Membership numbers in order of joining; phones, e-mail, language, paperless bills."""
    by_joining = sorted(range(len(plan.parties)), key=lambda i: (plan.parties[i].joined_on, i))
    for number, index in enumerate(by_joining, start=100001):
        plan.parties[index].membership_number = str(number)
    for index, party in enumerate(plan.parties):
        party.phone = f"575-555-{rng.randrange(10_000):04d}"
        if party.kind == "PERSON" and rng.random() < 0.6:
            domain = rng.choice(names.EMAIL_DOMAINS)
            party.email = f"{_ascii(party.first_name)}.{_ascii(party.last_name)}{index}@{domain}"
        elif party.kind == "ORGANIZATION" and rng.random() < 0.7:
            party.email = f"office.{_ascii(party.organization_name)[:30]}{index}@example.org"
    for account in plan.accounts:
        party = plan.parties[account.party]
        account.phone, account.email = party.phone, party.email
        spanish = party.hispanic and rng.random() < names.SPANISH_LANGUAGE_SHARE
        account.language = "ES" if spanish else "EN"
        account.paperless = bool(party.email) and rng.random() < PAPERLESS_SHARE[party.kind]


def _add_mandates(plan: DemoPlan, rng: random.Random) -> None:
    """Automatic bank draft on the 3rd or the 25th (OCEC handbook, ways to pay)."""
    banks = [(name, make_routing_number(rng, credit_union=cu)) for name, cu in names.BANKS]
    for index, account in enumerate(plan.accounts):
        party = plan.parties[account.party]
        if rng.random() >= BANK_DRAFT_SHARE[party.kind]:
            continue
        bank_name, routing = rng.choice(banks)
        signed_on = account.opened_on + timedelta(rng.randint(0, 400))
        signed_on = min(signed_on, plan.start_date - timedelta(1))
        active = account.status == "ACTIVE"
        account.autopay = active
        plan.mandates.append(
            MandatePlan(
                account=index,
                draft_day=rng.choice((3, 25)),
                bank_name=bank_name,
                routing_number=routing,
                bank_account_number=str(rng.randrange(10**7, 10**12)),
                bank_account_type="CHECKING" if rng.random() < 0.85 else "SAVINGS",
                holder_name=party.holder_name,
                signed_on=max(signed_on, account.opened_on),
                active=active,
            )
        )


class _People:
    """Makes parties: persons with local names, organizations from name patterns."""

    def __init__(self, plan: DemoPlan, rng: random.Random, start_date: date) -> None:
        self.plan, self.rng, self.start_date = plan, rng, start_date
        self.by_category: dict[str, list[int]] = {}
        self.taken_names: set[str] = set()
        self.organizations = 0
        self.name_spaces: dict[tuple[str, int], Iterator[str]] = {}

    def organization_for(self, key: str, *, can_create: bool) -> int:
        categories, weights = zip(*ORG_HOLDERS[key], strict=True)
        category = self.rng.choices(categories, weights=weights)[0]
        existing = self.by_category.get(category, [])
        reuse = ORG_REUSE.get(category, 0.0)
        if existing and (not can_create or self.rng.random() < reuse):
            return self.rng.choice(existing)
        if not can_create:
            any_org = [i for ids in self.by_category.values() for i in ids]
            if any_org:
                return self.rng.choice(any_org)
        return self.new_party(category, _weighted_town(self.rng))

    def new_party(self, category: str, town: int) -> int:
        rng = self.rng
        party = PartyPlan(
            kind="PERSON" if category == "PERSON" else "ORGANIZATION", category=category, town=town
        )
        if party.kind == "PERSON":
            self._name_person(party)
            years = min(rng.expovariate(1 / 14.0), 60.0)
        else:
            party.organization_kind = ORGANIZATION_KIND[category]
            party.organization_name = self._organization_name(category, town)
            self.organizations += category != "TRUST"
            years = min(rng.expovariate(1 / 20.0), 70.0)
        joined = self.start_date - timedelta(days=30 + int(years * 365.25))
        party.joined_on = max(joined, date(1950, 1, 1))
        self.plan.parties.append(party)
        index = len(self.plan.parties) - 1
        self.by_category.setdefault(category, []).append(index)
        return index

    def spouse_of(self, index: int, on: date) -> int:
        """A surviving spouse: a new person of the same household name, joining on ``on``."""
        late = self.plan.parties[index]
        spouse = self.new_party("PERSON", late.town)
        party = self.plan.parties[spouse]
        party.last_name, party.hispanic, party.joined_on = late.last_name, late.hispanic, on
        return spouse

    def _name_person(self, party: PartyPlan) -> None:
        rng = self.rng
        town = TOWNS[party.town]
        if town.name == "Mescalero" and rng.random() < 0.6:
            party.last_name = rng.choice(names.MESCALERO_SURNAMES)
            party.first_name = rng.choice(names.ANGLO_GIVEN + names.HISPANIC_GIVEN)
            return
        party.hispanic = rng.random() < names.HISPANIC_SHARE
        surnames = names.HISPANIC_SURNAMES if party.hispanic else names.ANGLO_SURNAMES
        given = names.HISPANIC_GIVEN if party.hispanic else names.ANGLO_GIVEN
        party.last_name = rng.choice(surnames)
        party.first_name = rng.choice(given if rng.random() < 0.85 else names.ANGLO_GIVEN)

    def _organization_name(self, category: str, town: int) -> str:
        """A name from the category's patterns, drawn at random; once the draws keep
        hitting names already taken (a large co-op), the next free name of the category's
        whole space in this town (:func:`_name_space`), so a million members take about
        as long per name as a thousand and the same seed gives the same names."""
        rng = self.rng
        town_name = TOWNS[town].name
        county = TOWNS[town].county
        for attempt in range(RANDOM_NAME_ATTEMPTS):
            pattern = rng.choice(_ORG_PATTERNS[category](county))
            name = pattern.format(
                surname=rng.choice(names.HISPANIC_SURNAMES + names.ANGLO_SURNAMES),
                given=rng.choice(names.ANGLO_GIVEN + names.HISPANIC_GIVEN),
                town=town_name,
                letter=rng.choice(LETTERS),
                letter2=rng.choice(LETTERS),
            )
            if attempt > NUMBERED_AFTER:  # as the demo always named them (same seed, same co-op)
                name = f"{name} No. {attempt - NUMBERED_AFTER + 1}"
            if name not in self.taken_names:
                self.taken_names.add(name)
                return name
        space = self.name_spaces.get((category, town))
        if space is None:
            space = _name_space(_ORG_PATTERNS[category](county), town_name)
            self.name_spaces[(category, town)] = space
        for name in space:  # never ends: each round numbers the names once more
            if name not in self.taken_names:
                self.taken_names.add(name)
                return name
        raise AssertionError("unreachable: a name space has no end")


#: Random draws of an organization name before walking the category's name space; the
#: draws after the first NUMBERED_AFTER + 1 are numbered "No. 2" on.
RANDOM_NAME_ATTEMPTS, NUMBERED_AFTER = 30, 20
LETTERS = "ABCDEHJKLMRSTWXY"


def _name_space(patterns: Sequence[str], town: str) -> Iterator[str]:
    """Every name the ``patterns`` make in ``town``, in a fixed order: each pattern with
    every combination of its fields, the patterns in turn (mixed radix over the value lists; an owner is a
    surname, then a given name and a surname, as in "Rosa Baca Welding"), the whole space
    once plain, then again as "... No. 2", "No. 3" and so on, as county records number
    namesakes. About 9 x 9,800 business names a town before any number, so numbered names
    appear only where a category's patterns are few (churches, agencies)."""
    surnames = names.HISPANIC_SURNAMES + names.ANGLO_SURNAMES
    given = names.ANGLO_GIVEN + names.HISPANIC_GIVEN
    owners = surnames + tuple(f"{g} {s}" for g in given for s in surnames)
    formatter = string.Formatter()
    filled = []
    for pattern in patterns:
        fields = [f for _, f, _, _ in formatter.parse(pattern) if f]
        values = {
            "surname": surnames if "given" in fields else owners,
            "given": given,
            "town": (town,),
            "letter": LETTERS,
            "letter2": LETTERS,
        }
        filled.append((pattern, fields, [values[f] for f in fields]))
    for number in itertools.count(1):
        suffix = "" if number == 1 else f" No. {number}"
        spaces = [
            (pattern, fields, itertools.product(*choices)) for pattern, fields, choices in filled
        ]
        while spaces:  # the patterns in turn, so a cafe follows a feed store
            for space in list(spaces):
                pattern, fields, combinations = space
                combination = next(combinations, None)
                if combination is None:
                    spaces.remove(space)
                else:
                    yield pattern.format(**dict(zip(fields, combination, strict=True))) + suffix


_ORG_PATTERNS = {
    "BUSINESS": lambda county: names.BUSINESS_PATTERNS,
    "LARGE": lambda county: names.LARGE_BUSINESS_PATTERNS,
    "LOAD_MANAGEMENT": lambda county: names.LOAD_MANAGEMENT_PATTERNS,
    "RANCH": lambda county: names.RANCH_PATTERNS,
    "CHURCH": lambda county: names.CHURCH_PATTERNS,
    "ASSOCIATION": lambda county: names.ASSOCIATION_PATTERNS,
    "TRUST": lambda county: names.TRUST_PATTERNS,
    "AGENCY": lambda county: (
        names.AGENCY_NAMES_BY_COUNTY[county]
        + names.TOWN_AGENCY_PATTERNS
        + names.STATE_AND_FEDERAL_AGENCIES
    ),
}
