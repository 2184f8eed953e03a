"""Real concurrent connections on PostgreSQL: uploads arriving together cannot pass an organisation's daily
volume (issue 14)."""

import pytest

from smevoucher.accounts.factories import OrganisationFactory, UserFactory, city
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.testing import run_together
from smevoucher.documents import services
from smevoucher.documents.models import Document, UploadDay
from smevoucher.documents.tests import corpus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8


def test_concurrent_uploads_never_pass_the_daily_volume(settings):
    settings.DOCUMENTS_DAILY_MATERIALS_PENDING = 3
    user = UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city("440100")))
    files = [[(f"{i}.pdf", corpus.pdf((300 + i, 400)))] for i in range(WORKERS)]
    results = run_together([lambda f=f: services.document_upload(actor=user, kind="invoice", files=f) for f in files])
    stored = [r for r in results if isinstance(r, Document)]
    refused = [r for r in results if isinstance(r, ValidationFailed) and r.code == "daily_upload_limit"]
    assert len(stored) == 3 and len(refused) == WORKERS - 3, results
    assert Document.objects.filter(organisation=user.organisation).count() == 3
    day = UploadDay.objects.get(organisation=user.organisation)
    assert day.materials == 3 and day.bytes == sum(d.size for d in stored)  # a single PDF is stored as sent
