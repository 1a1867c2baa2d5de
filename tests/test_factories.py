"""The test factories themselves: each one, given nothing, makes a row the database takes and
whose filled fields the model accepts, so a test need only name the fields its behaviour is
about (fields a factory leaves empty, as the model's default does, are the test's to fill)."""

import factory
import pytest

from tests import factories

FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if isinstance(value, type)
        and issubclass(value, factory.django.DjangoModelFactory)
        and value._meta.model is not None
    ),
    key=lambda value: value.__name__,
)


EMPTY = (None, "", [], {})


@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda value: value.__name__)
def test_each_factory_alone_makes_a_row_the_model_accepts(db, model_factory):
    row = model_factory()
    row.refresh_from_db()
    empty = [field.name for field in row._meta.fields if getattr(row, field.attname) in EMPTY]
    row.full_clean(exclude=empty)
