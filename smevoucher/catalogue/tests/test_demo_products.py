import pytest

from smevoucher.accounts.models import User
from smevoucher.catalogue.models import Product
from smevoucher.catalogue.selectors import catalogue_for
from smevoucher.demo.seed import seed

pytestmark = pytest.mark.django_db


def test_demo_products_published_in_review_and_returned_and_seeding_twice_changes_nothing():
    seed()
    seed()
    states = {
        p.revisions.get().name: (p.status, p.revisions.get().state)
        for p in Product.objects.prefetch_related("revisions")
    }
    assert states == {
        "中小企业数字化转型实务培训": ("published", "approved"),
        "企业数字化水平诊断咨询": ("published", "approved"),
        "商标注册代理服务": ("unpublished", "submitted"),
        "小微企业日常财税代理服务": ("unpublished", "returned"),
    }
    training = Product.objects.get(published_revision__name="中小企业数字化转型实务培训")
    assert training.published_revision.tiers.count() == 3 and training.published_revision.material_sets.count() == 3
    shenzhen = User.objects.get(username="ent_sz1")
    guangzhou = User.objects.get(username="ent_gz1")
    assert set(catalogue_for(shenzhen).values_list("published_revision__name", flat=True)) == {"企业数字化水平诊断咨询"}
    assert catalogue_for(guangzhou).count() == 2
