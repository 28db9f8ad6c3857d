"""The printed labels of the published forms and their aliases, as data.

Every district, province and edition of the templates words the same box a
little differently. Each table below maps every known wording (compared as
``cells.label_key`` gives it: no spaces, half-width brackets and colon) to the
one field it fills, so that a new edition is one more line here, not a change
of the parser.
"""

# --- form titles --------------------------------------------------------------------
# Longest title first: 单位整体支出… is the tail of the department title.
TITLES = (
    ("部门(单位)整体支出绩效目标申报表", "department"),
    ("部门整体支出绩效目标申报表", "department"),
    ("部门整体支出绩效目标表", "department"),
    ("单位整体支出绩效目标申报表", "unit"),
    ("单位整体支出绩效目标表", "unit"),
    ("财政项目支出绩效目标申报表", "project"),
    ("项目支出绩效目标申报表", "project"),
    ("项目支出绩效目标表", "project"),
)

# --- project form: header -------------------------------------------------------------
PROJECT_HEADER = {
    "项目名称": "name",
    "项目性质": "nature",
    "项目类别": "category",
    "项目类型": "category",
    "主管部门": "department",
    "主管部门及代码": "department",
    "主管部门名称": "department",
    "实施单位": "implementing_unit",
    "项目实施单位": "implementing_unit",
    "实施单位名称": "implementing_unit",
    "计划开始日期": "start",
    "项目开始日期": "start",
    "开始日期": "start",
    "计划完成日期": "end",
    "计划结束日期": "end",
    "项目完成日期": "end",
    "完成日期": "end",
}

# --- project form: money (keys after dropping the "其中:" some labels carry) ------------
PROJECT_MONEY = {
    "项目资金总额": "total",
    "财政资金": "fiscal",
    "其他资金": "other",
    "年度资金申请总额": "annual_total",
    "年度资金总额": "annual_total",  # 财预〔2021〕101号
    "当年财政拨款": "appropriation",
    "财政拨款": "appropriation",  # 财预〔2021〕101号: 其中：财政拨款
    "上年结转资金": "carryover",
    "上年结转": "carryover",
}
MONEY_UNITS = ("万元", "元")

# --- project form: goals ---------------------------------------------------------------
# Labels of the goal over the whole span (the span may follow: 项目总目标 (2023年-2025年)).
# Every edition seen: 财预〔2021〕101号 (项目总体目标, 年度总目标), district templates
# (中期目标, 年度目标), city templates (项目总目标, 年度总体目标).
GOAL_OVERALL = (
    "项目总目标",
    "项目总体目标",
    "总体目标",
    "中长期目标",
    "项目中长期目标",
    "中期目标",
    "项目中期目标",
    "长期目标",
    "项目总体绩效目标",
    "项目中长期绩效目标",
    "中期绩效目标",
)
GOAL_ANNUAL = (
    "年度总体目标",
    "年度总目标",
    "年度目标",
    "年度绩效目标",
    "年度总体绩效目标",
    "项目年度目标",
    "项目年度绩效目标",
    "本年度目标",
    "当年目标",
    "当年绩效目标",
)
# The vertical labels of the goals rows.
GOAL_BLOCKS = ("项目绩效目标", "绩效目标")

# --- overall forms ---------------------------------------------------------------------
OVERALL_HEADER = {
    "单位名称": "name",
    "部门名称": "name",
    "部门(单位)名称": "name",
    "下属预算单位个数": "subordinate_units",
    "财政资金拨款方式": "funding_mode",
    "单位编码": "code",
    "部门编码": "code",
    "单位代码": "code",
    "部门代码": "code",
}
OVERALL_LONG_TEXT = {
    "单位职责": "duties",
    "部门职责": "duties",
    "主要职能": "duties",
    "年度履职目标": "annual_goal",
    "年度总体目标": "annual_goal",
    "整体绩效目标": "annual_goal",
}

# --- the indicator table ---------------------------------------------------------------
# Vertical labels spanning the whole indicator block: they name the section, not a level.
SECTION_LABELS = ("绩效指标", "分解目标")
# Every vertical label whose characters the extractor may print one per line.
VERTICAL_LABELS = (*SECTION_LABELS, *GOAL_BLOCKS, "项目资金", "年度绩效指标", "指标")

# Column headings of the indicator table -> what the column holds.
# value: the target (指标值); explanation/basis: Indicator fields; nature and unit:
# the parts of a value printed in columns of their own (指标性质 ≥ · 指标值 95 · 度量单位 %);
# extra: known columns the product has no field for (kept in the warnings); weight,
# direction, core and period_value: the fields of the 2021 rules (importers/row_extras.py).
INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "一级目标": "level1",
    "二级指标": "level2",
    "二级目标": "level2",
    "三级指标": "name",
    "三级目标": "name",
    "三级指标名称": "name",
    "指标名称": "name",
    "指标值": "value",
    "目标值": "value",
    "年度指标值": "value",
    "年度(/项目)指标值": "value",
    "年度(项目)指标值": "value",
    "指标目标值": "value",
    "年度目标值": "value",
    "年度预期值": "value",
    "预期目标值": "value",
    "当年预期实现值": "value",
    "预期实现值": "value",
    "绩效指标值": "value",
    "指标解释": "explanation",
    "指标说明": "explanation",
    "指标内涵": "explanation",
    "指标值设定依据": "basis",
    "设定依据": "basis",
    "指标设定依据": "basis",
    "指标值确定依据": "basis",
    "指标性质": "nature",
    "度量单位": "unit",
    "计量单位": "unit",
    "评(扣)分标准": "extra",
    "评分标准": "extra",
    "扣分标准": "extra",
    "权重": "weight",
    "分值": "weight",
    "指标权重": "weight",
    "权重(分)": "weight",
    "指标分值": "weight",
    "指标方向性": "direction",
    "指标方向": "direction",
    "核心指标": "core",
    "是否核心指标": "core",
    "中长期指标值": "period_value",
    "全周期指标值": "period_value",
    "实施期指标值": "period_value",
    "整体指标值": "period_value",
    "项目期指标值": "period_value",
    "备注": "extra",
}
# A heading not listed above that still names the target, e.g. 2026年指标值.
VALUE_HEADING_WORDS = ("指标值", "目标值", "实现值", "预期值")
NOT_VALUE_HEADING_WORDS = ("依据", "解释", "说明", "标准")

# Columns of a flat table (one row per indicator, many projects) besides the above.
FLAT_COLUMNS = {
    "项目名称": "project",
    "预算数": "budget",
    "预算金额": "budget",
    "项目金额": "budget",
    "年度预算": "budget",
    "年度资金总额": "budget",
    "资金总额": "budget",
    "年度目标": "goal",
    "年度绩效目标": "goal",
    "绩效目标": "goal",
    "项目目标": "goal",
    "单位名称": "unit_name",
    "预算单位": "unit_name",
    "实施单位": "unit_name",
    "主管部门": "department",
    "部门名称": "department",
    "部门": "department",
}
# Cells that make a row of a flat table a subtotal, not an indicator.
SUBTOTAL_WORDS = ("小计", "合计", "总计")

# 指标性质 cells and the operator they stand for; 定性 keeps the value as written.
NATURE_OPERATORS = {
    "≥": "≥",
    ">=": "≥",
    "大于等于": "≥",
    "≤": "≤",
    "<=": "≤",
    "小于等于": "≤",
    "=": "=",
    "等于": "=",
    ">": ">",
    "大于": ">",
    "<": "<",
    "小于": "<",
    "定量": "",
    "定性": "",
}

# 一级指标 names as OCR misread them in published PDFs (seen in the wild). Any other
# unknown 一级 is inferred from the 二级 that follows it (see IndicatorSection).
LEVEL1_MISREADINGS = {
    "双星指标": "效益指标",
    "双基指标": "效益指标",
    "双盲指标": "效益指标",
    "任意双盲指标": "效益指标",
}

# Words that tell what a third-level indicator measures, for the doubts about a
# merged label displaced by the extraction (the checker has the same rules).
TIMELINESS_LEVEL2 = "时效指标"
TIMELINESS_WORDS = ("及时性", "及时率", "时效性", "完成时间", "完成时限")
SATISFACTION_LEVEL1 = "满意度指标"
SATISFACTION_WORDS = ("满意",)
