"""The demo's organisations and people. Known passwords and TOTP keys: for demonstration only."""

import hashlib

DEMO_PASSWORD = "demo-pass-2026"

PROVINCE_UNIT = {
    "name": "广东省中小企业服务券省级承办单位",
    "email": "968115@gdsme.com.cn",
    "phone": "020-66262690-914",
    "contact_person": "何锦贤",
    "username": "unit_province",
}

# (username, name, uscc first 17 characters, city code, size, industry, priority tags, approved)
ENTERPRISES = [
    ("ent_gz1", "广州明珠精密制造有限公司", "91440101MA59A1B2C", "440100", "small", "C", ["zjtx"], True),
    ("ent_gz2", "广州云帆信息科技有限公司", "91440106MA5CK3D4E", "440100", "micro", "I", [], True),
    ("ent_sz1", "深圳鹏城智能装备有限公司", "91440300MA5FG5H6J", "440300", "medium", "C", ["xsg", "jcxt"], True),
    ("ent_fs1", "佛山顺德家电配件有限公司", "91440606MA4WL7M8N", "440600", "small", "C", [], False),
    ("ent_dg1", "东莞松湖电子有限公司", "91441900MA51P9Q0R", "441900", "small", "C", ["xzgs"], True),
]

# Guangzhou voucher batches: one allocated (its window closed ten days ago), one open for claims this week.
ALLOCATED_BATCH = {
    "name": "广州市2026年第一批中小微企业服务券",
    "total_fen": 1_000_000,  # ¥10,000: the priority enterprise first, the other gets the rest
    "claims": [("ent_gz2", 800_000), ("ent_gz1", 500_000)],
}
OPEN_BATCH = {"name": "广州市2026年第二批中小微企业服务券", "total_fen": 50_000_000}

PROVIDER = {"username": "prov_gz1", "name": "广州市中小企业服务站（越秀站）", "city": "440100"}

# The directory of eligible platforms (名录): every level. Fictional organisations.
# (full name, level, city code for municipal/station entries, year of recognition, may receive vouchers until, source)
DIRECTORY = [
    ("粤港澳中小企业综合服务平台（广州）有限公司", "national", None, 2019, "2027-12-31", "工信部企业函〔2019〕演示1号"),
    ("国家中小企业公共服务示范平台（华南检测）", "national", None, 2020, "2027-12-31", "工信部企业函〔2020〕演示2号"),
    ("广东省中小企业数字化服务中心", "provincial", None, 2020, "2027-12-31", "粤工信函〔2020〕演示3号"),
    ("广东省知识产权运营服务中心", "provincial", None, 2021, "2028-12-31", "粤工信函〔2021〕演示4号"),
    # The seed's rule, kept as data: provincial platforms recognised in 2017 may receive vouchers until 2020-12-31.
    (
        "广东省企业管理咨询服务平台",
        "provincial",
        None,
        2017,
        "2020-12-31",
        "粤工信服务函〔2020〕243号：2017年认定的省级示范平台收券时间延长至2020年底",
    ),
    ("广州市科技服务示范平台有限公司", "municipal", "440100", 2020, "2027-12-31", "穗工信函〔2020〕演示5号"),
    ("广州市工业设计服务平台", "municipal", "440100", 2016, "2019-12-31", "穗工信函〔2016〕演示6号"),  # expired
    ("广州市中小企业服务站（越秀站）", "gz_station", "440100", 2019, "2027-12-31", "穗工信函〔2019〕演示7号"),
    ("广州市中小企业服务站（天河站）", "gz_station", "440100", 2019, "2027-12-31", "穗工信函〔2019〕演示8号"),
]

# Registered providers: (username, directory name, USCC first 17 characters, city code, approved)
PROVIDERS = [
    ("prov_gz1", "广州市中小企业服务站（越秀站）", "52440104MJK1A2B3C", "440100", True),
    ("prov_nat1", "粤港澳中小企业综合服务平台（广州）有限公司", "91440101MA9N1A2B3", "440100", True),
    ("prov_prov1", "广东省中小企业数字化服务中心", "12440000MB2C3D4E5", "440100", True),
    ("prov_prov2", "广东省知识产权运营服务中心", "52440000MJL5F6G7H", "440300", False),  # in the province's queue
    ("prov_gz2", "广州市科技服务示范平台有限公司", "91440106MA9P8Q7R6", "440100", False),  # in Guangzhou's queue
]

# Issue 17: the integrity signals' demo case: the enterprise and the provider it orders from have the same legal
# representative (a made-up ID number).
RELATED_PARTY = {"enterprise": "ent_gz2", "provider": "prov_gz1", "name": "陈志远", "id_number": "440104197506061236"}

# Issue 17: a pending enterprise change request, so the Guangzhou unit sees its queue: a move (new address, on the new
# business licence) and a new telephone.
ENTERPRISE_CHANGE = {
    "enterprise": "ent_gz1",
    "new_registered_address": "广州市黄埔区科学大道188号",
    "new_contact_phone": "020-32290188",
    "explanation": "企业已迁址至黄埔区，营业执照住所已变更，联系电话随之更换。",
}

ADMIN = {"username": "admin", "email": "admin@968115.example"}


def city_unit_username(slug: str) -> str:
    return f"unit_{slug}"


def totp_key(username: str) -> str:
    """A fixed 20-byte key per demo user, so the printed secrets stay the same across re-seeding."""
    return hashlib.sha1(f"smevoucher-demo-totp-{username}".encode()).hexdigest()  # noqa: S324 (not security)


# The contact person named in the help centre for each city unit (cycled over the cities).
CITY_CONTACT_PEOPLE = ["梁嘉敏", "陈伟强", "黄晓玲", "李振华", "吴丽珊", "张国栋", "刘慧敏"]

# (publisher: "province" or a city code, category, title, body, pinned); {year} is the demo's current year, so the
# pinned notice speaks of the scheme year the demo's batches belong to.
NOTICES = [
    (
        "province",
        "policy",
        "关于开展{year}年中小微企业服务券发放工作的通知",
        "根据广东省工业和信息化厅关于开展{year}年中小微企业服务券发放工作的安排（沿用粤工信服务函〔2020〕243号的做法），"
        "在我省登记注册，属于国家、省和广州市认定的示范平台以及广州市中小企业服务站，可以收取服务券。",
        True,
    ),
    (
        "440100",
        "batch",
        "广州市{year}年第一批中小微企业服务券申领公告",
        "申领时间、申领额度和使用期限见本公告。每家企业每批次可申领一次，当年申领总额不超过2万元。",
        False,
    ),
]

# R19: the policy numbers the province sets for the demo year (the 2020 scheme's: 10 %, 30 days, 30 days, 50 %).
POLICY = {"cap_bp": 1000, "order_deadline_days": 30, "contract_deadline_days": 30, "coverage_limit_bp": 5000}
POLICY_REASON = "广东省中小微企业服务券实施细则（演示）"
