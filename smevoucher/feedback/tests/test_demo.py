import pytest

from smevoucher.catalogue.models import Product
from smevoucher.demo.seed import seed
from smevoucher.feedback.models import Complaint, Rating
from smevoucher.providers.models import Provider, Suspension
from smevoucher.providers.selectors import is_suspended

pytestmark = pytest.mark.django_db


def test_the_demo_shows_ratings_a_complaint_and_a_suspended_provider_once():
    seed()
    seed()
    assert Rating.objects.count() == 3 and Complaint.objects.filter(status="open").count() == 1
    rated = Product.objects.get(rating_count__gt=0)
    assert (rated.rating_count, rated.rating_total) == (3, 11)
    provider = Provider.objects.get(organisation__users__username="prov_nat1")
    assert is_suspended(provider)
    assert Suspension.objects.filter(provider=provider).count() == 2
