"""Demo district: real-sounding Putuo units and catalog entries (fictional content)."""

from __future__ import annotations

UNITS = [
    # code, kind, name
    ("PT-QFB", "office", "上海市普陀区人民政府办公室"),
    ("PT-DSJZX", "data_center", "上海市普陀区大数据中心"),
    ("PT-MZJ", "ordinary", "上海市普陀区民政局"),
    ("PT-SCJGJ", "ordinary", "上海市普陀区市场监督管理局"),
    ("PT-WJW", "ordinary", "上海市普陀区卫生健康委员会"),
    ("PT-RSJ", "ordinary", "上海市普陀区人力资源和社会保障局"),
    ("PT-CSLJD", "ordinary", "上海市普陀区长寿路街道办事处"),
    ("PT-WXB", "auditor", "中共上海市普陀区委网络安全和信息化委员会办公室"),
]
# Units whose officers hold an SM2 key only (国密): the contracts verify their signatures themselves.
SM2_ONLY_UNITS = frozenset({"PT-CSLJD"})


def _doc(
    code,
    name,
    description,
    system,
    method,
    frequency,
    category,
    grade,
    sharing,
    opening,
    agency,
    items,
    basis_date,
    period="2018年至今",
):
    share_attr, share_text = sharing
    open_attr, open_text = opening
    return {
        "schema": "putuo.catalog/1",
        "code": code,
        "name": name,
        "description": description,
        "source": {"system": system, "method": method},
        "update_frequency": frequency,
        "classification": {"category": category, "grade": grade},
        "sharing": {
            "attribute": share_attr,
            **({"conditions": share_text} if share_attr == "conditional" else {}),
            **({"basis": share_text} if share_attr == "not_shared" else {}),
        },
        "opening": {
            "attribute": open_attr,
            **({"conditions": open_text} if open_attr == "conditional" else {}),
            **({"basis": open_text} if open_attr == "not_open" else {}),
        },
        "coverage": {"area": "普陀区", "period": period},
        "managing_agency": agency,
        "data_items": [{"name": n, "type": t} for n, t in items],
        "basis_event": {"kind": "system_acceptance", "date": basis_date},
    }


PRIVACY = "涉及个人信息，依据《中华人民共和国个人信息保护法》不予开放"

ENTRIES = [
    (
        "PT-MZJ",
        _doc(
            "MZJ-0001",
            "最低生活保障对象信息",
            "全区最低生活保障（低保）对象的家庭成员、保障金额与认定时间，用于社会救助协同。",
            "上海市社会救助管理信息系统",
            "generated",
            "monthly",
            "民生保障",
            "L3",
            ("conditional", "仅限社会救助、帮困相关业务使用"),
            ("not_open", PRIVACY),
            "区民政局社会救助科",
            [("姓名", "string"), ("公民身份号码", "string"), ("保障金额", "decimal"), ("认定日期", "date")],
            "2026-10-09",
        ),
    ),
    (
        "PT-MZJ",
        _doc(
            "MZJ-0002",
            "养老服务机构名录",
            "全区养老机构、长者照护之家和日间照料中心的名称、地址、床位数。",
            "普陀区养老服务管理平台",
            "collected",
            "quarterly",
            "民生保障",
            "L1",
            ("unconditional", ""),
            ("unconditional", ""),
            "区民政局养老服务科",
            [("机构名称", "string"), ("地址", "string"), ("床位数", "integer")],
            "2026-09-15",
        ),
    ),
    (
        "PT-SCJGJ",
        _doc(
            "SCJG-0001",
            "市场主体登记信息",
            "辖区内企业、个体工商户的统一社会信用代码、名称、住所与登记状态。",
            "上海市市场主体登记系统",
            "city_returned",
            "daily",
            "经济运行",
            "L2",
            ("unconditional", ""),
            ("conditional", "通过区公共数据开放平台按需申请"),
            "区市场监管局登记注册科",
            [("统一社会信用代码", "string"), ("名称", "string"), ("住所", "string"), ("登记状态", "string")],
            "2026-10-20",
        ),
    ),
    (
        "PT-SCJGJ",
        _doc(
            "SCJG-0002",
            "食品经营许可信息",
            "辖区食品经营许可证的持证主体、许可项目与有效期。",
            "上海市食品经营许可管理系统",
            "generated",
            "weekly",
            "市场监管",
            "L1",
            ("unconditional", ""),
            ("unconditional", ""),
            "区市场监管局食品经营科",
            [("许可证编号", "string"), ("经营者名称", "string"), ("有效期至", "date")],
            "2026-10-28",
        ),
    ),
    (
        "PT-WJW",
        _doc(
            "WJW-0001",
            "疫苗接种记录",
            "辖区居民免疫规划疫苗接种的时间、疫苗种类与接种单位。",
            "上海市免疫规划信息系统",
            "collected",
            "daily",
            "卫生健康",
            "L4",
            ("conditional", "仅限公共卫生应急与一网统管事项使用"),
            ("not_open", PRIVACY),
            "区卫健委疾病预防控制科",
            [("公民身份号码", "string"), ("疫苗名称", "string"), ("接种时间", "datetime")],
            "2026-11-02",
        ),
    ),
    (
        "PT-RSJ",
        _doc(
            "RSJ-0001",
            "就业登记信息",
            "辖区劳动者就业登记与失业登记的时间、用人单位与登记类型。",
            "上海市就业登记管理系统",
            "generated",
            "monthly",
            "人力社保",
            "L3",
            ("conditional", "仅限就业促进、社会保障业务使用"),
            ("not_open", PRIVACY),
            "区人社局就业促进科",
            [("姓名", "string"), ("用人单位", "string"), ("登记类型", "string")],
            "2026-10-12",
        ),
    ),
    (
        "PT-CSLJD",
        _doc(
            "CSLJD-0001",
            "长寿路街道实有人口信息",
            "长寿路街道辖区实有人口的居住地址、居住类型与核查时间。",
            "普陀区社区综合管理平台",
            "collected",
            "monthly",
            "社会治理",
            "L3",
            ("conditional", "仅限社区治理、一网统管事项使用"),
            ("not_open", PRIVACY),
            "长寿路街道社区管理办公室",
            [("姓名", "string"), ("居住地址", "string"), ("居住类型", "string"), ("核查时间", "date")],
            "2026-11-05",
        ),
    ),
]

# What the Data Center does with each demo entry: approve, or return with (code, reason).
REVIEWS = {
    "MZJ-0001": ("approve", None),
    "MZJ-0002": ("approve", None),
    "SCJG-0001": ("approve", None),
    "SCJG-0002": ("return", (1, "缺少数据项“许可项目”，请补充后重新提交。")),
    "WJW-0001": ("approve", None),
    "RSJ-0001": ("approve", None),
    "CSLJD-0001": None,  # left under review
}
