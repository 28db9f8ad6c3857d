"""Forms that stretch the printed layout: long names and goals, amounts up to the 10^13 bound.

JSON-format data (``exports.document.build_document``) for the print tests.
"""

GOAL = (
    "1、残疾人法律援助救助工作\n依法维护残疾人权益的科学方法和有效手段，充分发挥残疾人法律援助、"
    "法律救助及法律宣传等法律服务的功能和作用，使残疾人享受服务门槛更低、服务内容更多。\n"
)
LONG_NAME = "残疾人权益保障经费及无障碍环境建设专项补助资金（市级统筹部分）"
VALUES = ("≥1234567890.00(人次)", "=100(%)", "≤12345.678(万元)", "≥98.5%")


def indicator_rows(count):
    groups = [
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
        ("效益指标", "社会效益指标"),
        ("满意度指标", "服务对象满意度指标"),
    ]
    return [
        {
            "key": "",
            "level1": groups[n * len(groups) // count][0],
            "level2": groups[n * len(groups) // count][1],
            "name": f"全市性法律宣传活动计划完成率与残疾人服务热线考核达标率{n}",
            "value": VALUES[n % len(VALUES)],
        }
        for n in range(count)
    ]


def project(unit="元", amount="9999999999999.99", indicators=12, annual_goal=GOAL * 3):
    return {
        "form": "project",
        "year": 2026,
        "variant": "city",
        "name": LONG_NAME,
        "nature": "经常性专项业务费",
        "category": "特定目标类",
        "department": "上海市残疾人联合会",
        "implementing_unit": "上海市残疾人联合会康复服务指导中心",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "money_unit": unit,
        "funds": {
            "total": amount,
            "fiscal": amount,
            "other": "0.00",
            "annual_total": amount,
            "appropriation": amount,
            "carryover": amount,
            "annual_other": amount,
        },
        "goal_start_year": 2024,
        "goal_end_year": 2026,
        "overall_goal": GOAL,
        "annual_goal": annual_goal,
        "indicators": indicator_rows(indicators),
    }


def overall(form, amount="9999999999999.99"):
    return {
        "form": form,
        "year": 2026,
        "name": "上海市静安区社会福利院（上海市静安区老年护理院、静安区养老服务指导中心）",
        "funding_mode": "全额",
        "subordinate_units": 12,
        "duties": GOAL,
        "annual_goal": GOAL * 2,
        "money_unit": "元",
        "tasks": [{"key": "", "name": "优化养老服务设施供给", "content": "分层次建设。" * 30}],
        "budget": dict.fromkeys(("total", "fiscal", "other", "basic", "project"), amount),
        "assets_total": amount,
        "staff": 35,
        "internal_bodies": 0,
        "input_note": "",
        "indicators": indicator_rows(10),
    }


FORMS = {
    "project in 元": project(),
    "project in 万元, six places": project("万元", "9999999999999.999999"),
    "unit": overall("unit"),
    "department": overall("department"),
}
