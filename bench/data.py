"""Synthetic complaints for the list/search benchmark: Chinese descriptions drawn from a vocabulary,
spread over years, statuses, classes, severities, customers and departments. Seeded: every run and
both databases get the same rows.

Description words are drawn with Zipf-like weights, so some words are common and some rare, like in
real complaints. The search terms the benchmark uses are fixed here with their intended frequency.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

# Searched words (see listing.py). 开裂 is common (a few % of complaints); 抽屉滑轨 is rare.
SEARCH_2 = "开裂"
SEARCH_4 = "抽屉滑轨"
SEARCH_2_RARE = "卡顿"  # only in RARE_DEFECT

PRODUCTS = [
    "实木餐桌", "布艺沙发", "真皮沙发", "衣柜", "书柜", "床头柜", "双人床", "儿童床", "电视柜", "茶几",
    "办公桌", "办公椅", "鞋柜", "床垫", "餐椅", "梳妆台", "酒柜", "书桌", "转角沙发", "榻榻米",
]  # fmt: skip
PARTS = [
    "桌面", "桌腿", "柜门", "抽屉", "把手", "铰链", "靠背", "坐垫", "扶手", "床板", "床架", "镜面",
    "背板", "层板", "脚垫", "五金件", "封边", "面料", "海绵", "弹簧",
]  # fmt: skip
DEFECTS = [
    "变形", "掉漆", "色差", "异味", "松动", "开裂", "划痕", "起泡", "脱胶", "发霉", "生锈", "异响",
    "尺寸不符", "破损", "污渍", "缝线开线", "油漆脱落", "安装不牢", "配件缺失",
]  # fmt: skip
RARE_DEFECT = "抽屉滑轨卡顿"  # about 1 complaint in 500
CONTEXT = [
    "客户反映", "收货后发现", "使用三个月后", "安装完成后", "送货当天", "客户来电称", "经销商转来投诉",
    "客户在网上留言", "客户到门店反映", "售后回访时发现", "客户多次催促", "客户情绪激动",
]  # fmt: skip
ASKS = [
    "要求上门检查", "要求更换", "要求退货退款", "要求赔偿", "要求尽快处理", "要求维修",
    "要求给出书面说明", "要求补发配件", "希望派人来看", "要求道歉",
]  # fmt: skip
EXTRA = [
    "送货延迟", "安装师傅态度不好", "客服电话打不通", "包装破损", "说明书看不懂", "与样品不一致",
    "发票未开", "物流信息不更新", "预约时间一再推迟", "质保期内",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志强文斌"
CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "成都", "武汉", "苏州", "天津", "重庆", "西安"]
COMPANY_KINDS = ["家居", "装饰", "酒店", "物业", "地产", "贸易", "建材", "办公设备"]

STATUS_WEIGHTS = {
    "closed": 55,
    "not_upheld": 5,
    "withdrawn": 3,
    "followed_up": 4,
    "replied": 5,
    "resolution_proposed": 4,
    "investigating": 8,
    "accepted": 4,
    "transfer_approved": 3,
    "transfer_proposed": 3,
    "classified": 3,
    "registered": 3,
}
HANDLED = {
    "closed", "not_upheld", "followed_up", "replied", "resolution_proposed", "investigating", "accepted",
    "transfer_approved", "transfer_proposed",
}  # fmt: skip
CHANNELS = ["phone", "letter", "in_person", "sales", "authority", "email", "web", "api"]
CHANNEL_WEIGHTS = [40, 3, 10, 15, 1, 8, 15, 8]


def _zipf(n: int) -> list[float]:
    return [1 / (rank + 1) for rank in range(n)]


class Generator:
    def __init__(self, *, seed: int = 2010, customers: int = 2000) -> None:
        self.rng = random.Random(seed)
        self.customer_count = customers
        # The weights fall with the position in each list.
        self.defects = DEFECTS
        self.defect_weights = _zipf(len(DEFECTS))
        self.part_weights = _zipf(len(PARTS))
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())

    def customer_names(self) -> list[str]:
        rng = random.Random(7)
        names = set()
        while len(names) < self.customer_count:
            names.add(
                f"{rng.choice(CITIES)}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
                f"{rng.choice(COMPANY_KINDS)}有限公司"
            )
        return sorted(names)

    def description(self) -> str:
        rng = self.rng
        product = rng.choice(PRODUCTS)
        parts = rng.choices(PARTS, self.part_weights, k=rng.randint(1, 2))
        defects = rng.choices(self.defects, self.defect_weights, k=rng.randint(1, 2))
        text = f"{rng.choice(CONTEXT)}，{product}{parts[0]}{defects[0]}"
        if len(parts) > 1:
            text += f"，{parts[1]}{defects[-1]}"
        if rng.random() < 0.002:
            text += f"，{RARE_DEFECT}"
        if rng.random() < 0.4:
            text += f"，{rng.choice(EXTRA)}"
        text += f"，{rng.choice(ASKS)}。"
        if rng.random() < 0.6:
            text += f"该产品于{rng.randint(1, 12)}月在{rng.choice(CITIES)}门店购买，订单号XS{rng.randint(0, 10**8):08d}。"
        if rng.random() < 0.3:
            text += f"{rng.choice(CONTEXT)}{rng.choice(EXTRA)}，{rng.choice(ASKS)}。"
        return text

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(
            ["先生", "女士", GIVEN[self.rng.randrange(len(GIVEN))]]
        )

    def rows(self, start: int, count: int, *, total: int, first_day: datetime, days: int):
        """Complaint tuples numbered ``start`` .. ``start + count - 1`` of ``total``, registered in
        order over ``days`` days from ``first_day`` (so a larger run extends a smaller one)."""
        rng = self.rng
        step = days * 86400 / total
        for i in range(start, start + count):
            registered = first_day + timedelta(seconds=i * step + rng.random() * step * 0.5)
            received = registered - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
            status = rng.choices(self.statuses, self.status_weights)[0]
            yield {
                "number": f"{registered:%y%m%d}{i:07d}",
                "status": status,
                "channel": rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                "received_at": received,
                "registered_at": registered,
                "complainant_name": self.person(),
                "complainant_phone": f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
                "customer_index": rng.randrange(self.customer_count) if rng.random() < 0.7 else None,
                "description": self.description(),
                "category_index": rng.randrange(5),
                "severity_index": rng.choices([0, 1, 2], [5, 20, 75])[0],
                "department_index": rng.randrange(3) if status in HANDLED else None,
                "closed": status in {"closed", "not_upheld", "withdrawn"},
            }


FIRST_DAY = datetime(2021, 1, 1, 1, 0, tzinfo=UTC)
