"""A large, realistic practice for the benchmark (`make bench`) and for trying the pages at scale.

Every row it makes is marked: users have an @scale.example address and is_demo; children carry
is_demo and have a scale clinician on their care team. It refuses to run into a database that
already holds a scale practice. `--reset` first deletes the previous one, but only while no
record that may never be deleted refers to it (audit events, signed session logs, addenda): a
practice made with sessions cannot be reset, by design. Use a fresh database then (`make bench`
makes one each run).

It makes what exists today: clinicians, an office admin, children with care teams, guardians
with their access levels, confidentiality agreements, parent profiles, invitations, goals with
ratings, milestones, history and comments (_scale_goals.py), and session logs in weekly series
with attendance and addenda (_scale_sessions.py). Later features extend it the same way.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from engagement.profiles.models import ParentProfile
from engagement.visits.models import SessionLog
from practice.models import (
    AuditEvent,
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    Invitation,
    Practice,
    SharingLevel,
    Stage,
    User,
)

from ._scale_family import make_invitations, make_profiles
from ._scale_goals import GOAL_MODELS, ChildGoalContext, make_goals
from ._scale_names import ADULT_FIRST, FIRST, LAST, LIMITED_REASONS
from ._scale_sessions import SESSION_MODELS, make_sessions

DOMAIN = "scale.example"
PASSWORD = "scale-practice-2026"
BENCH_CLINICIAN = f"bench-clinician@{DOMAIN}"
BENCH_PARENT = f"bench-parent@{DOMAIN}"
# A second clinician with a long caseload: the benchmark's "caseload (180 children)" row.
BENCH_LONG_CLINICIAN = f"bench-long-caseload@{DOMAIN}"
OFFICE = f"office@{DOMAIN}"
DISCIPLINES = [
    User.Discipline.PSYCHOLOGY,
    User.Discipline.OCCUPATIONAL_THERAPY,
    User.Discipline.SPEECH,
    User.Discipline.ABA,
    User.Discipline.PHYSIOTHERAPY,
]
STAGES = [Stage.COMMITMENT, Stage.PROCESS, Stage.CHANGE]


@dataclass
class Family:
    children: list[Child]
    guardians: int = 0


class Command(BaseCommand):
    help = "Generate a large, realistic practice for benchmarks (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--clinicians", type=int, default=100)
        parser.add_argument("--children", type=int, default=3000)
        parser.add_argument("--guardians", type=int, default=5000)
        parser.add_argument("--sessions", type=int, default=150_000, help="session logs")
        parser.add_argument("--goals", type=int, default=10_000, help="goals, with ratings")
        parser.add_argument(
            "--caseload", type=int, default=60, help="children on the bench clinician's caseload"
        )
        parser.add_argument(
            "--long-caseload",
            type=int,
            default=180,
            help=f"children on the caseload of {BENCH_LONG_CLINICIAN} (0: no such clinician; "
            "made only with at least 3 clinicians and children enough for both caseloads)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable)")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--reset", action="store_true", help="delete a previous scale practice first"
        )

    def handle(self, *args, **options):
        if options["clinicians"] < 1 or options["children"] < 3 or options["guardians"] < 1:
            raise CommandError("Need at least 1 clinician, 3 children and 1 guardian.")
        existing = User.objects.filter(email__endswith="@" + DOMAIN)
        if existing.exists():
            if not options["reset"]:
                raise CommandError(
                    "A scale practice is already in this database. Run with --reset to replace "
                    "it, or use a fresh database."
                )
            self._reset(existing)
        self.rng = random.Random(options["seed"])
        self.batch = options["batch_size"]
        started = timezone.now()
        with transaction.atomic():
            self._generate(options)
        self._analyze()
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(self.style.SUCCESS(f"Scale practice ready in {seconds:.1f} s."))
        self.stdout.write(f"  password for every active login: {PASSWORD}")
        self.stdout.write(f"  {BENCH_CLINICIAN}  clinician with a full caseload")
        if self.long_caseload:
            self.stdout.write(
                f"  {BENCH_LONG_CLINICIAN}  clinician with {self.long_caseload} children"
            )
        self.stdout.write(f"  {BENCH_PARENT}     parent of three children")
        self.stdout.write(f"  {OFFICE}           office administrator")

    def _reset(self, users) -> None:
        children = Child.objects.filter(is_demo=True, memberships__clinician__in=users).distinct()
        audited = AuditEvent.objects.filter(child__in=children) | AuditEvent.objects.filter(
            actor__in=users
        )
        signed = SessionLog.objects.filter(child__in=children, signed_at__isnull=False)
        if audited.exists() or signed.exists():
            raise CommandError(
                "Audit events or signed session logs (never deleted) refer to the scale "
                "practice, so it cannot be reset. Use a fresh database."
            )
        with transaction.atomic():
            SessionLog.objects.filter(child__in=children).delete()
            deleted = Child.objects.filter(pk__in=list(children.values_list("pk", flat=True)))
            count = deleted.count()
            deleted.delete()
            users_count = users.count()
            users.delete()
        self.stdout.write(
            f"Deleted the previous scale practice ({count} children, {users_count} users)."
        )

    def _generate(self, options) -> None:
        practice = Practice.get()
        if practice.name == "Our practice":
            practice.name = "Northgate Children's Therapy (scale)"
            practice.save(update_fields=["name"])
        self.today = practice.today()
        self.now = timezone.now()
        self.password = make_password(PASSWORD)  # hashed once, reused for every user
        self.unusable = make_password(None)
        caseload = min(options["caseload"], options["children"])
        long_caseload = max(0, options["long_caseload"])
        fits = options["clinicians"] >= 3 and options["children"] > caseload + long_caseload + 3
        self.long_caseload = long_caseload if fits else 0
        clinicians = self._clinicians(options["clinicians"])
        self.office = User.objects.create(
            email=OFFICE,
            full_name="Office Admin",
            role="admin",
            password=self.password,
            is_demo=True,
        )
        families = self._children(options["children"])
        self._care_teams(families, clinicians, caseload)
        self._agreements(families, clinicians[0])
        self._guardians(families, options["guardians"])
        self.stdout.write(
            f"  {len(clinicians)} clinicians, {options['children']} children in "
            f"{len(families)} families, {options['guardians']} guardians"
        )
        contexts = [
            ChildGoalContext(
                child,
                self.primary_of[child.pk],
                self.level_of.get(child.pk)
                or practice.default_sharing_level_for_age(child.age_on(self.today)),
                self.full_of.get(child.pk, []),
            )
            for family in families
            for child in family.children
        ]
        goals, ratings, milestones = make_goals(
            self.rng, self.today, self.now, contexts, options["goals"], self._bulk
        )
        self.stdout.write(f"  {goals} goals, {ratings} ratings, {milestones} milestones")
        series, sessions, addenda = make_sessions(
            self.rng, practice, self.now, contexts, options["sessions"], self._bulk
        )
        self.stdout.write(f"  {sessions} session logs in {series} weekly series, {addenda} addenda")

    def _bulk(self, model, rows: list) -> list:
        return model.objects.bulk_create(rows, batch_size=self.batch)

    def _name(self, first_names=ADULT_FIRST) -> tuple[str, str]:
        return self.rng.choice(first_names), self.rng.choice(LAST)

    def _clinicians(self, count: int) -> list[User]:
        rows = []
        for index in range(count):
            first, last = self._name()
            title = "Dr " if index % 4 == 0 else ""
            email = BENCH_CLINICIAN if index == 0 else f"clinician-{index:04d}@{DOMAIN}"
            if self.long_caseload and index == count - 1:
                email = BENCH_LONG_CLINICIAN
            rows.append(
                User(
                    email=email,
                    full_name=f"{title}{first} {last}",
                    role=User.Role.CLINICIAN,
                    discipline=DISCIPLINES[index % len(DISCIPLINES)],
                    is_practice_admin=index % 25 == 1,
                    phone=f"020 7946 {index % 10000:04d}",
                    password=self.password,
                    is_demo=True,
                )
            )
        return self._bulk(User, rows)

    def _children(self, count: int) -> list[Family]:
        """Families of one to three siblings; the bench parent's family has three."""
        sizes = []
        remaining = count
        while remaining > 0:
            size = 3 if not sizes else self.rng.choices([1, 2, 3], weights=[85, 12, 3])[0]
            size = min(size, remaining)
            sizes.append(size)
            remaining -= size
        children = []
        for size in sizes:
            last = self.rng.choice(LAST)
            for _ in range(size):
                age_days = self.rng.randint(2 * 365, 17 * 365)
                discharged = self.rng.random() < 0.08
                children.append(
                    Child(
                        first_name=self.rng.choice(FIRST),
                        last_name=last,
                        preferred_name=self.rng.choice(FIRST) if self.rng.random() < 0.05 else "",
                        date_of_birth=self.today - datetime.timedelta(days=age_days),
                        stage=Stage.TERMINATION if discharged else self.rng.choice(STAGES),
                        discharged_on=(
                            self.today - datetime.timedelta(days=self.rng.randint(1, 400))
                            if discharged
                            else None
                        ),
                        is_demo=True,
                    )
                )
        children = self._bulk(Child, children)
        families, start = [], 0
        for size in sizes:
            families.append(Family(children[start : start + size]))
            start += size
        return families

    def _care_teams(self, families, clinicians, caseload: int) -> None:
        """One primary each; about a quarter have a second clinician of another discipline. The
        long-caseload clinician (the last) has their children as primary only, like the bench
        clinician."""
        children = [child for family in families for child in family.children]
        bench, others = clinicians[0], clinicians[1:] or clinicians[:1]
        # The bench clinician's caseload: children from the second family on, so the bench
        # parent's children belong to other clinicians, as most families' do.
        bench_children = set(range(3, 3 + caseload)) if len(children) > caseload + 3 else set()
        if not bench_children:
            bench_children = set(range(caseload))
        long_children, long_clinician = set(), None
        if self.long_caseload:
            long_clinician, others = others[-1], others[:-1]
            long_children = set(range(3 + caseload, 3 + caseload + self.long_caseload))
        rows, self.primary_of = [], {}
        for index, child in enumerate(children):
            if index in bench_children:
                primary = bench
            elif index in long_children:
                primary = long_clinician
            else:
                primary = others[index % len(others)]
            child.created_by_id = primary.pk
            self.primary_of[child.pk] = primary
            rows.append(CareTeamMembership(child=child, clinician=primary, is_primary=True))
            if len(clinicians) > 2 and self.rng.random() < 0.25:
                second = self.rng.choice(others)
                if second.pk != primary.pk and second.discipline != primary.discipline:
                    rows.append(CareTeamMembership(child=child, clinician=second))
        self._bulk(CareTeamMembership, rows)
        Child.objects.bulk_update(children, ["created_by"], batch_size=self.batch)

    def _agreements(self, families, recorded_by) -> None:
        """About 40% have an agreement (some on version 2); the rest use the age default."""
        rows, self.level_of = [], {}
        for family in families:
            for child in family.children:
                if self.rng.random() >= 0.4:
                    continue
                age = child.age_on(self.today)
                levels = (
                    [SharingLevel.FULL]
                    if age < 12
                    else [SharingLevel.PROGRESS, SharingLevel.PROGRESS, SharingLevel.SAFETY_ONLY]
                )
                versions = 2 if self.rng.random() < 0.15 else 1
                first_days_ago = self.rng.randint(60, 300)
                for version in range(1, versions + 1):  # version 2 is newer, and current
                    effective = self.today - datetime.timedelta(days=first_days_ago // version)
                    rows.append(
                        ConfidentialityAgreement(
                            child=child,
                            version=version,
                            sharing_level=self.rng.choice(levels),
                            child_assent=age >= 7,
                            child_assent_notes="Talked it through with the child."
                            if age >= 7
                            else "",
                            effective_date=effective,
                            recorded_by=recorded_by,
                        )
                    )
        self._bulk(ConfidentialityAgreement, rows)
        for row in rows:
            self.level_of[row.child.pk] = row.sharing_level

    def _guardians(self, families, count: int) -> None:
        """Each family one guardian, then a second, then a third (grandparent, step-parent)."""
        for rank in range(3):
            for family in families:
                if count == 0:
                    break
                if family.guardians == rank:
                    family.guardians += 1
                    count -= 1
        index = 0
        while count > 0:  # more guardians than three a family: spread the rest
            families[index % len(families)].guardians += 1
            index += 1
            count -= 1
        users, links = [], []
        for family_index, family in enumerate(families):
            last = family.children[0].last_name
            for rank in range(family.guardians):
                n = len(users)
                email = BENCH_PARENT if n == 0 else f"parent-{n:05d}@{DOMAIN}"
                first = self.rng.choice(ADULT_FIRST)
                # Most guardians have activated their portal account; some are only invited.
                active = n == 0 or self.rng.random() < 0.8
                users.append(
                    User(
                        email=email,
                        full_name=f"{first} {last}",
                        role=User.Role.PARENT,
                        phone=f"07700 9{n % 100000:05d}",
                        password=self.password if active else self.unusable,
                        is_demo=True,
                    )
                )
                links.append((family, rank, n == 0 or family_index == 0))
        users = self._bulk(User, users)
        make_profiles(self.rng, users, self._bulk)
        invited = [u for u in users if u.password == self.unusable]
        make_invitations(self.rng, self.now, invited, self.office, self._bulk)
        rows = []
        for user, (family, rank, keep_full) in zip(users, links, strict=True):
            rows.extend(self._guardianships(user, family, rank, keep_full))
        self._bulk(Guardianship, rows)
        self.full_of = {}
        for row in rows:
            if row.access == Guardianship.Access.FULL:
                self.full_of.setdefault(row.child.pk, []).append(row.guardian)

    def _guardianships(self, user, family, rank, keep_full) -> list[Guardianship]:
        relationship = ["mother", "father", self.rng.choice(["grandparent", "step_parent"])][
            min(rank, 2)
        ]
        if self.rng.random() < 0.02:
            relationship = "foster_carer" if rank == 0 else "guardian"
        access, extra = Guardianship.Access.FULL, {}
        roll = self.rng.random()
        if not keep_full and rank >= 1 and roll < 0.03:
            access = Guardianship.Access.NONE
            order_date = self.today - datetime.timedelta(days=self.rng.randint(30, 700))
            extra = {
                "access_reason": "Family court order: no contact and no information.",
                "court_order_reference": f"FD{self.rng.randint(10**6, 10**7 - 1)}",
                "court_order_date": order_date,
                "court_order_expires": order_date
                + datetime.timedelta(days=self.rng.choice([365, 730, 1095])),
                "access_changed_by": self.office,
                "access_changed_at": self.now,
            }
        elif not keep_full and rank >= 1 and (rank == 2 or roll < 0.08):
            access = Guardianship.Access.LIMITED
            extra = {
                "access_reason": self.rng.choice(LIMITED_REASONS),
                "access_changed_by": self.office,
                "access_changed_at": self.now,
            }
        return [
            Guardianship(
                child=child,
                guardian=user,
                relationship=relationship,
                access=access,
                is_primary_contact=rank == 0,
                **extra,
            )
            for child in family.children
        ]

    def _analyze(self) -> None:
        """PostgreSQL: fresh planner statistics, as autovacuum would gather soon after a load
        (right after a bulk load the planner believes the tables are empty and picks plans ten
        times slower). Not SQLite: Django never gathers statistics there, and with them SQLite
        takes the mostly-NULL unique rescheduled_from index for useless and scans every session
        log per row of the child page (230 ms instead of 1 ms)."""
        if connection.vendor != "postgresql":
            return
        models = [User, Child, CareTeamMembership, Guardianship, ConfidentialityAgreement]
        models += [Invitation, ParentProfile, *GOAL_MODELS, *SESSION_MODELS]
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
