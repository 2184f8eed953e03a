"""Issue 17: after approval an enterprise changes its legal representative, ID number, address or contact only
through a change request its own city unit applies; the values (and the integrity matching keys) change then."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.accounts.models import User
from smevoucher.core import identity
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises import services
from smevoucher.enterprises.factories import enterprise_user, licence_image, make_id_number, sign_up_enterprise
from smevoucher.enterprises.models import Enterprise, EnterpriseChangeRequest
from smevoucher.notices.models import Notification
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.workbench.cards import cards_for

pytestmark = pytest.mark.django_db

NEW_ID = "11010519491231002X"


def licence():
    return [("新营业执照.jpg", licence_image())]


def submit(enterprise, **values):
    values.setdefault("new_contact_phone", "13912345678")
    return services.enterprise_change_submit(actor=enterprise_user(enterprise), enterprise_id=enterprise.pk, **values)


def test_values_apply_only_when_the_city_unit_applies_the_request():
    enterprise = approved_enterprise()
    old_phone, old_address = enterprise.contact_phone, enterprise.registered_address
    change = submit(
        enterprise,
        new_registered_address="广东省广州市黄埔区科学大道１８８号",
        new_legal_representative="李新法人",
        new_legal_rep_id_number=NEW_ID,
        licence_files=licence(),
    )
    enterprise.refresh_from_db()
    assert (enterprise.contact_phone, enterprise.registered_address) == (old_phone, old_address)
    assert change.status == EnterpriseChangeRequest.Status.PENDING

    services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk, reply="已核对新执照")
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "13912345678" and enterprise.organisation.phone == "13912345678"
    assert enterprise.registered_address == "广东省广州市黄埔区科学大道１８８号"
    assert enterprise.legal_representative == "李新法人"
    # The matching keys are recomputed, so the integrity signals compare the new values.
    assert enterprise.address_key == identity.address_key("广州市黄埔区科学大道188号")
    assert enterprise.phone_key == "13912345678"
    assert enterprise.legal_rep_id_hash == identity.id_number_hash(NEW_ID)
    assert enterprise.licence_id == change.licence_id


def test_the_id_number_is_kept_only_as_its_hash_and_last_four():
    enterprise = approved_enterprise()
    change = submit(enterprise, new_legal_rep_id_number=NEW_ID)
    services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk)
    change.refresh_from_db()
    enterprise.refresh_from_db()
    assert change.new_legal_rep_id_hash == identity.id_number_hash(NEW_ID)
    assert change.new_legal_rep_id_last4 == enterprise.legal_rep_id_last4 == "002X"
    # Nowhere in the request, the profile or the audit log is the number itself.
    stored = [str(EnterpriseChangeRequest.objects.filter(pk=change.pk).values().get())]
    stored.append(str(Enterprise.objects.filter(pk=enterprise.pk).values().get()))
    stored += [f"{e.before} {e.after} {e.reason}" for e in AuditEvent.objects.all()]
    assert not any("110105194912310" in text for text in stored)
    old_last4 = change.old_values["legal_rep_id_last4"]
    assert ("****" + old_last4, "****002X") in [(old, new) for _label, old, new in change.changes()]


def test_refusal_changes_nothing_and_needs_a_reason():
    enterprise = approved_enterprise()
    change = submit(enterprise)
    with pytest.raises(ValidationFailed) as refused:
        services.enterprise_change_refuse(actor=city_unit_user(), request_id=change.pk, reply=" ")
    assert "reply" in refused.value.fields
    services.enterprise_change_refuse(actor=city_unit_user(), request_id=change.pk, reply="号码无法接通")
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "020-12345678"
    with pytest.raises(Conflict):
        services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk)
    assert Notification.objects.filter(user=enterprise_user(enterprise), event="enterprise.change_refused").exists()


def test_a_decided_request_is_not_decided_again():
    """core.change_requests: a repeated click is quiet; a request decided the other way is a conflict."""
    enterprise = approved_enterprise()
    change = submit(enterprise)
    services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk, reply="已核对")
    services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk, reply="再点一次")
    with pytest.raises(Conflict):
        services.enterprise_change_refuse(actor=city_unit_user(), request_id=change.pk, reply="晚了")
    change.refresh_from_db()
    assert (change.status, change.reply) == (EnterpriseChangeRequest.Status.APPLIED, "已核对")
    assert AuditEvent.objects.filter(action="enterprise.change_applied").count() == 1


def test_submit_apply_and_refuse_are_audited_and_the_other_side_told():
    enterprise = approved_enterprise()
    unit = city_unit_user()
    first = submit(enterprise)
    services.enterprise_change_apply(actor=unit, request_id=first.pk)
    second = submit(enterprise, new_contact_phone="13700000000")
    services.enterprise_change_refuse(actor=unit, request_id=second.pk, reply="请附说明")
    actions = list(
        AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk))
        .filter(action__startswith="enterprise.change_")
        .order_by("id")
        .values_list("action", "after__request")
    )
    assert actions == [
        ("enterprise.change_requested", first.pk),
        ("enterprise.change_applied", first.pk),
        ("enterprise.change_requested", second.pk),
        ("enterprise.change_refused", second.pk),
    ]
    assert Notification.objects.filter(user=unit, event="enterprise.change_requested").count() == 2
    assert Notification.objects.filter(user=enterprise_user(enterprise), event="enterprise.change_applied").exists()


@pytest.mark.parametrize(
    "who, expected",
    [
        ("own_city_unit", "applied"),
        ("other_city_unit", Http404),
        ("province_unit", Http404),  # sees the request, but R0: only the enterprise's own city unit decides
        ("enterprise", Http404),
        ("other_enterprise", Http404),
    ],
)
def test_only_the_enterprises_own_city_unit_decides(who, expected):
    enterprise = approved_enterprise("440100")
    change = submit(enterprise)
    actor = {
        "own_city_unit": lambda: city_unit_user("440100"),
        "other_city_unit": lambda: city_unit_user("440300"),
        "province_unit": province_user,
        "enterprise": lambda: enterprise_user(enterprise),
        "other_enterprise": lambda: enterprise_user(approved_enterprise("440100")),
    }[who]()
    if expected is Http404:
        with pytest.raises(Http404):
            services.enterprise_change_apply(actor=actor, request_id=change.pk)
        with pytest.raises(Http404):
            services.enterprise_change_refuse(actor=actor, request_id=change.pk, reply="不行")
        assert EnterpriseChangeRequest.objects.get(pk=change.pk).status == "pending"
    else:
        assert services.enterprise_change_apply(actor=actor, request_id=change.pk).status == expected


def test_only_the_enterprises_administrator_submits_and_only_after_approval():
    enterprise = approved_enterprise()
    staff = User.objects.create_user(
        username="clerk2", password="x", organisation=enterprise.organisation, role=User.Role.STAFF
    )
    with pytest.raises(Http404):
        services.enterprise_change_submit(actor=staff, enterprise_id=enterprise.pk, new_contact_phone="13912345678")
    with pytest.raises(Http404):
        services.enterprise_change_submit(
            actor=city_unit_user(), enterprise_id=enterprise.pk, new_contact_phone="13912345678"
        )
    pending = sign_up_enterprise()
    with pytest.raises(Conflict):
        submit(pending)


def test_one_open_request_at_a_time():
    enterprise = approved_enterprise()
    submit(enterprise)
    with pytest.raises(ValidationFailed) as refused:
        submit(enterprise, new_contact_phone="13700000000")
    assert "__all__" in refused.value.fields
    # The database holds the rule too (the partial unique index), whatever the code above it does.
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseChangeRequest.objects.create(enterprise=enterprise, requested_by=enterprise_user(enterprise))


def test_refused_input_is_told_beside_its_field():
    enterprise = approved_enterprise()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            enterprise,
            new_legal_rep_id_number="110105194913310024",  # no 13th month
            new_contact_phone="12345",
            new_registered_address="广州市黄埔区新地址1号",  # needs the new licence
            new_size="huge",
        )
    assert set(refused.value.fields) == {
        "new_legal_rep_id_number",
        "new_contact_phone",
        "licence",
        "new_size",
    }
    with pytest.raises(ValidationFailed) as nothing:
        submit(enterprise, new_contact_phone=enterprise.contact_phone)  # the same value is no change
    assert "__all__" in nothing.value.fields
    assert not EnterpriseChangeRequest.objects.exists()


def test_a_repeated_decision_finds_the_work_done():
    enterprise = approved_enterprise()
    change = submit(enterprise)
    services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk)
    services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk)
    assert AuditEvent.objects.filter(action="enterprise.change_applied").count() == 1


def test_the_city_units_workbench_card_counts_its_pending_requests():
    submit(approved_enterprise("440100"))
    submit(approved_enterprise("440300"))
    card = {c.code: c for c in cards_for(city_unit_user("440100"))}["enterprise_change_review"]
    assert card.count == 1 and card.url.startswith("/enterprises/changes/?status=pending")


def test_pages_show_the_request_history_and_decide():
    enterprise = approved_enterprise()
    client = logged_in_client(enterprise_user(enterprise))
    home = client.get("/enterprises/mine/").content.decode()
    assert "/enterprises/changes/new/" in home
    response = client.post(
        "/enterprises/changes/new/",
        {"new_contact_phone": "13912345678", "new_contact_email": "new@example.test", "explanation": "换人"},
    )
    change = EnterpriseChangeRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/enterprises/changes/{change.pk}/"
    unit = logged_in_client(city_unit_user())
    assert f"/enterprises/changes/{change.pk}/" in unit.get("/enterprises/changes/").content.decode()
    assert unit.get(f"/enterprises/changes/{change.pk}/").status_code == 200
    assert logged_in_client(city_unit_user("440300")).get(f"/enterprises/changes/{change.pk}/").status_code == 404
    unit.post(f"/enterprises/changes/{change.pk}/apply/", {"reply": ""})
    enterprise.refresh_from_db()
    assert enterprise.contact_email == "new@example.test"
    detail = unit.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert f"/enterprises/changes/{change.pk}/" in detail
    history = unit.get(reverse("reporting:history", args=["enterprises.enterprisechangerequest", change.pk]))
    assert history.status_code == 200 and "enterprise.change_applied" in history.content.decode()


# --- API ------------------------------------------------------------------------------------------------------------


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_submit_list_and_apply():
    enterprise = approved_enterprise()
    api = api_as(enterprise_user(enterprise))
    created = api.post(
        f"/api/v1/enterprises/{enterprise.pk}/change-requests/",
        {
            "new_registered_address": "广州市黄埔区科学大道188号",
            "new_legal_rep_id_number": NEW_ID,
            "licence": [SimpleUploadedFile("执照.jpg", licence_image(), content_type="image/jpeg")],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["new_legal_rep_id_last4"] == "002X" and "new_legal_rep_id_hash" not in body and body["licence"]
    again = api.post(
        f"/api/v1/enterprises/{enterprise.pk}/change-requests/", {"new_contact_phone": "13700000000"}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "validation_error"
    assert [r["id"] for r in api.get(f"/api/v1/enterprises/{enterprise.pk}/change-requests/").json()] == [body["id"]]

    refused = api.post(f"/api/v1/enterprise-change-requests/{body['id']}/apply/", {}, format="json")
    assert refused.status_code == 404  # the enterprise cannot decide its own request
    other = api_as(city_unit_user("440300"))
    assert other.post(f"/api/v1/enterprise-change-requests/{body['id']}/apply/", {}).status_code == 404
    assert other.get(f"/api/v1/enterprise-change-requests/{body['id']}/").status_code == 404
    unit = api_as(city_unit_user())
    listed = unit.get("/api/v1/enterprise-change-requests/?status=pending").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    applied = unit.post(f"/api/v1/enterprise-change-requests/{body['id']}/apply/", {"reply": "ok"}, format="json")
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    enterprise.refresh_from_db()
    assert enterprise.registered_address == "广州市黄埔区科学大道188号"


def test_api_refuse_needs_a_reply_and_bad_input_is_a_400():
    enterprise = approved_enterprise()
    api = api_as(enterprise_user(enterprise))
    bad = api.post(
        f"/api/v1/enterprises/{enterprise.pk}/change-requests/",
        {"new_contact_phone": "abc", "new_size": "huge"},
        format="json",
    )
    assert bad.status_code == 400 and "new_size" in bad.json()["fields"]
    change = submit(enterprise)
    unit = api_as(city_unit_user())
    no_reason = unit.post(f"/api/v1/enterprise-change-requests/{change.pk}/refuse/", {}, format="json")
    assert no_reason.status_code == 400 and "reply" in no_reason.json()["fields"]
    done = unit.post(f"/api/v1/enterprise-change-requests/{change.pk}/refuse/", {"reply": "材料不全"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "refused"


# --- Sign-up requires the matching data (issue 17) ------------------------------------------------------------------


def test_sign_up_checks_the_form_of_the_id_number_and_the_telephone_when_given():
    with pytest.raises(ValidationFailed) as missing:
        sign_up_enterprise(legal_rep_id_number="", registered_address="", legal_representative="")
    assert set(missing.value.fields) == {"legal_representative"}  # the ID number and address are asked, not required
    assert sign_up_enterprise(legal_rep_id_number="", registered_address="").legal_rep_id_last4 == ""
    with pytest.raises(ValidationFailed) as malformed:
        sign_up_enterprise(legal_rep_id_number="440101198013010010", contact_phone="020-1")
    assert set(malformed.value.fields) == {"legal_rep_id_number", "contact_phone"}
    passport = sign_up_enterprise(legal_rep_id_number="E12345678", contact_phone="+86 139-1234-5678 转 8")
    assert passport.legal_rep_id_last4 == "5678"


@pytest.mark.parametrize(
    "number, valid",
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        (make_id_number(7), True),
        ("110105194912310021", True),  # a wrong check character is kept: the number is compared, not verified
        ("110105194913310024", False),  # no 13th month
        ("110105491231002", False),  # the 15-digit card, invalid since 2013
        ("E12345678", True),  # passport
        ("H1234567801", True),  # Hong Kong residents' mainland travel permit
        ("12345678", False),
        ("", False),
    ],
)
def test_id_number_form(number, valid):
    assert identity.is_valid_id_number(number) is valid


@pytest.mark.parametrize(
    "phone, valid",
    [
        ("13800138000", True),
        ("020-12345678", True),
        ("0755 1234567", True),
        ("＋８６ 138 0013 8000", True),
        ("020-12345678转123", True),
        ("400-800-1234", True),
        ("12345", False),
        ("1380013800", False),
        ("phone", False),
    ],
)
def test_phone_form(phone, valid):
    assert identity.is_valid_phone(phone) is valid


# --- Concurrency on PostgreSQL -------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_give_one_open_request():
    enterprise = approved_enterprise()
    user = enterprise_user(enterprise)
    phones = [f"1391234567{i}" for i in range(5)]
    barrier = threading.Barrier(len(phones))
    outcomes = []

    def request(phone):
        try:
            barrier.wait()
            services.enterprise_change_submit(actor=user, enterprise_id=enterprise.pk, new_contact_phone=phone)
            outcomes.append("ok")
        except ValidationFailed as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # anything else is a failure to report
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} == {"validation_error"}
    assert EnterpriseChangeRequest.objects.filter(enterprise=enterprise, status="pending").count() == 1
