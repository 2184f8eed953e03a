from django.utils import translation

from smevoucher.providers.forms import RegistrationForm


def test_the_registration_asks_for_the_licence_or_another_qualification_licence():
    """Seed, 服务机构注册: 1.营业证照副本或其他资格许可证件."""
    with translation.override("zh-hans"):
        assert str(RegistrationForm().fields["licence"].label) == "营业证照副本或其他资格许可证件"
