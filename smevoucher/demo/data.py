"""The demo's organisations and people. Known passwords and TOTP keys: for demonstration only."""

import hashlib

DEMO_PASSWORD = "demo-pass-2026"

PROVINCE_UNIT = {
    "name": "广东省中小企业服务券省级承办单位",
    "email": "968115@gdsme.com.cn",
    "phone": "020-66262690",
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

ADMIN = {"username": "admin", "email": "admin@968115.example"}


def city_unit_username(slug: str) -> str:
    return f"unit_{slug}"


def totp_key(username: str) -> str:
    """A fixed 20-byte key per demo user, so the printed secrets stay the same across re-seeding."""
    return hashlib.sha1(f"smevoucher-demo-totp-{username}".encode()).hexdigest()  # noqa: S324 (not security)
