"""The example file of the import (docs/import-example.xlsx): ten invented licenses in Chinese, granted in
Zhejiang by the demo data's authorities (licensing.demo), one for each kind of history the template can
carry. Every title says 示例 (example) and every row's remarks say it is invented."""

import datetime

from .identifiers import uscc_check_character

D = datetime.date
REMARK = "示例数据，虚构，非真实许可。Invented example, not a real license."


def _uscc(body: str) -> str:
    return body + uscc_check_character(body)


def _row(**values) -> dict:
    return {"remarks": REMARK, "selection": "公开招标", "mode": "分领域授权", **values}


EXAMPLE_ROWS = [
    _row(
        reference="浙数授〔2024〕1号（示例）",
        title="杭州市文化旅游公共数据授权运营（示例）",
        grantor_division="330100",
        grantor="杭州市数据资源管理局",
        implementing_body="杭州市数据运营中心（示例）",
        operator="西溪示例文旅数据有限公司",
        operator_uscc=_uscc("91330100MA2EXA010"),
        domains="其他",
        scope="景区客流与文旅场馆预约数据，用于游客服务产品。",
        term_start=D(2024, 3, 15),
        term_end=D(2027, 3, 14),
        consideration="1200000",
        consideration_note="年度运营服务费（示例）",
        sources="https://example.org/notice/2024-1",
        drafted_on=D(2024, 1, 10),
        listed_on=D(2024, 1, 20),
        granted_on=D(2024, 3, 1),
    ),
    _row(
        reference="浙数授〔2022〕3号（示例）",
        title="浙江省交通物流公共数据授权运营（示例）",
        grantor_division="330000",
        grantor="浙江省数据局",
        operator="之江示例物流数据有限公司",
        operator_uscc=_uscc("91330000MA2EXA020"),
        domains="交通运输",
        scope="道路货运与港口作业数据，用于物流调度服务。",
        term_start=D(2022, 7, 1),
        term_end=D(2025, 6, 30),
        listed_on=D(2022, 5, 10),
        granted_on=D(2022, 6, 20),
        ended_on=D(2025, 7, 1),
        end_kind="已到期",
    ),
    _row(
        reference="杭数授〔2024〕7号（示例）",
        title="杭州市医保结算公共数据授权运营（示例）",
        grantor_division="330100",
        operator="钱江示例健康科技有限公司",
        operator_uscc=_uscc("91330100MA2EXA030"),
        domains="医疗健康；金融",
        mode="依场景授权",
        scope="脱敏的医保结算数据，用于商业补充保险核保。",
        term_start=D(2024, 10, 1),
        term_end=D(2026, 9, 30),
        granted_on=D(2024, 9, 1),
    ),
    _row(
        reference="西数授〔2025〕1号（示例）",
        title="西湖区城市停车公共数据授权运营（示例）",
        grantor_division="330106",
        domains="城市管理",
        scope="路内泊位与停车场数据。",
        listed_on=D(2025, 3, 1),
        ended_on=D(2025, 4, 10),
        end_kind="已撤回",
        end_reason="挂牌期内无合格运营机构报名，撤回挂牌。",
    ),
    _row(
        reference="浙数授〔2023〕2号（示例）",
        title="浙江省企业信用公共数据授权运营（示例）",
        grantor_division="330000",
        operator="之江示例物流数据有限公司",
        operator_uscc=_uscc("91330000MA2EXA020"),
        domains="市场监管；金融",
        scope="企业登记、纳税与信用数据，用于中小企业信贷评估。",
        term_start=D(2023, 2, 1),
        term_end=D(2028, 1, 31),
        granted_on=D(2023, 1, 5),
        suspended_on=D(2025, 8, 1),
        suspension_reason="运营机构未按协议完成年度数据安全评估，暂停至整改完成。",
    ),
    _row(
        reference="杭数授〔2022〕5号（示例）",
        title="杭州市气象服务公共数据授权运营（示例）",
        grantor_division="330100",
        operator="湖滨示例气象服务有限公司",
        operator_uscc=_uscc("91330100MA2EXA040"),
        domains="气象",
        scope="城市气象观测数据，用于行业气象服务。",
        term_start=D(2022, 11, 15),
        term_end=D(2025, 11, 14),
        granted_on=D(2022, 11, 1),
        ended_on=D(2024, 6, 30),
        end_kind="已撤销",
        end_reason="运营机构超出授权范围向第三方提供原始数据。",
    ),
    _row(
        reference="浙数授〔2023〕6号（示例）",
        title="浙江省教育公共数据授权运营（示例）",
        grantor_division="330000",
        operator="求是示例教育数据有限公司",
        operator_uscc=_uscc("91330000MA2EXA050"),
        domains="教育",
        selection="谈判",
        scope="学校与学位基础数据，用于升学咨询服务。",
        term_start=D(2023, 6, 1),
        term_end=D(2026, 5, 31),
        granted_on=D(2023, 5, 1),
        ended_on=D(2025, 12, 31),
        end_kind="已终止",
        end_reason="经双方协商一致提前终止协议。",
    ),
    _row(
        reference="杭数授〔2023〕9号（示例）",
        title="杭州市自然资源公共数据授权运营（示例）",
        grantor_division="330100",
        operator="钱江示例健康科技有限公司",
        operator_uscc=_uscc("91330100MA2EXA030"),
        domains="自然资源",
        scope="不动产登记与国土空间规划数据。",
        term_start=D(2024, 1, 1),
        term_end=D(2030, 12, 31),
        term_exception_reason="配套基础设施投资回收期较长，经市政府常务会议审议同意（示例）。",
        granted_on=D(2023, 12, 15),
    ),
    _row(
        reference="浙数授〔2025〕4号（示例）",
        title="浙江省农业农村公共数据授权运营（示例，期限终止日未公布）",
        grantor_division="330000",
        operator="稻香示例农业数据服务中心",
        operator_uscc="",
        domains="农业农村",
        mode="整体授权",
        scope="耕地、农业补贴与农产品流通数据；公告未公布期限终止日。",
        term_start=D(2025, 3, 1),
        term_end="未公布",
        term_approximate="是",
        granted_on=D(2025, 2, 1),
    ),
    _row(
        reference="杭数授〔2026〕2号（示例）",
        title="杭州市政务服务公共数据授权运营（示例，挂牌中）",
        grantor_division="330100",
        domains="政务服务",
        scope="办件与证照数据，用于企业办事辅助服务。",
        drafted_on=D(2026, 8, 20),
        listed_on=D(2026, 9, 1),
    ),
]
