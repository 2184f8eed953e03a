"""The 21 prefecture-level cities of Guangdong, GB/T 2260 codes. Reference data, kept in sync with the
City table after every migrate (and after test flushes) by `sync_cities`."""

GUANGDONG_CITIES = [
    ("440100", "广州市", "Guangzhou", "guangzhou"),
    ("440200", "韶关市", "Shaoguan", "shaoguan"),
    ("440300", "深圳市", "Shenzhen", "shenzhen"),
    ("440400", "珠海市", "Zhuhai", "zhuhai"),
    ("440500", "汕头市", "Shantou", "shantou"),
    ("440600", "佛山市", "Foshan", "foshan"),
    ("440700", "江门市", "Jiangmen", "jiangmen"),
    ("440800", "湛江市", "Zhanjiang", "zhanjiang"),
    ("440900", "茂名市", "Maoming", "maoming"),
    ("441200", "肇庆市", "Zhaoqing", "zhaoqing"),
    ("441300", "惠州市", "Huizhou", "huizhou"),
    ("441400", "梅州市", "Meizhou", "meizhou"),
    ("441500", "汕尾市", "Shanwei", "shanwei"),
    ("441600", "河源市", "Heyuan", "heyuan"),
    ("441700", "阳江市", "Yangjiang", "yangjiang"),
    ("441800", "清远市", "Qingyuan", "qingyuan"),
    ("441900", "东莞市", "Dongguan", "dongguan"),
    ("442000", "中山市", "Zhongshan", "zhongshan"),
    ("445100", "潮州市", "Chaozhou", "chaozhou"),
    ("445200", "揭阳市", "Jieyang", "jieyang"),
    ("445300", "云浮市", "Yunfu", "yunfu"),
]
GUANGZHOU = "440100"


def sync_cities(using="default", **_kwargs):
    from .models import City

    for code, name, name_en, slug in GUANGDONG_CITIES:
        City.objects.using(using).update_or_create(code=code, defaults={"name": name, "name_en": name_en, "slug": slug})
