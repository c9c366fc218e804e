"""The ranked drivers' min_<factor> filters follow the active model's factors, not a fixed list."""

import pytest

from drivers.models import Driver
from factors.filters import RankedDriverFilter
from factors.models import DriverFactorScore, Factor

pytestmark = pytest.mark.django_db


def test_a_factor_of_the_model_that_the_definitions_lack_gets_its_filter():
    grip = Factor.objects.create(id="grip", display_name="Grip")
    sticky, slippery = Driver.objects.create(number=1, name="A"), Driver.objects.create(number=2, name="B")
    DriverFactorScore.objects.create(driver=sticky, factor=grip, score=80, percentile=100)
    DriverFactorScore.objects.create(driver=slippery, factor=grip, score=20, percentile=0)
    filterset = RankedDriverFilter({"min_grip": "50"}, queryset=Driver.objects.all(), factors=[("grip", "Grip")])
    assert filterset.is_valid() and list(filterset.qs) == [sticky]
    assert filterset.filters["min_grip"].extra["help_text"] == "Grip score at least (0..100)"
    # Without the model's factors only the defined ones exist: min_grip is not a filter then.
    assert "min_grip" not in RankedDriverFilter({}, queryset=Driver.objects.all()).filters
    assert "min_speed" in RankedDriverFilter.base_filters
