"""The demo company (`kesu demo`): a furniture maker with staff in every role, customers,
products and a few hundred complaints in every state, class and severity.

Everything is created through the services, in the order it would have happened, with the clock
moved to each moment (time_machine), so numbers, timelines and transfer slips are real: numbers are
gap-free in registration order, and every timeline entry has a plausible time in the past months.
The data is deterministic for a given seed (``random.Random(seed)``), relative to "now".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kesu.approvals.authority import approvers_now
from kesu.approvals.services import decide_approval
from kesu.archive.services import archive_for
from kesu.complaints import services
from kesu.complaints.models import Category, Channel, Complaint, Satisfaction, Severity, Status
from kesu.complaints.procedures import Rules, rules_for_class
from kesu.core.sqlite import analyze
from kesu.customers.models import Customer, Product
from kesu.deadlines import clock_actions
from kesu.decisions.models import Cause, RemedyKind
from kesu.decisions.selectors import proposing_capacity
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision
from kesu.decisions.wiring import decided_by_amount
from kesu.notifications import handover
from kesu.notifications.models import Notification
from kesu.organization.models import Department, Position, Role, RoleAssignment, Staff
from kesu.rulebook.services import ensure_rule_book

DEMO_PASSWORD = "kesu-demo"
# The department only the demo creates: its presence means the demo company is loaded.
MARKER_DEPARTMENT = "woodshop"


class DemoConflict(Exception):
    """The database already holds another company; the demo only loads into an empty one."""


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    department: str
    roles: str
    superuser: bool = False


@dataclass(frozen=True)
class DemoResult:
    created: bool  # False: the demo company was already there and was reused
    complaints: int
    logins: list[Login]


# ---------------------------------------------------------------------------------------------
# The company

# code, name, parent code, is_customer_service
DEPARTMENTS = [
    ("cs", "客服部", None, True),
    ("gm-office", "总经办", None, False),
    ("sales", "销售部", None, False),
    ("production", "生产部", None, False),
    (MARKER_DEPARTMENT, "木工车间", "production", False),
    ("quality", "质量部", None, False),
    ("logistics", "物流部", None, False),
]

# username, name, department code, position, roles
PEOPLE = [
    ("clerk", "王丽", "cs", "客服专员", [Role.DESK_CLERK]),
    ("clerk2", "张敏", "cs", "客服专员", [Role.DESK_CLERK]),
    ("director", "李娟", "cs", "客服主任", [Role.CS_DIRECTOR]),
    ("gm", "赵建国", "gm-office", "总经理", [Role.GENERAL_MANAGER]),
    ("vp", "钱卫东", "gm-office", "副总经理", [Role.VICE_PRESIDENT]),
    ("saleshead", "孙志强", "sales", "销售经理", [Role.DEPARTMENT_HEAD]),
    ("sales", "周涛", "sales", "销售代表", [Role.HANDLER]),
    ("prodhead", "吴海波", "production", "生产经理", [Role.DEPARTMENT_HEAD]),
    ("prodhandler", "郑国庆", "production", "生产调度", [Role.HANDLER]),
    ("woodhead", "陈永发", MARKER_DEPARTMENT, "车间主任", [Role.DEPARTMENT_HEAD]),
    ("carpenter", "刘木生", MARKER_DEPARTMENT, "木工", [Role.HANDLER]),
    ("qualityhead", "褚明", "quality", "质量经理", [Role.DEPARTMENT_HEAD]),
    ("inspector", "卫芳", "quality", "质检员", [Role.HANDLER]),
    ("logisticshead", "蒋涛", "logistics", "物流经理", [Role.DEPARTMENT_HEAD]),
    ("driver", "沈力", "logistics", "送货司机", [Role.HANDLER]),
    ("auditor", "韩雪", "gm-office", "审计专员", [Role.AUDITOR]),
    ("admin", "杨帆", "gm-office", "系统管理员", [Role.ADMINISTRATOR]),
]
SUPERUSER = "admin"

# The department a transfer goes to: head, handler, and the position named on the slip.
ROUTES = {
    "production": ("prodhead", "prodhandler", "生产经理"),
    MARKER_DEPARTMENT: ("woodhead", "carpenter", "车间主任"),
    "quality": ("qualityhead", "inspector", "质量经理"),
    "logistics": ("logisticshead", "driver", "物流经理"),
    "sales": ("saleshead", "sales", "销售经理"),
}

COMPANY_CUSTOMERS = [
    ("上海锦程家居有限公司", "上海", "陆经理"),
    ("杭州宜居装饰工程有限公司", "杭州", "方总"),
    ("南京金陵酒店管理有限公司", "南京", "采购部 许女士"),
    ("苏州新天地家具城", "苏州", "顾店长"),
    ("北京华美装饰设计有限公司", "北京", "白经理"),
    ("广州南粤家私贸易有限公司", "广州", "梁先生"),
    ("深圳鹏城办公设备有限公司", "深圳", "黄主管"),
    ("成都蓉城软装有限公司", "成都", "何经理"),
    ("武汉江城家居广场", "武汉", "熊店长"),
    ("西安古都宾馆", "西安", "后勤部 杜先生"),
    ("天津滨海公寓管理有限公司", "天津", "齐经理"),
    ("重庆山城家具批发市场", "重庆", "冉老板"),
    ("青岛海景度假酒店", "青岛", "采购部 于女士"),
    ("宁波甬江地产有限公司", "宁波", "林经理"),
    ("长沙湘江学校后勤处", "长沙", "彭老师"),
    ("郑州中原家居连锁", "郑州", "任经理"),
    ("合肥徽商办公家具有限公司", "合肥", "汪总"),
    ("厦门鹭岛民宿管理有限公司", "厦门", "庄女士"),
    ("昆明春城养老院", "昆明", "段院长"),
    ("无锡太湖装饰有限公司", "无锡", "华经理"),
    ("济南泉城家具商行", "济南", "孔老板"),
    ("沈阳北方家居有限公司", "沈阳", "关经理"),
    ("福州闽江酒店用品有限公司", "福州", "郑女士"),
    ("南昌赣江家私城", "南昌", "万店长"),
    ("大连星海公寓", "大连", "宫经理"),
]
PERSON_CUSTOMERS = [
    ("刘建华", "上海"),
    ("陈晓燕", "杭州"),
    ("张伟", "北京"),
    ("李娜", "南京"),
    ("王磊", "广州"),
    ("赵敏", "深圳"),
    ("孙丽", "成都"),
    ("周杰", "武汉"),
    ("吴芳", "苏州"),
    ("郑强", "天津"),
    ("冯雪", "重庆"),
    ("褚红", "青岛"),
    ("蒋文", "长沙"),
    ("沈静", "宁波"),
    ("韩冰", "西安"),
]
WALK_IN_NAMES = ["马先生", "高女士", "罗先生", "梁女士", "宋先生", "唐女士", "许先生", "邓女士"]

PRODUCTS = [
    ("SF-2301", "真皮三人沙发", "扶手"),
    ("SF-2302", "布艺转角沙发", "靠背"),
    ("BD-1801", "实木双人床（1.8米）", "床头板"),
    ("BD-1202", "儿童上下铺", "护栏"),
    ("WD-0602", "六门衣柜", "柜门"),
    ("TB-1406", "实木餐桌", "桌腿"),
    ("CH-0201", "实木餐椅", "椅腿"),
    ("DK-1200", "办公桌", "抽屉滑轨"),
    ("OC-0810", "人体工学办公椅", "气压棒"),
    ("TV-2000", "电视柜", "台面"),
    ("BS-0505", "五层书柜", "层板"),
    ("NS-0450", "床头柜", "抽屉"),
    ("MT-1820", "乳胶床垫", "床垫面料"),
    ("CT-1300", "岩板茶几", "岩板台面"),
    ("SH-0900", "翻斗鞋柜", "翻斗铰链"),
]

# What a complaint is about; the rule book's classes map onto these (see _kind_of).
QUALITY, APPEARANCE, SERVICE, GRIEVANCE, SUGGESTION = (
    "quality",
    "appearance",
    "service",
    "grievance",
    "suggestion",
)
KIND_WEIGHTS = {QUALITY: 35, APPEARANCE: 20, SERVICE: 20, GRIEVANCE: 15, SUGGESTION: 10}

DESCRIPTIONS = {
    QUALITY: [
        "{product}收货后{days}天，{part}出现开裂，客户要求上门维修或更换。",
        "{product}{part}松动，使用时有明显异响，客户担心安全。",
        "同一批次{qty}件{product}中有{defective}件{part}尺寸偏差，无法正常安装。",
        "{product}表面油漆起泡、掉漆，客户怀疑烘干工艺有问题。",
        "{product}使用不到一个月{part}断裂，存在安全隐患，客户情绪激动。",
        "{product}有刺鼻气味，客户担心甲醛超标，要求提供检测报告。",
        "{product}五金件生锈，{part}无法正常开合。",
        "{product}{part}出现明显变形，与样品质量差距较大。",
    ],
    APPEARANCE: [
        "{product}到货时外包装破损，{part}有明显划痕。",
        "运输途中{product}包装受潮，板材边缘起鼓。",
        "{product}颜色与门店样品不一致，客户要求换货。",
        "到货{qty}件，其中{defective}件包装内缺少配件（螺丝包、说明书）。",
        "{product}{part}有磕碰凹痕，送货师傅未当面验货。",
        "{product}包装标签与实物型号不符，客户无法核对订单。",
    ],
    SERVICE: [
        "送货师傅态度恶劣，搬运{product}时撞坏了门框，拒绝道歉。",
        "预约安装时间一再推迟，客户等了三天无人上门。",
        "销售人员承诺的赠品未兑现，多次联系无人回复。",
        "安装师傅装完{product}后未清理现场，遗留大量包装垃圾。",
        "售后热线长时间无人接听，客户表示非常不满。",
        "送货时未按约定送上楼，要求客户额外支付搬运费。",
    ],
    GRIEVANCE: [
        "客户抱怨送货时间比约定晚了两个小时。",
        "客户对促销活动规则不了解，认为{product}价格前后不一致。",
        "客户抱怨门店展示的{product}与实际到货款式略有差异。",
        "客户反映发票开具时间过长。",
        "客户抱怨电话转接次数太多，等待时间长。",
    ],
    SUGGESTION: [
        "客户建议增加{product}的颜色选择，尤其是浅灰色。",
        "客户建议安装预约支持微信小程序在线选择时间。",
        "客户建议说明书增加图示和安装视频二维码。",
        "客户建议{product}的{part}可以单独购买替换。",
        "客户建议门店提供旧家具回收服务。",
    ],
}
REMEDIES = [
    "更换同款新品",
    "上门维修",
    "退货退款",
    "赔偿部分损失",
    "提供检测报告",
    "尚未确定，客户仍在处理中",
    "书面道歉",
    "",
]
RESOLUTIONS = {
    QUALITY: [
        "经质量委员会认定，属我方生产工艺问题（责任比例：厂方80%，客户20%），三个工作日内上门更换{part}。",
        "确认为板材含水率偏高导致开裂，免费更换新品并赠送保养套装。",
        "经检测，甲醛释放量符合国家标准；向客户提供检测报告并做好解释。",
        "安排维修师傅上门加固{part}，维修费用由厂方承担。",
    ],
    APPEARANCE: [
        "按承运合同向物流公司索赔，我方先行为客户补发配件。",
        "安排换货，损坏件返厂，运费由我方承担。",
        "上门修补划痕，并给予客户订单金额5%的补偿。",
    ],
    SERVICE: [
        "对相关人员进行批评教育并扣罚当月绩效，向客户书面道歉。",
        "重新安排安装并赠送一次免费保养。",
        "退还客户额外支付的搬运费，并由部门负责人电话致歉。",
    ],
    GRIEVANCE: [
        "由销售代表向客户解释促销政策，并赠送小礼品表示歉意。",
        "已调整送货排班，避免再次延误。",
    ],
    SUGGESTION: [
        "建议已转销售部研究，新品开发时考虑采纳。",
        "感谢客户建议，已纳入下季度服务改进计划。",
    ],
}
ON_SPOT_ANSWERS = [
    "已向客户解释原因并致歉，客户表示理解。",
    "已说明促销政策，客户接受。",
    "感谢客户的建议，已记录并承诺反馈给相关部门。",
]
REPLIES = [
    "已电话告知客户处理方案，客户表示接受。",
    "已按客户要求安排换货，客户同意。",
    "已书面答复客户并附检测报告。",
    "已与客户当面沟通处理结果，客户基本认可。",
]
FOLLOW_UPS = [
    "回访客户，问题已解决，客户满意。",
    "回访时客户表示维修后使用正常。",
    "客户对处理速度仍有意见，但接受处理结果。",
    "回访客户，客户表示以后会继续合作。",
]
NOT_UPHELD = [
    "经现场查看，损坏系客户自行搬运造成，不属于质量问题。",
    "客户使用不当（长期暴晒受潮），不在保修范围。",
    "经核实，客户反映的情况与事实不符。",
]
WITHDRAWALS = [
    "客户来电表示问题已自行解决，撤回投诉。",
    "客户与销售代表协商一致，撤回投诉。",
    "客户表示暂不追究，撤回投诉。",
]
COMMENTS = ["请尽快处理，注意客户情绪。", "重要客户，请各部门配合。", "本月同类问题较多，请质量部关注。"]
LATE_REASONS = [
    "客户多次更改上门时间，处理超出时限。",
    "需等待质检报告，处理超出时限。",
    "配件需从厂家调货，处理超出时限。",
]
SECONDARY = [
    "客户对上次处理结果不满意，再次投诉：维修后问题复发，要求退货。",
    "承诺的换货至今未到，客户再次投诉。",
    "客户认为补偿金额过低，再次投诉。",
]

CHANNEL_WEIGHTS = {
    Channel.PHONE: 40,
    Channel.SALES: 15,
    Channel.EMAIL: 10,
    Channel.WEB: 10,
    Channel.LETTER: 8,
    Channel.IN_PERSON: 8,
    Channel.AUTHORITY: 4,
    Channel.API: 5,
}
SEVERITY_WEIGHTS = {"normal": 60, "urgent": 30, "extra_urgent": 10}

ANSWERED = "answered_on_spot"  # a target: closed at once by the desk
# Statuses a complaint ends the demo in (plus ANSWERED); each appears at least once.
TARGETS = [
    Status.REGISTERED,
    ANSWERED,
    Status.CLASSIFIED,
    Status.CLOSED,
    Status.INVESTIGATING,
    Status.TRANSFER_PROPOSED,
    Status.TRANSFER_APPROVED,
    Status.ACCEPTED,
    Status.RESOLUTION_PROPOSED,
    Status.RESOLUTION_APPROVED,
    Status.REPLIED,
    Status.FOLLOWED_UP,
    Status.NOT_UPHELD,
    Status.WITHDRAWN,
]
TARGET_WEIGHTS = {
    Status.REGISTERED: 4,
    ANSWERED: 7,
    Status.CLASSIFIED: 6,
    Status.TRANSFER_PROPOSED: 6,
    Status.TRANSFER_APPROVED: 5,
    Status.ACCEPTED: 5,
    Status.INVESTIGATING: 8,
    Status.RESOLUTION_PROPOSED: 6,
    Status.RESOLUTION_APPROVED: 3,
    Status.REPLIED: 6,
    Status.FOLLOWED_UP: 6,
    Status.CLOSED: 27,
    Status.NOT_UPHELD: 6,
    Status.WITHDRAWN: 4,
}
TERMINAL_TARGETS = {Status.CLOSED, ANSWERED, Status.NOT_UPHELD, Status.WITHDRAWN}


# ---------------------------------------------------------------------------------------------
# Entry points


def demo_loaded() -> bool:
    return Department.objects.filter(code=MARKER_DEPARTMENT, parent__code="production").exists()


def demo_logins() -> list[Login]:
    staff = Staff.objects.filter(user__username__in=[p[0] for p in PEOPLE]).select_related(
        "user", "department"
    )
    by_username = {s.user.username: s for s in staff.prefetch_related("role_assignments")}
    logins = []
    for username, *_rest in PEOPLE:
        person = by_username.get(username)
        if person is None:
            continue
        roles = ", ".join(
            str(Role(r).label) for r in sorted(person.roles, key=lambda r: list(Role.values).index(r))
        )
        logins.append(
            Login(username, person.display_name, person.department.name, roles, person.user.is_superuser)
        )
    return logins


def load_demo(*, complaints: int = 300, seed: int = 2010, now: datetime | None = None) -> DemoResult:
    """Load the demo company into an empty database, or reuse it if it is already there.

    All or nothing: one transaction, so an interrupted load leaves an empty database to retry."""
    if demo_loaded():
        return DemoResult(created=False, complaints=Complaint.objects.count(), logins=demo_logins())
    taken = get_user_model().objects.filter(username__in=[p[0] for p in PEOPLE]).exists()
    if taken or Staff.objects.exists() or Complaint.objects.exists():
        raise DemoConflict(
            "This database already holds a company; the demo loads only into an empty one. "
            "Point KESU_DATA_DIR or KESU_DATABASE_URL at another database."
        )
    import time_machine  # a dev dependency, installed by `make demo` from requirements.lock

    now = now or timezone.now()
    with transaction.atomic():
        ensure_rule_book(settings.KESU_PRESET)
        builder = _Builder(random.Random(seed), now)
        builder.company()
        builder.plan(complaints)
        # History is played in process: its hand-overs are written as each step happens (at that
        # step's time) rather than queued by the thousand for the worker.
        with time_machine.travel(now, tick=False) as traveller, handover.delivered_in_process():
            builder.run(traveller.move_to)
        # The months of history just played are in everyone's notification centre, but are not
        # e-mailed all at once on commit: the demo's e-mails are those its visitors cause.
        Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=F("created_at"))
    analyze(connection)  # the query planner's statistics for the rows just loaded (SQLite)
    return DemoResult(created=True, complaints=Complaint.objects.count(), logins=demo_logins())


# ---------------------------------------------------------------------------------------------
# The builder


def _kind_of(category: Category) -> str:
    """The kind of matter a class is about, whatever the rule book calls it."""
    code = category.code
    for needle, kind in [
        ("grievance", GRIEVANCE),
        ("suggestion", SUGGESTION),
        ("appearance", APPEARANCE),
        ("packaging", APPEARANCE),
        ("documents", APPEARANCE),
        ("delivery", APPEARANCE),
        ("service", SERVICE),
    ]:
        if needle in code:
            return kind
    return QUALITY


Step = Callable[[Complaint | None, datetime], Complaint]


@dataclass
class _Plan:
    """One complaint's story: its steps, each with the hours after the previous step (min, max)
    and the function that takes it, and after scheduling the time of each step."""

    slot: int
    category: Category | None = None
    accused: Staff | None = None
    steps: list[tuple[tuple[float, float], Step]] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    reply_index: int | None = None  # the reply to the customer: a secondary complaint may follow

    @property
    def reply_at(self) -> datetime | None:
        return None if self.reply_index is None else self.times[self.reply_index]


class _Builder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.slots: dict[int, Complaint] = {}
        self.procedures: dict[int | None, Rules] = {}
        self.plans: list[_Plan] = []

    # The company -----------------------------------------------------------------------------

    def company(self) -> None:
        departments: dict[str, Department] = {}
        for code, name, parent, is_cs in DEPARTMENTS:
            departments[code] = Department.objects.create(
                code=code, name=name, parent=departments.get(parent or ""), is_customer_service=is_cs
            )
        positions: dict[tuple[str, str], Position] = {}
        # One hash for the shared demo password: hashing it once per person would take seconds.
        password = make_password(DEMO_PASSWORD)
        people: dict[str, Staff] = {}
        User = get_user_model()
        for username, name, department, position_name, roles in PEOPLE:
            key = (department, position_name)
            if key not in positions:
                positions[key] = Position.objects.create(
                    name=position_name, department=departments[department]
                )
            superuser = username == SUPERUSER
            user = User.objects.create(
                username=username,
                password=password,
                first_name=name,
                email=f"{username}@demo.kesu.invalid",
                is_staff=superuser,
                is_superuser=superuser,
            )
            people[username] = Staff.objects.create(
                user=user,
                display_name=name,
                department=departments[department],
                position=positions[key],
                phone=f"0571-8800{len(people):04d}",
            )
            RoleAssignment.objects.bulk_create(
                [RoleAssignment(staff=people[username], role=r) for r in roles]
            )
        # DOMAIN §1: the CS director names a deputy.
        people["director"].deputy = people["clerk"]
        people["director"].save(update_fields=["deputy"])
        self.departments, self.positions, self.people = departments, positions, people

        self.customers = [
            Customer.objects.create(
                code=f"C{i + 1:04d}",
                name=name,
                kind=Customer.Kind.COMPANY,
                contact_name=contact,
                phone=self._phone(),
                address=f"{region}市{self.rng.choice(['中山路', '人民路', '解放路', '建设路'])}{self.rng.randint(1, 399)}号",
                region=region,
            )
            for i, (name, region, contact) in enumerate(COMPANY_CUSTOMERS)
        ]
        self.customers += [
            Customer.objects.create(
                code=f"C{len(COMPANY_CUSTOMERS) + i + 1:04d}",
                name=name,
                kind=Customer.Kind.PERSON,
                contact_name=name,
                phone=self._phone(),
                address=f"{region}市{self.rng.choice(['阳光小区', '锦绣花园', '滨江苑', '翠湖天地'])}{self.rng.randint(1, 30)}栋",
                region=region,
            )
            for i, (name, region) in enumerate(PERSON_CUSTOMERS)
        ]
        # Every demo customer has its numbered archive (客户档案, issue 11).
        for customer in self.customers:
            archive_for(customer, by=people["clerk"])
        self.products = [
            (Product.objects.create(model_code=code, name=name), part) for code, name, part in PRODUCTS
        ]
        self.severities = {s.code: s for s in Severity.objects.all()}
        categories = list(
            Category.objects.filter(is_active=True, children__isnull=True).order_by("sort_order")
        )
        self.categories = categories
        weights = {kind: sum(1 for c in categories if _kind_of(c) == kind) for kind in KIND_WEIGHTS}
        self.category_weights = [KIND_WEIGHTS[_kind_of(c)] / weights[_kind_of(c)] for c in categories]

    def _phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 999999999):09d}"

    def _pick(self, weights: dict) -> object:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _desk(self) -> Staff:
        return self.people[self.rng.choice(["clerk", "clerk", "clerk2", "director"])]

    # Planning ---------------------------------------------------------------------------------

    def plan(self, count: int) -> None:
        secondaries = count // 30 if count >= 10 else 0
        primaries = count - secondaries
        targets = (TARGETS + [self._pick(TARGET_WEIGHTS) for _ in range(primaries)])[:primaries]
        uncovered = list(self.categories)
        for slot, wanted in enumerate(targets):
            target = self._feasible(str(wanted))
            category = None if target == Status.REGISTERED else self._category_for(str(target), uncovered)
            self.plans.append(self._plan_primary(slot, str(target), category))
        # Secondary complaints (二次投诉): a customer comes back about a complaint already replied to.
        candidates = [p for p in self.plans if p.reply_at is not None]
        while len(self.plans) < count and candidates:
            parent = candidates.pop(self.rng.randrange(len(candidates)))
            plan = self._plan_secondary(len(self.plans), parent)
            if plan is not None:
                self.plans.append(plan)
        while len(self.plans) < count:  # too few to come back about: more first complaints
            target = self._feasible(str(self._pick(TARGET_WEIGHTS)))
            category = None if target == Status.REGISTERED else self._category_for(target, [])
            self.plans.append(self._plan_primary(len(self.plans), target, category))

    def _feasible(self, target: str) -> str:
        """``target``, or the status before it when no class's procedure has its step (PCB: no
        transfer approval, no follow-up visit)."""
        step, instead = {
            ANSWERED: ("answer_on_spot", Status.CLOSED),
            Status.TRANSFER_PROPOSED: ("approve_transfer", Status.TRANSFER_APPROVED),
            Status.FOLLOWED_UP: ("record_follow_up", Status.REPLIED),
            Status.RESOLUTION_APPROVED: ("approve_resolution", Status.RESOLUTION_PROPOSED),
        }.get(target, (None, target))
        if step is None or any(self._rules(c).lists(step) for c in self.categories):
            return target
        return str(instead)

    def _category_for(self, target: str, uncovered: list[Category]) -> Category:
        def fits(c: Category) -> bool:
            rules = self._rules(c)
            if target == ANSWERED:
                return rules.lists("answer_on_spot")
            if target == Status.TRANSFER_PROPOSED:
                return rules.requires("approve_transfer")
            if target == Status.FOLLOWED_UP:
                return rules.lists("record_follow_up")
            if target == Status.RESOLUTION_APPROVED:
                return rules.lists("approve_resolution")
            return True

        for category in uncovered:  # every class appears at least once
            if fits(category):
                uncovered.remove(category)
                return category
        while True:
            category = self.rng.choices(self.categories, weights=self.category_weights)[0]
            if fits(category):
                return category

    def _age(self, target: str, steps: int) -> timedelta:
        """How long ago the complaint came in: closed ones any time in the last four months; open
        ones mostly recent, but some long open ("overdue": old and still not settled)."""
        if target in TERMINAL_TARGETS:
            days = self.rng.uniform(3, 120)
        elif self.rng.random() < 0.3:
            days = self.rng.uniform(20, 120)
        else:
            days = self.rng.uniform(0.05, 15)
        return timedelta(days=min(120, max(days, 0.4 * steps)))

    def _intake(self, kind: str, category: Category | None, received_at: datetime) -> services.Intake:
        rng = self.rng
        product, part = rng.choice(self.products)
        customer = rng.choice(self.customers) if rng.random() < 0.85 else None
        company = customer is not None and customer.kind == Customer.Kind.COMPANY
        quantity = rng.randint(10, 200) if company else rng.randint(1, 4)
        defective = rng.randint(1, max(1, quantity // 5))
        shipped = (received_at - timedelta(days=rng.randint(5, 60))).date()
        description = rng.choice(DESCRIPTIONS[kind]).format(
            product=product.name, part=part, qty=quantity, defective=defective, days=rng.randint(2, 60)
        )
        return services.Intake(
            channel=str(self._pick(CHANNEL_WEIGHTS)),
            received_at=received_at,
            complainant_name=(customer.contact_name if customer else rng.choice(WALK_IN_NAMES)),
            complainant_phone=customer.phone if customer else self._phone(),
            complainant_address=customer.address if customer else "",
            customer=customer,
            product=product if kind != SERVICE or rng.random() < 0.5 else None,
            product_model=product.model_code,
            batch_number=f"B{shipped:%y%m}-{rng.randint(1, 40):02d}",
            order_number=f"SO{shipped:%Y%m%d}{rng.randint(1, 999):03d}",
            shipped_on=shipped,
            arrived_on=shipped + timedelta(days=rng.randint(1, 4)),
            quantity=quantity,
            defective_quantity=defective,
            description=description,
            requested_remedy=rng.choice(REMEDIES),
            category=category,
            severity=self.severities.get(str(self._pick(SEVERITY_WEIGHTS))),
        )

    def _route(self, kind: str, accused: Staff | None) -> str:
        if accused is not None:
            return accused.department.code  # the head of the accused person's system handles it
        if kind == QUALITY:
            return str(self._pick({"production": 50, MARKER_DEPARTMENT: 25, "quality": 25}))
        if kind == APPEARANCE:
            return "logistics"
        return "sales"

    def _plan_primary(self, slot: int, target: str, category: Category | None) -> _Plan:
        rng = self.rng
        kind = _kind_of(category) if category else rng.choice([QUALITY, APPEARANCE, SERVICE])
        accused = (
            self.people[rng.choice(["sales", "driver"])] if kind == SERVICE and rng.random() < 0.5 else None
        )
        plan = _Plan(slot=slot, category=category, accused=accused)
        classify_later = category is not None and rng.random() < 0.4
        desk, intake = self._desk(), {}

        def register(_c: Complaint | None, at: datetime) -> Complaint:
            accused_staff = [accused] if accused else []
            return services.register_complaint(
                by=desk, intake=intake["intake"], accused_staff=accused_staff, now=at
            )

        plan.steps.append(((0, 0), register))
        if category is not None and classify_later:
            plan.steps.append(((0.2, 4), self._classify(category)))
        self._lifecycle(plan, target, kind)
        received_at = self.now - self._age(target, len(plan.steps))
        intake["intake"] = self._intake(kind, None if classify_later else category, received_at)
        self._schedule(plan, received_at + timedelta(minutes=rng.uniform(5, 480)))
        return plan

    def _plan_secondary(self, slot: int, parent: _Plan) -> _Plan | None:
        assert parent.reply_at is not None
        earliest, latest = parent.reply_at + timedelta(days=1), self.now - timedelta(hours=2)
        if earliest >= latest:
            return None
        start = earliest + (latest - earliest) * self.rng.random()
        desk, text = self._desk(), self.rng.choice(SECONDARY)

        def file(_c: Complaint | None, at: datetime) -> Complaint:
            return services.file_secondary_complaint(
                complaint=self.slots[parent.slot],
                by=desk,
                description=text,
                received_at=at - timedelta(minutes=30),
                channel=Channel.PHONE,
            )

        # The secondary complaint keeps the first one's class and the people complained about.
        plan = _Plan(slot=slot, category=parent.category, accused=parent.accused)
        plan.steps.append(((0, 0), file))
        if parent.category is not None:
            target = self._pick({Status.CLASSIFIED: 1, Status.TRANSFER_APPROVED: 1, Status.INVESTIGATING: 1})
            self._lifecycle(plan, str(target), _kind_of(parent.category), secondary=True)
        self._schedule(plan, start)
        return plan

    def _schedule(self, plan: _Plan, start: datetime) -> None:
        """Give each step a time: natural gaps, squeezed if they would run past now."""
        gaps = [timedelta(hours=self.rng.uniform(*span)) for span, _step in plan.steps]
        room = max(self.now - timedelta(minutes=30) - start, timedelta())
        total = sum(gaps, timedelta())
        if total > room:
            gaps = [gap * (room / total) for gap in gaps]
        at = start
        for gap in gaps:
            at += gap
            plan.times.append(at)

    # The lifecycle, step by step ----------------------------------------------------------------

    def _lifecycle(self, plan: _Plan, target: str, kind: str, *, secondary: bool = False) -> None:
        """Append the steps that take a complaint from intake to ``target``, with some detours
        (a rejected or declined transfer, rework, a reopening, comments, a correction)."""
        rng, add = self.rng, plan.steps.append
        if target == Status.REGISTERED:
            if rng.random() < 0.3:
                add(((1, 48), self._comment()))
            return
        if rng.random() < 0.08:
            add(((0.5, 24), self._correct()))
        if target == ANSWERED:
            add(((0.1, 2), self._simple("answer_on_spot", "desk", reply=rng.choice(ON_SPOT_ANSWERS))))
            return
        if target == Status.WITHDRAWN:
            stop = rng.choice([Status.CLASSIFIED, Status.TRANSFER_PROPOSED, Status.INVESTIGATING])
            if stop == Status.TRANSFER_PROPOSED and not self._needs_approval(plan):
                stop = Status.CLASSIFIED
            self._main_path(plan, stop, kind, detours=False)
            add(((2, 96), self._simple("withdraw", "desk", comment=rng.choice(WITHDRAWALS))))
            return
        if target == Status.NOT_UPHELD:
            stop = rng.choice([Status.CLASSIFIED, Status.ACCEPTED, Status.INVESTIGATING])
            department = self._main_path(plan, stop, kind, detours=False)
            who = "director" if stop == Status.CLASSIFIED else ROUTES[department][0]
            add(((4, 72), self._simple("mark_not_upheld", who, comment=rng.choice(NOT_UPHELD))))
            return
        self._main_path(plan, target, kind, detours=not secondary)
        if rng.random() < 0.12:
            add(((1, 48), self._comment()))

    def _rules(self, category: Category | None) -> Rules:
        """The class's procedure (kesu.complaints.procedures), read once per class."""
        key = category.pk if category else None
        if key not in self.procedures:
            self.procedures[key] = rules_for_class(key)
        return self.procedures[key]

    def _needs_approval(self, plan: _Plan) -> bool:
        return self._rules(plan.category).requires("approve_transfer")

    def _answer(self, plan: _Plan, target: str = Status.CLOSED) -> bool:
        """The decision approved where the procedure requires it (or where the demo wants a
        complaint to end there), then the reply. False: the complaint stops before the reply."""
        rules = self._rules(plan.category)
        if rules.requires("approve_resolution") or target == Status.RESOLUTION_APPROVED:
            approver = "gm" if plan.accused is None or plan.accused.user.username != "gm" else "vp"
            plan.steps.append(((1, 24), self._approve(approver)))
        if target == Status.RESOLUTION_APPROVED:
            return False
        plan.reply_index = len(plan.steps)
        plan.steps.append(((1, 24), self._reply()))
        return True

    def _main_path(self, plan: _Plan, target: str, kind: str, *, detours: bool) -> str:
        """The main path (classified → … → closed) up to ``target``; returns the department."""
        rng, add = self.rng, plan.steps.append
        department = self._route(kind, plan.accused)
        if target == Status.CLASSIFIED:
            return department
        needs_approval = self._needs_approval(plan)
        detour = rng.random() if detours and needs_approval else 1.0
        if detour < 0.06:
            # The GM sends a transfer to the wrong department back (驳回).
            add(((0.5, 24), self._propose(self._wrong(department), kind)))
            add(
                (
                    (1, 24),
                    self._simple("reject_transfer", "gm", comment="责任部门不准确，请重新确定后再转交。"),
                )
            )
        elif detour < 0.12:
            # The wrong department declines it (退回): not theirs.
            wrong = self._wrong(department)
            add(((0.5, 24), self._propose(wrong, kind)))
            add(((1, 24), self._simple("approve_transfer", "gm")))
            add(
                (
                    (1, 24),
                    self._simple(
                        "decline_transfer", ROUTES[wrong][0], comment="经核查不属于本部门责任，请重新分派。"
                    ),
                )
            )
        add(((0.5, 24), self._propose(department, kind)))
        if target == Status.TRANSFER_PROPOSED:
            return department
        if needs_approval:
            add(((1, 24), self._simple("approve_transfer", "gm", comment=rng.choice(["同意转交。", ""]))))
        if target == Status.TRANSFER_APPROVED:
            return department
        head, handler, _position = ROUTES[department]
        if plan.accused is not None and plan.accused.user.username == handler:
            handler = head  # the person complained about may not handle it (回避)
        add(((0.5, 24), self._accept(head, handler)))
        if target == Status.ACCEPTED:
            return department
        add(((0.5, 24), self._simple("start_investigation", handler)))
        if target == Status.INVESTIGATING:
            return department
        add(((12, 120), self._resolve(handler, kind)))
        if detours and rng.random() < 0.1:
            add(
                (
                    (2, 48),
                    self._simple("return_for_rework", "director", comment="处理意见未说明责任比例，请补充。"),
                )
            )
            add(((12, 72), self._resolve(handler, kind)))
        if target == Status.RESOLUTION_PROPOSED:
            return department
        if not self._answer(plan, target):
            return department
        if target == Status.REPLIED:
            return department
        follow_up = self._rules(plan.category).lists("record_follow_up")
        if follow_up:
            add(((24, 168), self._follow_up()))
        if target == Status.FOLLOWED_UP:
            return department
        add(((1, 48), self._simple("close", "desk")))
        if detours and rng.random() < 0.06:
            # The problem came back: the director reopens it and the department handles it again.
            plan.reply_index = None  # no secondary complaint on one that was reopened
            add(((72, 240), self._simple("reopen", "director", comment="客户来电反映问题复发，重新处理。")))
            add(((12, 72), self._resolve(handler, kind)))
            self._answer(plan)
            plan.reply_index = None
            if follow_up:
                add(((24, 120), self._follow_up()))
            add(((1, 48), self._simple("close", "desk")))
        return department

    def _wrong(self, department: str) -> str:
        return "quality" if department != "quality" else "production"

    # Step functions ----------------------------------------------------------------------------

    def _actor(self, who: str) -> Staff:
        return self._desk() if who == "desk" else self.people[who]

    def _simple(self, action: str, who: str, **kwargs: object) -> Step:
        function = {
            "answer_on_spot": services.answer_on_spot,
            "reject_transfer": services.reject_transfer,
            "decline_transfer": services.decline_transfer,
            "approve_transfer": services.approve_transfer,
            "approve_resolution": services.approve_resolution,
            "start_investigation": services.start_investigation,
            "return_for_rework": services.return_for_rework,
            "close": services.close_complaint,
            "mark_not_upheld": services.mark_not_upheld,
            "withdraw": services.withdraw_complaint,
            "reopen": services.reopen_complaint,
        }[action]
        actor = self._actor(who)
        late_reason = self.rng.choice(LATE_REASONS)

        def step(c: Complaint | None, _at: datetime) -> Complaint:
            try:
                return function(complaint=c, by=actor, **kwargs)
            except ValidationError as exc:
                # An action on a complaint that missed a time limit may need the reason it was
                # late (洽办); the service says so, and the demo gives one.
                if set(getattr(exc, "error_dict", {})) != {"late_reason"}:
                    raise
                return function(complaint=c, by=actor, late_reason=late_reason, **kwargs)

        return step

    def _approve(self, who: str) -> Step:
        """The approve step: by hand, or — where the rule book approves the decision by amount
        (kesu.decisions.wiring) — the department's handling decision, approved by whoever its
        amount names (the example thresholds: any of the three PCB levels may come up)."""
        by_hand = self._simple("approve_resolution", who)
        compensation = Decimal(self.rng.choice(["0", "800", "3000", "12000", "60000"]))

        def step(c: Complaint | None, at: datetime) -> Complaint:
            assert c is not None
            if not decided_by_amount(c):
                return by_hand(c, at)
            proposer = c.handler
            if proposer is None or proposing_capacity(complaint=c, staff=proposer) is None:
                proposer = self.people["director"]
            cause = Cause.objects.filter(is_active=True).order_by("pk").first()
            remedy = RemedyKind.objects.filter(is_active=True).order_by("pk").first()
            assert cause is not None and remedy is not None and c.handling_department is not None
            version = propose_decision(
                complaint=c,
                by=proposer,
                cause=cause.code,
                shares=[ShareIn(party="department", department=c.handling_department.code, share="100")],
                remedies=[RemedyIn(kind=remedy.code)],
                money=MoneyIn(compensation=compensation),
            )
            assert version.approval is not None
            decide_approval(approval=version.approval, by=approvers_now(version.approval)[0], approve=True)
            return Complaint.objects.get(pk=c.pk)

        return step

    def _classify(self, category: Category) -> Step:
        actor = self._desk()
        return lambda c, _at: services.classify_complaint(complaint=c, by=actor, category=category)

    def _propose(self, department: str, kind: str) -> Step:
        actor = self._desk()
        to = self.departments[department]
        position = self.positions[(department, ROUTES[department][2])]
        reason = {
            QUALITY: "产品质量问题，请责任部门调查处理。",
            APPEARANCE: "运输包装问题，请物流部按承运合同处理。",
            SERVICE: "服务质量问题，请责任人所在系统负责人处理。",
            GRIEVANCE: "涉及销售政策，请销售部协助处理。",
            SUGGESTION: "有价值的建议，转销售部研究。",
        }[kind]
        return lambda c, _at: services.propose_transfer(
            complaint=c, by=actor, to_department=to, to_position=position, reason=reason
        )

    def _accept(self, head: str, handler: str) -> Step:
        by, who = self.people[head], self.people[handler]
        return lambda c, _at: services.accept_transfer(complaint=c, by=by, handler=who, comment="已签收。")

    def _resolve(self, handler: str, kind: str) -> Step:
        actor = self.people[handler]
        _product, part = self.rng.choice(self.products)
        text = self.rng.choice(RESOLUTIONS[kind]).format(part=part)
        return lambda c, _at: services.propose_resolution(complaint=c, by=actor, resolution=text)

    def _reply(self) -> Step:
        actor, text = self._desk(), self.rng.choice(REPLIES)
        satisfaction = str(
            self._pick(
                {
                    Satisfaction.VERY_SATISFIED: 2,
                    Satisfaction.SATISFIED: 5,
                    Satisfaction.NEUTRAL: 2,
                    Satisfaction.UNSATISFIED: 1,
                }
            )
        )
        return lambda c, _at: services.reply_to_customer(
            complaint=c, by=actor, reply=text, channel=Channel.PHONE, satisfaction=satisfaction
        )

    def _follow_up(self) -> Step:
        actor, text = self._desk(), self.rng.choice(FOLLOW_UPS)
        satisfaction = str(
            self._pick(
                {
                    Satisfaction.VERY_SATISFIED: 3,
                    Satisfaction.SATISFIED: 5,
                    Satisfaction.NEUTRAL: 1,
                    Satisfaction.VERY_UNSATISFIED: 1,
                }
            )
        )

        def visit(c: Complaint, at: datetime) -> Complaint:
            if clock_actions.delivery_awaited(c):  # quality: visited after the delivery (seed 000 4.4)
                delivered = max(c.received_at, at - timedelta(days=1))
                c = clock_actions.record_delivery(complaint=c, by=actor, delivered_at=delivered)
            return services.record_follow_up(complaint=c, by=actor, comment=text, satisfaction=satisfaction)

        return visit

    def _comment(self) -> Step:
        actor, text = self.people[self.rng.choice(["vp", "gm"])], self.rng.choice(COMMENTS)
        return lambda c, _at: services.add_comment(complaint=c, by=actor, comment=text)

    def _correct(self) -> Step:
        actor, phone = self._desk(), self._phone()
        return lambda c, _at: services.correct_complaint(
            complaint=c, by=actor, changes={"complainant_phone": phone}, reason="客户来电更正联系电话。"
        )

    # Running ---------------------------------------------------------------------------------

    def run(self, move_to: Callable[[datetime], None]) -> None:
        """Play every step of every complaint in time order, with the clock at each step's time."""
        timeline = sorted(
            (at, plan.slot, index, step)
            for plan in self.plans
            for index, ((_span, step), at) in enumerate(zip(plan.steps, plan.times, strict=True))
        )
        for at, slot, _index, step in timeline:
            move_to(at)
            self.slots[slot] = step(self.slots.get(slot), at)
