"""R1 "only once" under concurrency: simultaneous registrations of one organisation give one provider."""

import threading

import pytest
from django.db import connection

from smevoucher.core.errors import ValidationFailed
from smevoucher.directory.factories import directory_entry
from smevoucher.providers import services
from smevoucher.providers.factories import registration_data
from smevoucher.providers.models import Provider


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_name_give_one_provider():
    entry = directory_entry(name="广东省并发注册平台")
    payloads = [registration_data(entry.name) for _ in range(6)]  # different accounts and codes, one name
    barrier = threading.Barrier(len(payloads))
    outcomes = []

    def register(data):
        try:
            barrier.wait()
            services.provider_register(**data)
            outcomes.append("ok")
        except ValidationFailed as exc:
            outcomes.append(exc.code)
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1
    assert sorted(set(outcomes) - {"ok"}) == ["not_eligible_registered"]
    assert Provider.objects.filter(entry=entry).count() == 1
