import datetime

import factory
from django.contrib.auth.hashers import make_password

from practice.models import (
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
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
            CareTeamMembership.objects.create(child=self, clinician=extracted, is_primary=True)


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
