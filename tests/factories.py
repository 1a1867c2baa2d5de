import datetime

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from engagement.barriers.models import Barrier
from engagement.discharge.models import DischargeSummary
from engagement.engagement_agreements.models import EngagementAcknowledgement, EngagementAgreement
from engagement.messaging.models import Message, MessageThread
from engagement.observations.models import HomeObservation
from engagement.practice_at_home.models import CheckIn, HomePractice
from engagement.profiles.models import ParentProfile
from engagement.rescheduling.models import RescheduleRequest
from engagement.updates.models import ProgressUpdate, UpdatePreference
from engagement.visits.models import Addendum, SessionLog
from goals.models import Goal, GoalRating, Perspective
from practice.models import (
    AuditEvent,
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    NotToBeTold,
    OutgoingEmail,
    Practice,
    SafetyConcern,
    Stage,
    User,
)

PASSWORD = "correct-horse-battery"
_HASH = {}


def password_hash() -> str:
    # Hashed once per run: the test hasher is fast, but thousands of users add up.
    if "value" not in _HASH:
        _HASH["value"] = make_password(PASSWORD)
    return _HASH["value"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    full_name = factory.Faker("name")
    role = User.Role.PARENT
    password = factory.LazyFunction(password_hash)


class ClinicianFactory(UserFactory):
    role = User.Role.CLINICIAN
    discipline = User.Discipline.PSYCHOLOGY


class AdminFactory(UserFactory):
    role = User.Role.ADMIN


class ParentFactory(UserFactory):
    role = User.Role.PARENT


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(2019, 3, 14)
    stage = Stage.PROCESS

    @factory.post_generation
    def clinician(self, create, extracted, **kwargs):
        if create and extracted:
            CareTeamMembershipFactory(child=self, clinician=extracted, is_primary=True)


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    child = factory.SubFactory(ChildFactory)
    guardian = factory.SubFactory(ParentFactory)
    relationship = Guardianship.Relationship.MOTHER
    access = Guardianship.Access.FULL


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfidentialityAgreement

    child = factory.SubFactory(ChildFactory)
    version = factory.Sequence(lambda n: n + 1)
    sharing_level = "full"
    effective_date = datetime.date(2024, 1, 1)


class CareTeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMembership

    child = factory.SubFactory(ChildFactory)
    clinician = factory.SubFactory(ClinicianFactory)


def _start(log) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=log.in_days - log.days_ago)


class SessionLogFactory(factory.django.DjangoModelFactory):
    """A session `days_ago` days back (or `in_days` ahead) of now, unless `scheduled_start`
    is given; nothing logged, signed or shared unless the test says so."""

    class Meta:
        model = SessionLog

    class Params:
        days_ago = 0
        in_days = 0

    child = factory.SubFactory(ChildFactory)
    clinician = factory.SubFactory(ClinicianFactory)
    scheduled_start = factory.LazyAttribute(_start)


class AddendumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Addendum

    session = factory.SubFactory(SessionLogFactory)
    author = factory.SelfAttribute("session.clinician")
    text = "An addendum"


class GoalFactory(factory.django.DjangoModelFactory):
    """A goal made straight in the database (no proposal, no audit): for the pages' and the
    scores' tests. A goal set through the product goes through goals.services.goal_create."""

    class Meta:
        model = Goal

    child = factory.SubFactory(ChildFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    domain = Goal.Domain.SOCIAL


class GoalRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalRating

    goal = factory.SubFactory(GoalFactory)
    level = 0
    rated_on = factory.LazyFunction(lambda: Practice.get().today())
    source = GoalRating.Source.SESSION
    perspective = Perspective.CLINICIAN
    rated_by = factory.SubFactory(ClinicianFactory)


class HomePracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomePractice

    goal = factory.SubFactory(GoalFactory)
    child = factory.SelfAttribute("goal.child")
    title = factory.Sequence(lambda n: f"Strategy {n}")
    instructions = "-"
    until = factory.LazyFunction(lambda: Practice.get().today() + datetime.timedelta(days=21))
    assigned_by = factory.SubFactory(ClinicianFactory)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    home_practice = factory.SubFactory(HomePracticeFactory)
    guardian = factory.SubFactory(ParentFactory)
    done = True
    for_date = factory.LazyFunction(lambda: Practice.get().today())


class HomeObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeObservation

    child = factory.SubFactory(ChildFactory)
    guardian = factory.SubFactory(ParentFactory)
    text = "Seen at home"


class MessageThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageThread

    child = factory.SubFactory(ChildFactory)
    guardian = factory.SubFactory(ParentFactory)
    subject = "A question"


class MessageFactory(factory.django.DjangoModelFactory):
    """A message from the family unless `from_family=False` and a clinician `author`."""

    class Meta:
        model = Message

    thread = factory.SubFactory(MessageThreadFactory)
    author = factory.SelfAttribute("thread.guardian")
    from_family = True
    body = "A message"


class BarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Barrier

    child = factory.SubFactory(ChildFactory)
    kind = Barrier.Kind.TRANSPORT
    reported_by = factory.SubFactory(ParentFactory)


class SafetyConcernFactory(factory.django.DjangoModelFactory):
    """A concern straight in the database: none of the recording's notices or audit."""

    class Meta:
        model = SafetyConcern

    child = factory.SubFactory(ChildFactory)
    kind = SafetyConcern.Kind.OTHER
    clinical_record = "Clinical record"
    family_statement = "Family statement"
    recorded_by = factory.SubFactory(ClinicianFactory)


class NotToBeToldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotToBeTold

    concern = factory.SubFactory(SafetyConcernFactory)
    guardian = factory.SubFactory(ParentFactory)
    reason = "Alleged source"


class DischargeSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DischargeSummary

    child = factory.SubFactory(ChildFactory)
    goals_achieved = "Goals achieved"
    keep_practising = "Keep practising"
    coming_back = "Call us"
    written_by = factory.SubFactory(ClinicianFactory)


class EngagementAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementAgreement

    child = factory.SubFactory(ChildFactory)
    version = factory.Sequence(lambda n: n + 1)
    parent_role = "Join sessions"
    response_time_business_days = 2
    communication_guidance = "-"
    recorded_by = factory.SubFactory(ClinicianFactory)


class EngagementAcknowledgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementAcknowledgement

    agreement = factory.SubFactory(EngagementAgreementFactory)
    guardian = factory.SubFactory(ParentFactory)


class RescheduleRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RescheduleRequest

    session = factory.SubFactory(SessionLogFactory)
    guardian = factory.SubFactory(ParentFactory)
    preferred_times = "Any morning"


class ParentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentProfile

    parent = factory.SubFactory(ParentFactory)


class UpdatePreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdatePreference

    parent = factory.SubFactory(ParentFactory)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    """An update for the week to `period_end` (now unless given)."""

    class Meta:
        model = ProgressUpdate

    parent = factory.SubFactory(ParentFactory)
    period_end = factory.LazyFunction(timezone.now)
    period_start = factory.LazyAttribute(lambda u: u.period_end - datetime.timedelta(days=7))


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    kind = OutgoingEmail.Kind.MESSAGE_NOTICE
    recipient = factory.Sequence(lambda n: f"recipient{n}@test.example")


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    action = "child.view"


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app of a member of staff (a random key unless `key` is given)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(ClinicianFactory)
    name = "app"
    confirmed = True
