import itertools

from smevoucher.accounts.factories import PASSWORD, city
from smevoucher.core.identity import id_number_check_character
from smevoucher.core.uscc import check_character

from . import services
from .models import Enterprise

_serial = itertools.count(1)


def licence_image() -> bytes:
    """A colour scan-sized JPEG that passes the documents checks (R15)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 1000), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, 750, 200), fill=(30, 90, 200))
    draw.ellipse((300, 700, 500, 900), outline=(220, 20, 20), width=12)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def make_uscc(division: str = "440100") -> str:
    first17 = f"91{division}MA{next(_serial):07d}"
    return first17 + check_character(first17)


def make_id_number(serial: int | None = None, *, birth: str = "19800101") -> str:
    """A resident ID number with a correct check character, different for each call."""
    first17 = f"440101{birth}{(serial if serial is not None else next(_serial)) % 1000:03d}"
    return first17 + id_number_check_character(first17)


def sign_up_enterprise(
    *, city_code: str = "440100", name: str | None = None, username: str | None = None, **overrides
) -> Enterprise:
    """An enterprise signed up through the real service."""
    n = next(_serial)
    arguments = {
        "name": name or f"测试企业{n}有限公司",
        "uscc": make_uscc(city_code),
        "city": city(city_code),
        "size": "small",
        "industry": "C",
        "legal_representative": "王法人",
        # issue 17: distinct per enterprise, so no two match by accident
        "legal_rep_id_number": make_id_number(n, birth=f"{1950 + n // 1000 % 50}0101"),
        "registered_address": f"广州市天河区企业大道{n}号",
        "contact_name": "赵联系",
        "contact_phone": "020-12345678",
        "contact_email": f"ent{n}@example.test",
        "username": username or f"ent{n}",
        "password": PASSWORD,
        "licence_files": [("营业执照.jpg", licence_image())],
    }
    arguments.update(overrides)
    return services.enterprise_sign_up(**arguments)


def enterprise_user(enterprise: Enterprise):
    return enterprise.organisation.users.get()
