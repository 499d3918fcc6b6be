"""Demo data: the two recorded seed cases (Hangzhou – Ali Health, Hengyang), a dozen invented licenses with
invented products and prices, and the 2024 National Audit Office findings.

Recorded cases keep their real dates on their events (`occurred_on`) and cite their sources; where a fact
is not known (the day in October, Ali Health's USCC) the data says so instead of inventing it. Invented
rows are marked `origin=demo`, with fictional operator names ("示例", example) and checksum-valid codes.
Invented dates are relative to the day of loading, so that some licenses are always about to expire.

The products are invented (marked demo) and chosen so that every kind of compliance flag shows at least
once, and so are the invented licenses' annual disclosures, all made but one; the findings are those the National Audit Office published in July 2024 and total 248.38 million
yuan.

Loading is idempotent: a license that exists (same origin and title) is left as it is, and so are a
product (same license and name) and a finding (same issuer, entity and day).
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db import transaction

from . import calls, disclosures, findings, lifecycle, products, registrations
from .choices import (
    AuthorityKind,
    AuthorizationMode,
    ChargingUnit,
    DataDomain,
    DutyState,
    LicenseAction,
    LicenseParty,
    OperatorKind,
    ProductClass,
    RecordOrigin,
    SelectionMethod,
)
from .dates import local_today
from .identifiers import uscc_check_character
from .models import Authority, Call, Finding, License, Operator, Product, Registration

D = datetime.timedelta


def _uscc(body: str) -> str:
    return body + uscc_check_character(body)


@dataclasses.dataclass(frozen=True)
class AuthoritySpec:
    key: str
    name: str
    name_en: str
    division_code: str
    kind: str
    origin: str = RecordOrigin.RECORDED


AUTHORITIES = [
    AuthoritySpec(
        "nda", "国家数据局", "National Data Administration", "100000", AuthorityKind.DATA_AUTHORITY
    ),
    AuthoritySpec(
        "cma", "中国气象局", "China Meteorological Administration", "100000", AuthorityKind.DEPARTMENT
    ),
    AuthoritySpec(
        "zhejiang", "浙江省数据局", "Zhejiang Provincial Data Bureau", "330000", AuthorityKind.DATA_AUTHORITY
    ),
    AuthoritySpec(
        "hangzhou",
        "杭州市数据资源管理局",
        "Hangzhou Data Resources Administration",
        "330100",
        AuthorityKind.DATA_AUTHORITY,
    ),
    AuthoritySpec(
        "xihu",
        "杭州市西湖区数据资源管理局（示例）",
        "Xihu District Data Office, Hangzhou (example)",
        "330106",
        AuthorityKind.DATA_AUTHORITY,
        RecordOrigin.DEMO,
    ),
    AuthoritySpec(
        "hunan", "湖南省数据局", "Hunan Provincial Data Bureau", "430000", AuthorityKind.DATA_AUTHORITY
    ),
    AuthoritySpec(
        "hengyang",
        "衡阳市行政审批服务局",
        "Hengyang Administrative Approval Service Bureau",
        "430400",
        AuthorityKind.DEPARTMENT,
    ),
    AuthoritySpec(
        "shenzhen",
        "深圳市政务服务和数据管理局",
        "Shenzhen Government Services and Data Administration",
        "440300",
        AuthorityKind.DATA_AUTHORITY,
    ),
    AuthoritySpec("chengdu", "成都市数据局", "Chengdu Data Bureau", "510100", AuthorityKind.DATA_AUTHORITY),
    # The co-grantors of the invented joint call (demo_call).
    AuthoritySpec(
        "jiangsu",
        "江苏省数据局（示例）",
        "Jiangsu Provincial Data Bureau (example)",
        "320000",
        AuthorityKind.DATA_AUTHORITY,
        RecordOrigin.DEMO,
    ),
    AuthoritySpec(
        "anhui",
        "安徽省数据局（示例）",
        "Anhui Provincial Data Bureau (example)",
        "340000",
        AuthorityKind.DATA_AUTHORITY,
        RecordOrigin.DEMO,
    ),
    # The departments of the 2024 National Audit Office findings (report on 2023, published July 2024).
    AuthoritySpec("mot", "交通运输部", "Ministry of Transport", "100000", AuthorityKind.DEPARTMENT),
    AuthoritySpec("moe", "教育部", "Ministry of Education", "100000", AuthorityKind.DEPARTMENT),
    AuthoritySpec(
        "miit",
        "工业和信息化部",
        "Ministry of Industry and Information Technology",
        "100000",
        AuthorityKind.DEPARTMENT,
    ),
    AuthoritySpec(
        "samr",
        "国家市场监督管理总局",
        "State Administration for Market Regulation",
        "100000",
        AuthorityKind.DEPARTMENT,
    ),
]


@dataclasses.dataclass(frozen=True)
class OperatorSpec:
    key: str
    name: str
    name_en: str
    uscc: str = ""
    uscc_note: str = ""
    aliases: str = ""
    kind: str = OperatorKind.PRIVATE
    contact_emails: str = ""
    origin: str = RecordOrigin.DEMO


OPERATORS = [
    OperatorSpec(
        "alihealth",
        "阿里健康",
        "Ali Health",
        aliases="Alibaba Health\n阿里巴巴健康",
        uscc_note="此处记录的资料来源未公布其代码；本系统不虚构代码。"
        "Not published in the sources recorded here; the registry does not invent a code.",
        origin=RecordOrigin.RECORDED,
    ),
    OperatorSpec(
        "zhijiang",
        "之江示例数据科技有限公司",
        "Zhijiang Example Data Technology Co., Ltd.",
        uscc=_uscc("91330100MA2DEMA01"),
        kind=OperatorKind.STATE_OWNED,
        contact_emails="licensing@zhijiang-example.test",
    ),
    OperatorSpec(
        "xiangjiang",
        "湘江示例数智运营有限公司",
        "Xiangjiang Example Digital Operations Co., Ltd.",
        uscc=_uscc("91430400MA4DEMB02"),
        kind=OperatorKind.STATE_OWNED,
        contact_emails="ops@xiangjiang-example.test",
    ),
    OperatorSpec(
        "pengcheng",
        "鹏城示例数据服务有限公司",
        "Pengcheng Example Data Services Co., Ltd.",
        uscc=_uscc("91440300MA5DEMC03"),
        contact_emails="compliance@pengcheng-example.test",
    ),
    OperatorSpec(
        "tianfu",
        "天府示例信用信息有限公司",
        "Tianfu Example Credit Information Co., Ltd.",
        uscc=_uscc("91510100MA6DEMD04"),
        contact_emails="data@tianfu-example.test",
    ),
    OperatorSpec(
        "skyline",
        "示例气象数据服务有限公司",
        "Example Meteorological Data Services Co., Ltd.",
        uscc=_uscc("91110000MA0DEME05"),
        kind=OperatorKind.JOINT_VENTURE,
        contact_emails="licence@met-example.test",
    ),
    # The three operators proposed in the invented joint call (demo_call).
    OperatorSpec(
        "qiantang",
        "钱塘示例交通数据有限公司",
        "Qiantang Example Traffic Data Co., Ltd.",
        uscc=_uscc("91330000MA2DEMF06"),
        kind=OperatorKind.STATE_OWNED,
    ),
    OperatorSpec(
        "jinling",
        "金陵示例出行科技有限公司",
        "Jinling Example Mobility Technology Co., Ltd.",
        uscc=_uscc("91320000MA1DEMG07"),
    ),
    OperatorSpec(
        "huishan",
        "徽山示例数据服务有限公司",
        "Huishan Example Data Services Co., Ltd.",
        uscc=_uscc("91340000MA2DEMH08"),
    ),
    # An operator whose code the (invented) sources do not publish, and whose kind they do not say.
    OperatorSpec(
        "jinjiang",
        "锦江示例城市数据运营有限公司",
        "Jinjiang Example City Data Operations Co., Ltd.",
        uscc_note="Invented for the demo: the sources of this example do not publish its code.",
        kind=OperatorKind.UNKNOWN,
        contact_emails="ops@jinjiang-example.test",
    ),
]


@dataclasses.dataclass(frozen=True)
class Step:
    """A lifecycle step of a demo license, on a day given as an offset from its term start, or absolute."""

    action: str
    on: datetime.date
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class LicenseSpec:
    title: str
    grantor: str
    domains: tuple[str, ...]
    scope: str
    created_on: datetime.date
    steps: tuple[Step, ...] = ()
    operator: str | None = None
    # (start, end); an end of None: not published.
    term: tuple[datetime.date, datetime.date | None] | None = None
    mode: str = AuthorizationMode.BY_DOMAIN
    selection: str = SelectionMethod.OPEN_TENDER
    origin: str = RecordOrigin.DEMO
    legal_basis: str = ""
    sources: str = ""
    remarks: str = ""
    consideration: Decimal | None = None
    consideration_note: str = ""
    term_approximate: bool = False
    renew_to: tuple[datetime.date, datetime.date, datetime.date] | None = None  # (renewed on, start, end)


DEMO_REMARK = "示例数据，并非真实的授权许可。Invented for the demo: not a real license."


def recorded_cases() -> list[LicenseSpec]:
    """The two recorded cases, with their real dates (sources in their `source_urls`)."""
    return [
        LicenseSpec(
            title="杭州市公共数据授权运营（医疗健康领域）",
            grantor="hangzhou",
            operator="alihealth",
            domains=(DataDomain.HEALTH,),
            scope="杭州市公共卫生健康数据的授权运营，运营权期限两年。Operation of Hangzhou's public health data under "
            "a two-year operating right.",
            mode=AuthorizationMode.BY_DOMAIN,
            selection=SelectionMethod.OTHER,
            created_on=datetime.date(2023, 9, 28),
            term=(datetime.date(2023, 10, 1), datetime.date(2025, 9, 30)),
            term_approximate=True,
            steps=(Step(LicenseAction.GRANT, datetime.date(2023, 10, 1)),),
            origin=RecordOrigin.RECORDED,
            legal_basis="《杭州市公共数据授权运营实施方案（试行）》（2023-09-01）；"
            "《浙江省公共数据授权运营管理办法（试行）》浙政办发〔2023〕44号",
            sources="http://xx.kjxq.cn/toutiao/51286.html\nhttp://echinagov.com/policy/346519.htm",
            remarks="杭州市数据资源管理局于2023年9月28日就金融、医疗健康和交通出行领域公开征集首批授权运营单位；"
            "2023年10月授予阿里健康两年期公共卫生健康数据运营权（财新，2024年7月16日）。10月的具体日期未公布，"
            "以2023年10月1日为起始日，日期为约数。"
            "Hangzhou's Data Resources Administration called for its first authorized operators in "
            "finance, health and transport on 2023-09-28; in October 2023 it gave Ali Health a two-year "
            "operating right to public health data (Caixin, 2024-07-16). The day in October is not published: "
            "1 October 2023 is used as the start, so the dates are approximate.",
        ),
        LicenseSpec(
            title="衡阳市政务数据和智慧城市数据特许经营权出让",
            grantor="hengyang",
            domains=(DataDomain.GOVERNMENT_SERVICES, DataDomain.URBAN_MANAGEMENT),
            scope="衡阳市政务数据及智慧城市数据的特许经营权。A franchise to operate Hengyang's government data and "
            "smart-city data.",
            mode=AuthorizationMode.WHOLE,
            selection=SelectionMethod.OTHER,
            created_on=datetime.date(2023, 11, 10),
            steps=(
                Step(LicenseAction.LIST, datetime.date(2023, 11, 10)),
                Step(
                    LicenseAction.WITHDRAW,
                    datetime.date(2023, 11, 15),
                    "2023年11月15日，应转让方要求，经请示上级有关部门指导，该项目暂停挂牌，此后未恢复。"
                    "The listing was suspended on 2023-11-15 at the transferor's request, after guidance from "
                    "higher authorities, and never resumed.",
                ),
            ),
            origin=RecordOrigin.RECORDED,
            consideration=Decimal("1802441200.00"),
            consideration_note="挂牌起始价 180,244.12 万元，保证金 36,048.824 万元。Deposit: 360,488,240 yuan.",
            sources="http://www.zprce.cn/contents/260897\nhttps://www.ciiabd.org.cn/articles/PkDPZk.html",
            remarks="2023年11月10日经衡阳市公共资源交易中心挂牌；未确定运营机构。"
            "Listed through 衡阳市公共资源交易中心 (Hengyang Public Resources Trading Center) on "
            "2023-11-10; no operator was selected.",
        ),
    ]


def invented_cases(today: datetime.date) -> list[LicenseSpec]:
    """A dozen invented licenses across domains and states, dated around `today`."""

    def granted(start, end, *, operator, grant_on=None, then=()):
        grant_on = grant_on or min(start - D(15), today)
        return {
            "operator": operator,
            "term": (start, end),
            "steps": (Step(LicenseAction.GRANT, grant_on), *then),
        }

    return [
        LicenseSpec(
            title="杭州市公共交通出行数据授权运营（示例）",
            grantor="hangzhou",
            domains=(DataDomain.TRANSPORT,),
            scope="公交、地铁客流与到站数据，用于出行服务产品。Bus and metro ridership and arrival data for travel apps.",
            created_on=today - D(760),
            **granted(today - D(700), today + D(5), operator="zhijiang"),
        ),
        LicenseSpec(
            title="浙江省普惠金融公共数据授权运营（示例）",
            grantor="zhejiang",
            domains=(DataDomain.FINANCE, DataDomain.MARKET_REGULATION),
            scope="企业登记、纳税与社保缴纳数据，用于中小企业信贷评估。Business, tax and social-insurance data for "
            "small-business credit scoring.",
            mode=AuthorizationMode.BY_SCENARIO,
            created_on=today - D(1060),
            **granted(today - D(1000), today + D(25), operator="zhijiang"),
        ),
        LicenseSpec(
            title="深圳市医疗健康公共数据授权运营（示例）",
            grantor="shenzhen",
            domains=(DataDomain.HEALTH,),
            scope="脱敏的诊疗与医保结算数据，用于商业健康保险产品。De-identified treatment and insurance claims "
            "data for health insurance products.",
            created_on=today - D(460),
            **granted(today - D(400), today + D(75), operator="pengcheng"),
        ),
        LicenseSpec(
            title="成都市教育公共数据授权运营（示例）",
            grantor="chengdu",
            domains=(DataDomain.EDUCATION,),
            scope="学位与学校基础数据，用于升学咨询服务。School places and basic school data for admissions advice.",
            selection=SelectionMethod.NEGOTIATION,
            created_on=today - D(260),
            **granted(today - D(200), today + D(600), operator="tianfu"),
        ),
        LicenseSpec(
            title="湖南省市场主体公共数据授权运营（示例）",
            grantor="hunan",
            domains=(DataDomain.MARKET_REGULATION,),
            scope="市场主体登记与信用数据，用于企业征信服务。Business registration and credit data for credit "
            "reporting.",
            created_on=today - D(480),
            **granted(
                today - D(420),
                today + D(300),
                operator="xiangjiang",
                then=(
                    Step(
                        LicenseAction.SUSPEND,
                        today - D(20),
                        "运营机构未按协议完成年度数据安全评估，暂停至整改完成。The operator has not completed the "
                        "annual data-security assessment the agreement requires; suspended until it does.",
                    ),
                ),
            ),
        ),
        LicenseSpec(
            title="全国气象公共数据授权运营（示例）",
            grantor="cma",
            domains=(DataDomain.METEOROLOGY,),
            scope="地面观测与数值预报产品，用于行业气象服务。Surface observations and forecast products for "
            "sector weather services.",
            mode=AuthorizationMode.BY_DOMAIN,
            selection=SelectionMethod.INVITED_TENDER,
            created_on=today - D(40),
            **granted(today + D(30), today + D(30 + 3 * 365), operator="skyline", grant_on=today - D(10)),
        ),
        LicenseSpec(
            title="西湖区城市管理数据授权运营（示例）",
            grantor="xihu",
            domains=(DataDomain.URBAN_MANAGEMENT,),
            scope="占道经营、市容巡查与停车数据。Street trading, city inspection and parking data.",
            created_on=today - D(20),
            steps=(Step(LicenseAction.LIST, today - D(14)),),
        ),
        LicenseSpec(
            title="浙江省农业农村公共数据授权运营（示例，草案）",
            grantor="zhejiang",
            domains=(DataDomain.AGRICULTURE,),
            scope="耕地、农业补贴与农产品流通数据。Farmland, subsidy and produce-market data.",
            created_on=today - D(3),
        ),
        LicenseSpec(
            title="成都市自然资源公共数据授权运营（示例）",
            grantor="chengdu",
            domains=(DataDomain.NATURAL_RESOURCES,),
            scope="不动产登记与国土空间规划数据。Real-estate registration and spatial planning data.",
            created_on=today - D(560),
            **granted(
                today - D(500),
                today + D(1000),
                operator="tianfu",
                then=(
                    Step(
                        LicenseAction.REVOKE,
                        today - D(60),
                        "运营机构超出授权范围向第三方提供原始数据。The operator supplied raw data to third parties, "
                        "beyond the authorized scope.",
                    ),
                ),
            ),
        ),
        LicenseSpec(
            title="杭州市产业数字化公共数据授权运营（示例）",
            grantor="hangzhou",
            domains=(DataDomain.INDUSTRY_IT,),
            scope="工业企业能耗与产能数据，用于产业链分析。Industrial energy and capacity data for supply-chain "
            "analysis.",
            created_on=today - D(700),
            **granted(
                today - D(640),
                today + D(450),
                operator="zhijiang",
                then=(
                    Step(
                        LicenseAction.TERMINATE,
                        today - D(90),
                        "经双方协商一致提前终止协议。Ended early by agreement of both parties.",
                    ),
                ),
            ),
        ),
        LicenseSpec(
            title="湖南省政务服务公共数据授权运营（示例）",
            grantor="hunan",
            domains=(DataDomain.GOVERNMENT_SERVICES,),
            scope="办件与证照数据，用于企业办事辅助服务。Case and certificate data for business e-services.",
            created_on=today - D(860),
            **granted(today - D(800), today - D(100), operator="xiangjiang"),
        ),
        LicenseSpec(
            title="深圳市交通运输公共数据授权运营（示例）",
            grantor="shenzhen",
            domains=(DataDomain.TRANSPORT,),
            scope="网约车、出租车与道路运输数据。Ride-hailing, taxi and road-freight data.",
            created_on=today - D(1060),
            renew_to=(today - D(120), today - D(29), today - D(29) + D(1200)),
            **granted(today - D(1000), today - D(30), operator="pengcheng"),
        ),
        LicenseSpec(
            # A whole authorization (every data domain, none listed) whose term end is not published,
            # granted on a past day to an operator without a published code.
            title="成都市公共数据整体授权运营（示例，期限终止日未公布）",
            grantor="chengdu",
            domains=(),
            mode=AuthorizationMode.WHOLE,
            scope="成都市各部门公共数据的整体授权运营；公告未公布授权期限的终止日。Whole authorization of the "
            "city's public data; the notice does not publish the end of the term.",
            created_on=today - D(420),
            **granted(today - D(330), None, operator="jinjiang", grant_on=today - D(345)),
        ),
    ]


def invented_products(today: datetime.date) -> dict[str, list[dict]]:
    """Invented products by the title of their (invented) license: a priced, posted product raises no
    flag; the others raise one kind of compliance flag each, so that every kind shows in the demo."""
    cap_document = "《公共数据运营服务收费标准（示例）》"
    posted = {
        "cap_set_on": today - D(200),
        "cap_document": cap_document,
        "prices_posted_on": today - D(180),
        "review_cycle_months": 36,
    }
    return {
        "杭州市公共交通出行数据授权运营（示例）": [
            {
                "name": "实时公交到站查询接口（示例）",
                "description": "按次调用的公交、地铁到站预测。Arrival predictions, per call.",
                "product_class": ProductClass.INDUSTRY,
                "charging_unit": ChargingUnit.PER_CALL,
                "price_cap": Decimal("0.05"),
                "actual_price": Decimal("0.03"),
                **posted,
            },
            {
                # Flag: an actual price above its cap (recorded with the reason).
                "name": "公交客流分析报告（示例）",
                "description": "按线路的月度客流分析。Monthly ridership analysis per line.",
                "product_class": ProductClass.INDUSTRY,
                "charging_unit": ChargingUnit.PER_ITEM,
                "price_cap": Decimal("2000"),
                "actual_price": Decimal("2600"),
                "price_above_cap_reason": "示例：运营机构称新增线路使成本上升，已申请调整上限，尚未批复。Invented: the operator "
                "says new lines raised its costs and has asked for a higher cap, not yet granted.",
                **posted,
            },
            {
                "name": "公交线路与站点开放数据（示例）",
                "description": "面向公众免费开放。Free to the public.",
                "product_class": ProductClass.PUBLIC_WELFARE,
                "actual_price": Decimal("0"),
                "prices_posted_on": today - D(180),
            },
        ],
        "浙江省普惠金融公共数据授权运营（示例）": [
            {
                # Flag: a paid product with no actual price on record.
                "name": "小微企业信用评估服务（示例）",
                "description": "按次出具评估结果。A credit assessment per request.",
                "product_class": ProductClass.INDUSTRY,
                "charging_unit": ChargingUnit.PER_CALL,
                "price_cap": Decimal("30"),
                "cap_set_on": today - D(300),
                "cap_document": cap_document,
                "review_cycle_months": 24,
            }
        ],
        "深圳市医疗健康公共数据授权运营（示例）": [
            {
                # Flag: a fee on a public-welfare product.
                "name": "居民健康档案自助查询（示例）",
                "description": "居民查询本人健康档案。Residents look up their own health records.",
                "product_class": ProductClass.PUBLIC_WELFARE,
                "charging_unit": ChargingUnit.PER_CALL,
                "actual_price": Decimal("0.80"),
                "prices_posted_on": today - D(100),
            }
        ],
        "成都市教育公共数据授权运营（示例）": [
            {
                # Flag: a paid product whose prices were never posted publicly.
                "name": "升学咨询数据服务（示例）",
                "description": "按月订阅。A monthly subscription.",
                "product_class": ProductClass.INDUSTRY,
                "charging_unit": ChargingUnit.PER_TIME,
                "price_cap": Decimal("100"),
                "cap_set_on": today - D(150),
                "cap_document": cap_document,
                "actual_price": Decimal("80"),
                "trial_price": True,
                "review_cycle_months": 12,
            }
        ],
        "湖南省市场主体公共数据授权运营（示例）": [
            {
                # Flag: a paid product whose license is not in force (suspended).
                "name": "企业信用报告（示例）",
                "description": "按份出具。One report per company.",
                "product_class": ProductClass.INDUSTRY,
                "charging_unit": ChargingUnit.PER_ITEM,
                "price_cap": Decimal("50"),
                "actual_price": Decimal("30"),
                **posted,
            }
        ],
    }


NAO_SOURCE = (
    "审计署关于2023年度的审计工作报告，2024年7月公布；新闻摘要称涉及13个系统。National Audit Office, report on "
    "2023, published July 2024; a press summary speaks of 13 systems. The link leads to the publisher's "
    "website; the report's own address is not recorded here."
)
# The publisher of the report: the figures' source link (the report's own address is not recorded).
NAO_WEBSITE = "https://www.audit.gov.cn/"
NAO_DESCRIPTION = (
    "2018年6月至2023年，未经授权使用公共数据收费。Charged for public data without authorization, from June "
    "2018 to 2023 (the report counts seven units under four departments)."
)


def recorded_findings() -> list[dict]:
    """The 2024 National Audit Office findings (report on 2023, published July 2024): about 248 million
    yuan."""
    common = {
        "issuer": "审计署",
        "issuer_en": "National Audit Office",
        # "Published July 2024": the day is not known here; 1 July is used, flagged approximate, as are
        # the period's ends (June 2018 to 2023).
        "published_on": datetime.date(2024, 7, 1),
        "period_start": datetime.date(2018, 6, 1),
        "period_end": datetime.date(2023, 12, 31),
        "dates_approximate": True,
        "description": NAO_DESCRIPTION,
        "source": NAO_SOURCE,
        "source_urls": NAO_WEBSITE,
        "origin": RecordOrigin.RECORDED,
    }
    return [
        {
            **common,
            "entity_name": "交通运输部所属2家单位",
            "entity_name_en": "Two units under the Ministry of Transport",
            "department": "交通运输部",
            "department_en": "Ministry of Transport",
            "data_domain": DataDomain.TRANSPORT,
            "amount": Decimal("145000000.00"),
            "systems": "4个公共信息系统（名称此处未记录）\nFour public information systems (their names are not recorded here)",
        },
        {
            **common,
            "entity_name": "教育部所属2家单位",
            "entity_name_en": "Two units under the Ministry of Education",
            "department": "教育部",
            "department_en": "Ministry of Education",
            "data_domain": DataDomain.EDUCATION,
            "amount": Decimal("58660000.00"),
        },
        {
            **common,
            "entity_name": "工业和信息化部所属单位",
            "entity_name_en": "Units under the Ministry of Industry and Information Technology",
            "department": "工业和信息化部",
            "department_en": "Ministry of Industry and Information Technology",
            "data_domain": DataDomain.INDUSTRY_IT,
            "amount": Decimal("24470000.00"),
        },
        {
            **common,
            "entity_name": "国家市场监督管理总局所属单位",
            "entity_name_en": "Units under the State Administration for Market Regulation",
            "department": "国家市场监督管理总局",
            "department_en": "State Administration for Market Regulation",
            "data_domain": DataDomain.MARKET_REGULATION,
            "amount": Decimal("20250000.00"),
        },
    ]


DEMO_CALL_TITLE = "长三角高速公路出行数据联合授权运营遴选公告（示例）"


def demo_call(today: datetime.date, authorities, operators) -> tuple[int, int]:
    """One invented call of three provincial bureaus (the lead and two co-grantors) that names three
    operators: one granted (and in force), one that lost (withdrawn), one still listed. Built through
    licensing.calls and lifecycle with past days, as a regulator would record it. Returns the numbers of
    licenses created and of those already there (when the call is)."""
    existing = Call.objects.filter(origin=RecordOrigin.DEMO, title=DEMO_CALL_TITLE).first()
    if existing is not None:
        return 0, existing.licenses.count()
    noticed_on = today - D(400)
    call = calls.create_call(
        actor=None,
        title=DEMO_CALL_TITLE,
        noticed_on=noticed_on,
        grantor=authorities["zhejiang"],
        co_grantors=[authorities["jiangsu"], authorities["anhui"]],
        data_domains=[DataDomain.TRANSPORT],
        authorization_mode=AuthorizationMode.BY_DOMAIN,
        operators_sought=2,
        selection_method=SelectionMethod.OPEN_TENDER,
        remarks="示例数据，并非真实的遴选公告。Invented for the demo: not a real call.",
        origin=RecordOrigin.DEMO,
    )
    scope = "沪苏浙皖高速公路路况与通行数据，用于出行服务产品。Expressway traffic data for travel services."
    # The third stays listed: the call is still open.
    granted, lost, _listed = (
        calls.add_license(
            call,
            actor=None,
            expected_version=call.version,
            operator=operators[key],
            scope=scope,
            remarks=DEMO_REMARK,
        )
        for key in ("qiantang", "jinling", "huishan")
    )
    lifecycle.edit(
        granted,
        {"term_start": today - D(300), "term_end": today - D(300) + D(3 * 365)},
        actor=None,
        expected_version=granted.version,
        occurred_on=today - D(330),
    )
    lifecycle.transition(
        granted, LicenseAction.GRANT, actor=None, expected_version=granted.version, occurred_on=today - D(320)
    )
    lifecycle.transition(
        lost,
        LicenseAction.WITHDRAW,
        actor=None,
        reason="Not selected: ranked below the two operators sought.",
        expected_version=lost.version,
        occurred_on=today - D(320),
    )
    return 3, 0


# A registration in each state of the procedure, for the invented Hangzhou transport license's operator:
# (state, its steps as (action, days before today, reason)); each applied DEMO_APPLIED[state] days ago.
DEMO_REGISTRATIONS = {
    "applied": (1, []),
    "under_review": (6, [("accept", 4, "")]),
    "returned": (
        10,
        [("return", 8, "缺少数据安全风险评估报告。The data-security risk assessment is missing.")],
    ),
    "in_notice": (30, [("accept", 28, ""), ("start_notice", 3, "")]),
    "issued": (120, [("accept", 115, ""), ("start_notice", 100, ""), ("issue", 80, "")]),
    "terminated": (
        90,
        [
            ("accept", 85, ""),
            ("start_notice", 70, ""),
            ("terminate", 60, "异议成立：数据来源存在争议。Objection upheld."),
        ],
    ),
    "cancelled": (50, [("cancel", 45, "申请人撤回申请。Withdrawn by the applicant.")]),
    "revoked": (
        300,
        [
            ("accept", 295, ""),
            ("start_notice", 280, ""),
            ("issue", 260, ""),
            ("revoke", 20, "登记材料虚假。The registration materials were false."),
        ],
    ),
}
DEMO_REGISTRATION_LICENSE = "杭州市公共交通出行数据授权运营（示例）"
DEMO_EVIDENCE = b"%PDF-1.4\n% invented evidence for the demo\n%%EOF\n"


def demo_registrations(today: datetime.date) -> int:
    """A registration in each state (invented, marked as demo data), built through licensing.registrations
    with past effective days; the one under notice has an objection awaiting its decision. Returns how
    many were created (none when they are there already)."""
    if Registration.objects.filter(origin=RecordOrigin.DEMO).exists():
        return 0
    license = License.objects.get(origin=RecordOrigin.DEMO, title=DEMO_REGISTRATION_LICENSE)
    if license.is_terminal:
        return 0
    for state, (applied, steps) in DEMO_REGISTRATIONS.items():
        registration = registrations.apply(
            license,
            actor=None,
            occurred_on=today - D(applied),
            registrant_role="operator",
            kind="product_service",
            name=f"杭州公交到站预测服务（示例：{state}）",
            summary="基于公交到站数据的实时到站预测接口（示例，虚构）。A real-time bus arrival API (invented).",
            origin=RecordOrigin.DEMO,
        )
        for action, days, reason in steps:
            registrations.act(
                registration,
                action,
                actor=None,
                expected_version=registration.version,
                reason=reason,
                occurred_on=today - D(days),
            )
        if state == "in_notice":
            registrations.file_objection(
                registration,
                name="示例异议人",
                contact="objector@example.invalid",
                reasons="示例异议：该产品使用的数据不属于授权范围。Invented: the data is outside the scope.",
                evidence=DEMO_EVIDENCE,
                evidence_name="demo-evidence.pdf",
            )
    return len(DEMO_REGISTRATIONS)


@dataclasses.dataclass
class LoadResult:
    authorities: int = 0
    operators: int = 0
    licenses: int = 0
    existing: int = 0
    products: int = 0
    findings: int = 0
    registrations: int = 0
    disclosures: int = 0

    def __str__(self):
        return (
            f"created {self.authorities} authorities, {self.operators} operators and {self.licenses} licenses; "
            f"{self.existing} licenses were already there; created {self.products} products, "
            f"{self.findings} findings, {self.registrations} registrations and {self.disclosures} annual "
            "disclosures"
        )


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> LoadResult:
    today = today or local_today()
    result = LoadResult()
    authorities = {}
    for spec in AUTHORITIES:
        authorities[spec.key], created = Authority.objects.get_or_create(
            division_code=spec.division_code,
            name=spec.name,
            defaults={"name_en": spec.name_en, "kind": spec.kind, "origin": spec.origin},
        )
        result.authorities += created
    operators = {}
    for spec in OPERATORS:
        fields = dataclasses.asdict(spec)
        fields.pop("key")
        lookup = {"uscc": spec.uscc} if spec.uscc else {"name": spec.name, "uscc": ""}
        operators[spec.key], created = Operator.objects.get_or_create(**lookup, defaults=fields)
        result.operators += created
    for spec in recorded_cases() + invented_cases(today):
        existing = License.objects.filter(origin=spec.origin, title=spec.title).count()
        if existing:
            result.existing += existing
            continue
        result.licenses += _create(spec, authorities, operators)
    created, existing = demo_call(today, authorities, operators)
    result.licenses += created
    result.existing += existing
    for title, specs in invented_products(today).items():
        license = License.objects.get(origin=RecordOrigin.DEMO, title=title)
        for spec in specs:
            # A license that has ended since an earlier load takes no new products.
            if license.is_terminal or Product.objects.filter(license=license, name=spec["name"]).exists():
                continue
            products.create_product(
                license,
                actor=None,
                expected_version=license.version,
                origin=RecordOrigin.DEMO,
                **spec,
            )
            result.products += 1
    for spec in recorded_findings():
        key = {
            "issuer": spec["issuer"],
            "entity_name": spec["entity_name"],
            "published_on": spec["published_on"],
        }
        if not Finding.objects.filter(**key).exists():
            findings.record_finding(**spec)
            result.findings += 1
    result.registrations = demo_registrations(today)
    result.disclosures = demo_disclosures(today)
    return result


# The one annual disclosure the demo leaves overdue: this license's operator's, of the latest year overdue.
OVERDUE_DISCLOSURE_TITLE = "杭州市公共交通出行数据授权运营（示例）"


def demo_disclosures(today: datetime.date) -> int:
    """Invented annual disclosures (marked demo, with addresses under example.invalid) for the overdue
    years of the invented licenses, all but one (OVERDUE_DISCLOSURE_TITLE's operator's), so that the demo
    shows one disclosure overdue. Recorded licenses get none: the registry does not invent facts about
    them. Returns how many were recorded (none on a second load)."""
    last = disclosures.last_overdue_year(today)
    licenses = License.objects.filter(origin=RecordOrigin.DEMO).order_by("pk")
    recorded = 0
    for duties in disclosures.duties_of(licenses, today).values():
        for duty in duties:
            left_overdue = (
                duty.license.title == OVERDUE_DISCLOSURE_TITLE
                and duty.year == last
                and duty.party == LicenseParty.OPERATOR
            )
            if duty.year > last or duty.state == DutyState.DONE or left_overdue:
                continue
            disclosures.record_disclosure(
                duty.license,
                actor=None,
                year=duty.year,
                party=duty.party,
                disclosed_on=duty.due_on - D(10),
                url=f"https://example.invalid/disclosures/{duty.license.number}/{duty.year}/{duty.party}",
                summary=f"{duty.year}年度披露（示例，虚构）。Invented for the demo: not a real disclosure.",
                origin=RecordOrigin.DEMO,
            )
            recorded += 1
    return recorded


def _create(spec: LicenseSpec, authorities, operators) -> int:
    remarks = spec.remarks or (DEMO_REMARK if spec.origin == RecordOrigin.DEMO else "")
    license = lifecycle.create_license(
        actor=None,
        occurred_on=spec.created_on,
        title=spec.title,
        grantor=authorities[spec.grantor],
        operator=operators[spec.operator] if spec.operator else None,
        data_domains=list(spec.domains),
        authorization_mode=spec.mode,
        scope=spec.scope,
        selection_method=spec.selection,
        term_start=spec.term[0] if spec.term else None,
        term_end=spec.term[1] if spec.term else None,
        term_approximate=spec.term_approximate,
        signed_on=spec.term[0] - D(15) if spec.term and spec.origin == RecordOrigin.DEMO else None,
        consideration=spec.consideration,
        consideration_note=spec.consideration_note,
        legal_basis=spec.legal_basis,
        source_urls=spec.sources,
        remarks=remarks,
        origin=spec.origin,
    )
    for step in spec.steps:
        lifecycle.transition(
            license,
            step.action,
            actor=None,
            reason=step.reason,
            expected_version=license.version,
            occurred_on=step.on,
        )
    if spec.renew_to:
        renewed_on, start, end = spec.renew_to
        lifecycle.renew(
            license,
            term_start=start,
            term_end=end,
            actor=None,
            expected_version=license.version,
            occurred_on=renewed_on,
        )
        return 2
    return 1
