"""A realistic demo practice. Idempotent: running it again changes nothing that exists.

Later issues extend it (goals, sessions, messages ...). Every demo row carries is_demo or
belongs to a demo user, so demo records stay apart from real ones.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from engagement.profiles.models import ParentProfile
from goals.models import Goal, Perspective
from goals.services import goal_create, goal_propose, goal_rate
from practice.access import policy_for
from practice.models import (
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    Practice,
    SharingLevel,
    Stage,
    User,
)

from ._demo_checkins import seed_checkins
from ._demo_discharge import seed_discharge
from ._demo_engagement import seed_engagement
from ._demo_goals import GOALS
from ._demo_home import seed_home
from ._demo_messages import seed_messages
from ._demo_safety import seed_safety
from ._demo_sessions import seed_sessions
from ._demo_updates import seed_updates

DEMO_PASSWORD = "demo-practice-2026"

CLINICIANS = [
    # email, name, discipline, is_practice_admin
    ("amara@demo.example", "Dr Amara Okafor", User.Discipline.PSYCHOLOGY, True),
    ("ben@demo.example", "Ben Hughes", User.Discipline.OCCUPATIONAL_THERAPY, False),
    ("chloe@demo.example", "Chloe Martin", User.Discipline.SPEECH, False),
]
OFFICE = ("office@demo.example", "Dana Price")

# first, last, age in years, stage, primary clinician, other clinicians, agreement level
CHILDREN = [
    ("Mia", "Thompson", 7, Stage.PROCESS, "amara", ["chloe"], None),
    ("Noah", "Thompson", 4, Stage.COMMITMENT, "chloe", [], None),
    ("Leo", "Evans", 5, Stage.PROCESS, "ben", [], SharingLevel.FULL),
    ("Ava", "Singh", 3, Stage.COMMITMENT, "chloe", ["ben"], None),
    ("Oliver", "Brown", 9, Stage.CHANGE, "amara", [], SharingLevel.FULL),
    ("Isla", "Nowak", 6, Stage.PROCESS, "ben", ["chloe"], None),
    ("Sam", "Patel", 14, Stage.PROCESS, "amara", [], SharingLevel.PROGRESS),
    ("Jordan", "Reyes", 16, Stage.CHANGE, "amara", [], SharingLevel.SAFETY_ONLY),
    ("Zara", "Ahmed", 11, Stage.PROCESS, "chloe", [], SharingLevel.FULL),
    ("Ethan", "Clarke", 8, Stage.TERMINATION, "ben", [], None),
    ("Lily", "O'Connor", 2, Stage.COMMITMENT, "chloe", [], None),
    ("Kai", "Johnson", 13, Stage.COMMITMENT, "amara", ["ben"], None),
]

# email, name, relationship, access, children (first names), extra guardianship fields
GUARDIANS = [
    ("grace@demo.example", "Grace Thompson", "mother", "full", ["Mia", "Noah"], {}),
    (
        "mark@demo.example",
        "Mark Thompson",
        "father",
        "none",
        ["Mia", "Noah"],
        {
            "access_reason": "Family court order: no contact and no information.",
            "court_order_reference": "FD26P00412",
            "court_order_date": -200,
            "court_order_expires": 530,
        },
    ),
    ("priya@demo.example", "Priya Evans", "mother", "full", ["Leo"], {}),
    (
        "george@demo.example",
        "George Evans",
        "grandparent",
        "limited",
        ["Leo"],
        {"access_reason": "Grandfather does school runs; parents asked for attendance only."},
    ),
    ("harpreet@demo.example", "Harpreet Singh", "father", "full", ["Ava"], {}),
    ("simran@demo.example", "Simran Singh", "mother", "full", ["Ava"], {}),
    ("james@demo.example", "James Brown", "father", "full", ["Oliver"], {}),
    ("ola@demo.example", "Ola Nowak", "mother", "full", ["Isla"], {}),
    ("anita@demo.example", "Anita Patel", "mother", "full", ["Sam"], {}),
    ("carmen@demo.example", "Carmen Reyes", "mother", "full", ["Jordan"], {}),
    ("luis@demo.example", "Luis Reyes", "father", "full", ["Jordan"], {}),
    ("fatima@demo.example", "Fatima Ahmed", "foster_carer", "full", ["Zara"], {}),
    ("helen@demo.example", "Helen Clarke", "mother", "full", ["Ethan"], {}),
    ("siobhan@demo.example", "Siobhan O'Connor", "mother", "full", ["Lily"], {}),
    ("marcus@demo.example", "Marcus Johnson", "guardian", "full", ["Kai"], {}),
]

DEMO_LOGINS = [
    ("amara@demo.example", "clinician (psychology) who also runs the practice"),
    ("ben@demo.example", "clinician (occupational therapy)"),
    ("chloe@demo.example", "clinician (speech and language)"),
    ("office@demo.example", "office administrator"),
    ("grace@demo.example", "parent, full access (Mia and Noah)"),
    ("george@demo.example", "grandparent, limited access (Leo)"),
    ("anita@demo.example", "parent of Sam, 14, sharing level progress"),
    ("carmen@demo.example", "parent of Jordan, 16, sharing level safety only"),
    ("mark@demo.example", "parent with access none by court order: sees nothing"),
]


def _years_ago(today: datetime.date, years: int, offset_days: int) -> datetime.date:
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        anniversary = today.replace(year=today.year - years, day=28)
    return anniversary - datetime.timedelta(days=offset_days)


class Command(BaseCommand):
    help = "Create (or keep) the demo practice: staff, children, guardians and agreements."

    @transaction.atomic
    def handle(self, *args, **options):
        practice = Practice.get()
        if practice.name == "Our practice":
            practice.name = "Riverside Children's Therapy"
            practice.contact_phone = "020 7946 0000"
            practice.contact_email = "hello@demo.example"
            practice.save()
        today = practice.today()
        password = make_password(DEMO_PASSWORD)
        users = self._staff(password)
        children = self._children(today, users)
        self._guardians(today, password, children, users["amara"])
        seed_updates(practice, timezone.now())
        self._goals(today, children)
        seed_sessions(children, practice, timezone.now())
        seed_safety(children)
        seed_home(children, practice, timezone.now())
        seed_discharge(children, practice, timezone.now())
        seed_messages(children)
        seed_checkins(children, practice)
        seed_engagement(children, practice, timezone.now())
        self.stdout.write(self.style.SUCCESS("Demo practice ready. Password for every login:"))
        self.stdout.write(f"  {DEMO_PASSWORD}")
        for email, who in DEMO_LOGINS:
            self.stdout.write(f"  {email:24} {who}")

    def _user(self, email, password, **fields) -> User:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"password": password, "is_demo": True, **fields}
        )
        return user

    def _staff(self, password) -> dict[str, User]:
        users = {}
        for email, name, discipline, runs_practice in CLINICIANS:
            users[email.split("@")[0]] = self._user(
                email,
                password,
                full_name=name,
                role=User.Role.CLINICIAN,
                discipline=discipline,
                is_practice_admin=runs_practice,
            )
        self._user(OFFICE[0], password, full_name=OFFICE[1], role=User.Role.ADMIN)
        return users

    def _children(self, today, users) -> dict[str, Child]:
        children = {}
        for index, (first, last, age, stage, primary, others, level) in enumerate(CHILDREN):
            child, created = Child.objects.get_or_create(
                first_name=first,
                last_name=last,
                is_demo=True,
                defaults={
                    "date_of_birth": _years_ago(today, age, 30 + index * 17),
                    "stage": stage,
                    "created_by": users[primary],
                },
            )
            children[first] = child
            if not created:
                continue
            CareTeamMembership.objects.create(
                child=child, clinician=users[primary], is_primary=True
            )
            for other in others:
                CareTeamMembership.objects.create(child=child, clinician=users[other])
            if level:
                ConfidentialityAgreement.objects.create(
                    child=child,
                    version=1,
                    sharing_level=level,
                    child_assent=age >= 7,
                    effective_date=today - datetime.timedelta(days=60),
                    recorded_by=users[primary],
                )
        return children

    def _goals(self, today, children) -> None:
        """Goals set together and rated from every side, over the last ten weeks."""
        if Goal.objects.filter(child__is_demo=True).exists():
            return
        plan = {
            "Mia": ["emotional_regulation", "social"],
            "Leo": ["communication"],
            "Oliver": ["behaviour", "daily_living"],
            "Isla": ["motor", "daily_living"],
            "Sam": ["social"],
            "Jordan": ["emotional_regulation"],
            "Zara": ["social", "communication"],
        }
        for index, (first, domains) in enumerate(plan.items()):
            child = children[first]
            clinician = child.memberships.get(is_primary=True).clinician
            for number, domain in enumerate(domains):
                goal = self._goal(child, clinician, domain, today, number)
                self._ratings(goal, clinician, today, trend=index + number)
        self._parent_proposal(children["Mia"], today)
        self._private_goal(children["Sam"], today)

    def _goal(self, child, clinician, domain, today, number):
        spec = GOALS[domain]
        levels = dict(
            zip(
                ["level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2"],
                spec["levels"],
                strict=True,
            )
        )
        return goal_create(
            child=child,
            clinician=clinician,
            title=spec["title"],
            domain=domain,
            child_words=spec["child_words"],
            why_it_matters=spec["why_it_matters"],
            measurement=spec["measurement"],
            baseline=spec["baseline"],
            review_date=today + datetime.timedelta(days=-3 if number else 45),
            proposed_by="parent" if number else "clinician",
            **levels,
        )

    def _ratings(self, goal, clinician, today, trend) -> None:
        parent = goal.child.guardianships.filter(access="full").first()
        if parent and not policy_for(parent.guardian, goal.child).goals:
            parent = None  # e.g. sharing level safety_only: the family does not see goals
        path = [-2, -1, -1, 0, 0, 1] if trend % 2 == 0 else [-1, -1, -2, -1, -1, 0]
        for week, level in enumerate(path):
            day = today - datetime.timedelta(days=70 - week * 14)
            goal_rate(
                goal=goal,
                rated_by=clinician,
                level=level,
                rated_on=day,
                source="review",
                today=today,
            )
            if parent and week % 2 == 1:
                goal_rate(
                    goal=goal,
                    rated_by=parent.guardian,
                    level=min(level + 1, 2),
                    rated_on=day - datetime.timedelta(days=2),
                    source="home",
                    perspective=Perspective.PARENT,
                    today=today,
                )
        if goal.child.age_on(today) >= 9:
            goal_rate(
                goal=goal,
                rated_by=clinician,
                level=path[-1] - 1,
                rated_on=today,
                source="review",
                perspective=Perspective.CHILD,
                today=today,
            )

    def _parent_proposal(self, child, today) -> None:
        parent = child.guardianships.get(access="full").guardian
        goal_propose(
            child=child,
            parent=parent,
            title="Fall asleep in her own bed",
            domain=Goal.Domain.SLEEP,
            why_it_matters="Everyone is exhausted; she ends up in our bed every night.",
        )

    def _private_goal(self, child, today) -> None:
        clinician = child.memberships.get(is_primary=True).clinician
        goal = goal_create(
            child=child,
            clinician=clinician,
            title="Tell a friend when I'm feeling low",
            domain=Goal.Domain.EMOTIONAL_REGULATION,
            child_words="Text Maya instead of going quiet",
            proposed_by="child",
            private_to_child=True,
            level_minus_2="Tells nobody",
            level_minus_1="Tells the therapist only",
            level_0="Tells one friend once a fortnight",
            level_plus_1="Tells one friend most weeks",
            level_plus_2="Tells a friend and a trusted adult when needed",
        )
        goal_rate(
            goal=goal, rated_by=clinician, level=-1, rated_on=today, source="review", today=today
        )

    def _guardians(self, today, password, children, recorded_by) -> None:
        for email, name, relationship, access, child_names, extra in GUARDIANS:
            parent = self._user(email, password, full_name=name, role=User.Role.PARENT)
            ParentProfile.objects.get_or_create(parent=parent)
            fields = dict(extra)
            for key in ("court_order_date", "court_order_expires"):
                if key in fields:
                    fields[key] = today + datetime.timedelta(days=fields[key])
            for first in child_names:
                has_primary = children[first].guardianships.filter(is_primary_contact=True)
                Guardianship.objects.get_or_create(
                    child=children[first],
                    guardian=parent,
                    defaults={
                        "relationship": relationship,
                        "access": access,
                        "is_primary_contact": access == "full" and not has_primary.exists(),
                        "access_changed_by": recorded_by,
                        **fields,
                    },
                )
