"""One test per user journey of the console, in Chromium against the real stack.

Each page visited is timed (time to usable after navigation), checked with axe-core and
photographed under tests/console/artifacts/<test>/.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from libs.common.identifiers import mask_code
from services.identity.demo import FEATURED_COMPANY, FEATURED_PERSON
from tests.console.factories import (apply_for_repair, check, company_on, credit_list,
                                     create_company_with_representative, file_objection, in_days,
                                     listed_company, many_companies_on, repairable_list,
                                     set_calendar_day, submit_record)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _csv(data: bytes) -> list[list[str]]:
    """A downloaded CSV: UTF-8 with a byte-order mark (for Excel), parsed."""
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def _full_width(code: str) -> str:
    """The code as typed with a full-width input method, with spaces in it."""
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)
    return f"{wide[:4]} {wide[4:10]} {wide[10:]}"


def test_sign_in_remembers_the_language_and_sign_out_ends_the_session(journey):
    page = journey.page
    journey.visit("/signin", "form[aria-labelledby=dev-signin]", "sign-in")
    expect(page.locator("h1")).to_have_text("信用 · 工作台")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    journey.sign_in("authority", "SPC", sub="officer-wang")
    expect(page.get_by_test_id("who")).to_contain_text("officer-wang · SPC")
    # An official lands on the work queue; the rooms stay one link away.
    journey.visit("/", "[data-testid=work-total]", "landing-work-queue")
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()
    expect(page).to_have_url(re.compile("/work$"))
    journey.visit("/home", "form[role=search]", "home")
    expect(page.get_by_role("heading", name="Console")).to_be_visible()
    # An official reads the catalogue but is offered none of the admin's forms.
    journey.visit("/catalogue", "[data-testid=credit-lists] tbody tr", "catalogue-read-only")
    expect(page.get_by_role("heading", name="Add or change a measure")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Catalogue", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Development sign-in")).to_be_visible()
    journey.shot("signed-out")
    # Signed out, a deep link leads back to sign-in, in the language chosen before.
    page.goto(journey.stack.console + "/catalogue")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('xinyong.session')") is None


def test_subject_file_by_full_width_code_legacy_code_and_name(journey):
    stack = journey.stack
    stack.gql("query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status } }",
              {"c": FEATURED_COMPANY}, sub="airline-x", roles=("consumer",),
              purposes=("AIR_TRAVEL",))
    record = submit_record(stack, "SAMR", FEATURED_COMPANY, "console-versions", "未按期年报")
    submit_record(stack, "SAMR", FEATURED_COMPANY, "console-versions", "未按期年报（已更正）")
    page = journey.page
    journey.sign_in("analyst")
    journey.visit("/subjects", "form[role=search]", "search")
    page.get_by_label(re.compile("统一社会信用代码")).fill(_full_width(FEATURED_COMPANY))
    page.get_by_role("button", name="查询").click()
    results = page.get_by_test_id("search-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("北京信达示范科技有限公司")
    expect(results).to_contain_text("代码")
    journey.check_accessibility("search-results")
    journey.shot("search-by-full-width-code")

    legacy = FEATURED_COMPANY[8:17]
    journey.visit(f"/subjects?q={legacy}", "[data-testid=search-results] tbody tr", "search-legacy")
    expect(page.get_by_test_id("search-results")).to_contain_text("旧代码")
    journey.visit("/subjects?q=信达示范", "[data-testid=search-results] tbody tr", "search-name")
    page.get_by_role("link", name="北京信达示范科技有限公司").click()

    journey.open(f"/subjects/{FEATURED_COMPANY}", "[data-testid=records] tbody tr", "subject-file")
    expect(page.locator("h1")).to_have_text("北京信达示范科技有限公司")
    roles = page.get_by_test_id("roles")
    expect(roles).to_contain_text("法定代表人")
    expect(roles).to_contain_text(FEATURED_PERSON)  # analysts see person codes in clear
    listings = page.get_by_test_id("listings")
    expect(listings).to_contain_text("失信被执行人")
    expect(listings.locator(".status")).to_contain_text(["有效"])
    expect(page.get_by_test_id("listing-timeline").locator("svg[aria-label]")).to_have_count(1)
    expect(page.get_by_test_id("grade-letter")).to_have_text(re.compile("^[A-D]$"))
    expect(page.get_by_test_id("deductions").locator("tbody tr")).not_to_have_count(0)
    checks = page.get_by_test_id("checks")
    expect(checks).to_contain_text("airline-x")
    expect(checks).to_contain_text("乘坐飞机")
    # The corrected record shows version 2 and opens its earlier versions.
    page.get_by_role("button", name=re.compile("第 2 版")).click()
    versions = page.get_by_test_id("versions")
    expect(versions).to_contain_text("未按期年报（已更正）")
    expect(versions.locator("tbody tr")).to_have_count(2)
    # Dates are Beijing time; the exact instant with its offset is on hover.
    assert page.locator("time[title*='+08:00']").count() > 0
    journey.check_accessibility("subject-file")
    journey.shot("subject-file")
    assert record


def test_an_official_sees_the_person_code_it_asked_for_and_no_other_unmasked(journey):
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.visit(f"/subjects/{FEATURED_PERSON}", "#identity dl", "person-file-as-official")
    # Asked for by its code, the person's file shows that code (it reveals nothing) and the
    # listings reaching the person, joined by that code.
    expect(page.locator("#identity")).to_contain_text(FEATURED_PERSON)
    expect(page.get_by_test_id("listings")).to_contain_text("失信被执行人名单")
    expect(page.locator("#listings [data-code=FORBIDDEN]")).to_have_count(0)
    # Who checked is for analysts and admins: the section says so instead of failing.
    expect(page.locator("#checks")).to_contain_text("仅分析员和管理员可见")
    page.goto(journey.stack.console + f"/subjects/{FEATURED_COMPANY}")
    expect(page.get_by_test_id("roles")).to_contain_text(mask_code(FEATURED_PERSON))
    expect(page.get_by_test_id("roles").get_by_role("link", name=mask_code(FEATURED_PERSON))).to_have_count(0)


def test_case_officer_opens_a_listing_files_and_resolves_an_objection(journey):
    company, person, listing = listed_company(journey.stack, "上海异议测试有限公司")
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.visit(f"/listings/{listing}", "[data-testid=basis-records] li p", "listing")
    expect(page.get_by_test_id("basis-records")).to_contain_text("拒不履行生效判决确定的给付义务")
    expect(page.get_by_role("heading", name="法律文书")).to_be_visible()
    expect(page.get_by_test_id("measures")).to_contain_text("乘坐飞机")
    expect(page.get_by_test_id("reach")).to_contain_text(mask_code(person))
    expect(page.get_by_test_id("reach")).to_contain_text("法定代表人")
    expect(page.get_by_test_id("history")).to_contain_text("作出列入决定")

    # A typed error lands beside the field it names.
    form = page.locator("form[aria-labelledby=object-h]")
    form.get_by_role("button", name="提交异议").click()
    grounds_error = form.locator(".field.has-error .error[data-code=BAD_REQUEST]")
    expect(grounds_error).to_contain_text("grounds are required")
    journey.shot("objection-error-beside-field")

    form.get_by_label("异议理由").fill("判决已于2026年11月履行完毕，附银行回单")
    form.get_by_role("button", name="提交异议").click()
    expect(page.get_by_test_id("objections")).to_contain_text("待处理")
    # With an objection open, no second one is offered.
    expect(page.locator("form[aria-labelledby=object-h]")).to_have_count(0)
    resolve = page.locator("form", has=page.get_by_role("heading", name="处理异议"))
    resolve.get_by_label("异议不成立（恢复列入）").check()
    resolve.get_by_label("处理说明").fill("回单与判决金额不符")
    journey.check_accessibility("listing-with-objection")
    journey.shot("resolving")
    resolve.get_by_role("button", name="提交处理结果").click()
    expect(page.get_by_test_id("objections")).to_contain_text("不成立")
    expect(page.get_by_test_id("history")).to_contain_text("异议不成立")
    expect(page.get_by_role("heading", name="处理异议")).to_have_count(0)
    journey.shot("resolved")


def test_case_officer_extends_then_lifts_a_listing(journey):
    _, _, listing = listed_company(journey.stack, "上海延期测试有限公司")
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.visit(f"/listings/{listing}", "form[aria-labelledby=extend-h]", "listing-actions")
    extend = page.locator("form[aria-labelledby=extend-h]")
    # Before the current end: the API's error (field `until`) sits beside the date.
    extend.get_by_label("延长至").fill("2027-01-05")
    extend.get_by_role("button", name="延长期限").click()
    expect(extend.locator(".field.has-error")).to_contain_text("an extension must end after the current end")
    journey.shot("extend-error")
    current_end = page.locator("dt:text('有效期至') + dd time").get_attribute("datetime")
    year = int(current_end[:4])
    extend.get_by_label("延长至").fill(f"{year + 1}-{current_end[5:10]}")
    extend.get_by_role("button", name="延长期限").click()
    expect(page.locator("dt:text('有效期至') + dd time")).to_have_attribute(
        "datetime", re.compile(f"^{year + 1}-"))
    expect(page.get_by_test_id("history")).to_contain_text("延长期限")

    lift = page.locator("form[aria-labelledby=lift-h]")
    lift.get_by_label("移出原因").select_option("FULFILLED")
    lift.get_by_label("说明").fill("已全部履行")
    lift.get_by_role("button", name="移出名单").click()
    expect(page.locator("h1 .status")).to_have_text("已移出")
    # Ended: nothing further is offered.
    expect(page.locator("form.action")).to_have_count(0)
    journey.check_accessibility("listing-lifted")
    journey.shot("lifted")


def test_case_officer_decides_a_listing_after_reviewing_its_measures_and_reach(journey):
    stack = journey.stack
    company, person = create_company_with_representative(stack, "上海决定测试有限公司")
    submit_record(stack, "SPC", company, f"console-decide-{company}", "拒不履行(2026)沪0104民初9号判决")
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.visit(f"/subjects/{company}", "#identity dl", "file-before-decision")
    page.get_by_role("link", name="依据信用记录作出列入决定").click()
    page.get_by_label("名单").wait_for()
    journey.check_accessibility("decide-form")
    page.get_by_label("名单").select_option("SPC_DISHONEST_DEBTORS")
    page.get_by_label(re.compile("拒不履行\\(2026\\)沪0104民初9号判决")).check()
    page.get_by_label("文书编号").fill("(2026)沪0104执88号")
    page.get_by_label("文书种类").fill("执行裁定书")
    page.get_by_label("作出日期").fill("2099-01-01")
    page.get_by_label("作出机关").fill("上海市徐汇区人民法院")
    page.get_by_role("button", name="核对决定").click()
    preview = page.get_by_test_id("decision-preview")
    expect(preview).to_contain_text("乘坐飞机")
    expect(preview).to_contain_text(mask_code(person))
    expect(preview).to_contain_text("法定代表人")
    journey.check_accessibility("decide-review")
    journey.shot("review")
    page.get_by_role("button", name="确认并作出决定").click()
    # A document issued in the future: the API's error sits beside that date, back in the form.
    issued = page.locator(".field.has-error", has=page.get_by_label("作出日期"))
    expect(issued).to_contain_text("cannot be issued in the future")
    journey.shot("decide-error")
    page.get_by_label("作出日期").fill("2026-11-20")
    page.get_by_role("button", name="核对决定").click()
    page.get_by_role("button", name="确认并作出决定").click()
    page.get_by_test_id("measures").wait_for()
    expect(page).to_have_url(re.compile("/listings/"))
    expect(page.get_by_test_id("measures")).to_contain_text("乘坐飞机")
    expect(page.get_by_test_id("reach")).to_contain_text(mask_code(person))
    journey.check_accessibility("decided-listing")
    journey.shot("decided")


def test_case_officer_decides_a_repair_application(journey):
    stack = journey.stack
    stack.gql("""mutation($i: CreditListInput!) { upsertCreditList(input: $i) { code } }""", {"i": {
        "code": "CONSOLE_REPAIRABLE", "name": "控制台测试名单", "kind": "BLACKLIST",
        "authority": "SPC", "legalBasis": "测试", "admits": ["ENTERPRISE"],
        "objectionChannel": "书面", "defaultDurationDays": 365, "repairMinDays": 0}})
    company, _ = create_company_with_representative(stack, "上海修复测试有限公司")
    record = submit_record(stack, "SPC", company, f"console-repair-{company}", "逾期未履行")
    listing = stack.gql("""mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }""",
                        {"i": {"listCode": "CONSOLE_REPAIRABLE", "subjectCode": company,
                               "basisRecordIds": [record], "legalBasis": {
                                   "number": "(2026)沪执9号", "kind": "执行裁定书",
                                   "issuedOn": "2026-11-02", "authority": "上海市徐汇区人民法院"}}},
                        roles=("authority",), agency="SPC")["decideListing"]["id"]
    application = stack.gql("""mutation($i: ApplyForRepairInput!) { applyForRepair(input: $i) { id } }""",
                            {"i": {"listingId": listing, "statement": "已全部履行并公开道歉"}},
                            roles=("authority",), agency="SPC")["applyForRepair"]["id"]
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.visit(f"/repairs/{application}", "form[aria-labelledby=repair-form]", "repair")
    page.get_by_label("同意修复（移出名单）").check()
    page.get_by_label("决定理由").fill("履行凭证核实无误")
    page.get_by_role("button", name="提交决定").click()
    done = page.get_by_role("status")
    expect(done).to_contain_text("已同意")
    expect(done).to_contain_text("已全部履行并公开道歉")
    expect(done.locator(".status")).to_have_text("已修复")
    journey.check_accessibility("repair-decided")
    journey.shot("repair-decided")


def test_admin_reads_the_catalogue_and_records_a_holiday(journey):
    page = journey.page
    journey.sign_in("admin")
    journey.visit("/catalogue", "[data-testid=credit-lists] tbody tr", "catalogue")
    expect(page.get_by_test_id("credit-lists")).to_contain_text("SPC_DISHONEST_DEBTORS")
    expect(page.get_by_test_id("measures")).to_contain_text("乘坐飞机")
    expect(page.get_by_test_id("memoranda")).to_contain_text("SPC_DISHONEST_DEBTORS")
    expect(page.get_by_test_id("memoranda")).to_contain_text("法定代表人")
    form = page.locator("form[aria-labelledby=calendar-form-h]")
    form.get_by_label("日期").fill("2026-12-31")
    form.get_by_label("类型").select_option("no")
    form.get_by_label("名称").fill("控制台测试假日")
    form.get_by_role("button", name="保存").click()
    expect(form.get_by_role("status")).to_have_text("已保存。")
    expect(page.get_by_test_id("calendar")).to_contain_text("控制台测试假日")
    # The calendar pages by year.
    page.get_by_role("button", name="2027 年").click()
    expect(page.get_by_test_id("calendar")).not_to_contain_text("控制台测试假日")
    journey.check_accessibility("catalogue-admin")
    journey.shot("catalogue-admin")


def test_case_officer_works_the_queue_overdue_first_counted_in_working_days(journey):
    stack = journey.stack
    short = credit_list(stack, "CONSOLE_SHORT_PUBLICITY", "控制台公示测试名单", publicityWorkingDays=2)
    repairable = repairable_list(stack)
    _, recent = company_on(stack, "SPC_DISHONEST_DEBTORS", "上海近期异议有限公司")
    file_objection(stack, recent, "判决已履行完毕")
    _, late = company_on(stack, "SPC_DISHONEST_DEBTORS", "上海逾期异议有限公司")
    late_objection = file_objection(stack, late, "执行依据已被撤销", filed_days_ago=20)
    _, repaired = company_on(stack, repairable, "上海修复申请有限公司")
    apply_for_repair(stack, repaired, "已全部履行并公开道歉")
    company_on(stack, "SPC_DISHONEST_DEBTORS", "上海即将到期有限公司", effective_until=in_days(20))
    # Enough publicity windows ending for a second page.
    many_companies_on(stack, short, 21, "上海公示")
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.open("/", "[data-testid=work-queue] tbody tr", "work-queue")
    expect(page).to_have_url(re.compile("/work$"))
    queue = page.get_by_test_id("work-queue")
    rows = queue.locator("tbody tr")
    expect(rows).to_have_count(20)
    # Overdue first (the API's order: earliest deadline first), counted in days past it.
    expect(rows.first).to_have_class("row-overdue")
    expect(rows.first).to_contain_text(re.compile(r"已逾期 \d+ 天"))
    expect(rows.first).to_contain_text("列入异议")
    due = [t.get_attribute("datetime") for t in queue.locator("[data-testid=deadline] time").all()]
    assert due == sorted(due, key=datetime.fromisoformat), due
    # A publicity window of 2 working days decided today has 2 working days left.
    publicity = rows.filter(has_text="公示期届满").first
    expect(publicity).to_contain_text("剩余 2 个工作日")
    journey.check_accessibility("work-queue")
    journey.shot("work-queue")

    # The count follows the working calendar: a holiday on the next working day takes one away.
    holiday = _next_weekday(_today())
    set_calendar_day(stack, holiday, False, "控制台测试调休")
    try:
        page.reload()
        expect(rows.filter(has_text="公示期届满").first).to_contain_text("剩余 1 个工作日")
        journey.shot("work-queue-after-holiday")
    finally:
        set_calendar_day(stack, holiday, True, "控制台测试调休撤销")

    # Paged by cursor: the second page holds the rest.
    expect(page.get_by_test_id("work-total")).to_contain_text(re.compile(r"共 (2[5-9]|[3-9]\d) 项待办"))
    page.get_by_role("navigation", name="待办分页").get_by_role("button", name="下一页").click()
    expect(page.get_by_role("navigation", name="待办分页")).to_contain_text("第 2 页")
    expect(rows.first).not_to_have_class("row-overdue")
    journey.shot("work-queue-page-2")

    # Filter by kind: repair applications only, answered in working days.
    page.get_by_role("navigation", name="待办分页").get_by_role("button", name="上一页").click()
    page.get_by_test_id("work-kinds").get_by_label("信用修复申请").check()
    expect(page).to_have_url(re.compile("kind=REPAIR_APPLICATION"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(re.compile(r"剩余 \d+ 个工作日"))
    journey.shot("work-queue-repairs")

    # An item opens its listing, where the work is done: here the repair decision.
    journey.after(rows.first.get_by_role("link", name="信用修复申请").click,
                  "form[aria-labelledby=repair-form]", "work-item-repair")
    expect(page.get_by_test_id("basis-records")).to_contain_text("拒不履行生效判决确定的给付义务")
    page.get_by_label("同意修复（移出名单）").check()
    page.get_by_label("决定理由").fill("履行凭证核实无误")
    page.get_by_role("button", name="提交决定").click()
    expect(page.locator("#repair [role=status]")).to_contain_text("已同意")
    expect(page.locator("h1 .status")).to_have_text("已修复")
    journey.check_accessibility("work-item-repair")
    journey.shot("work-item-repair-decided")

    # The overdue objection: the listing with its documents, reach and history, the objection
    # marked and its resolution offered.
    page.get_by_role("link", name="返回待办").click()
    page.get_by_test_id("work-kinds").get_by_label("信用修复申请").uncheck()
    page.get_by_test_id("work-kinds").get_by_label("列入异议").check()
    expect(rows.first).to_contain_text(re.compile(r"已逾期 \d+ 天"))
    journey.after(rows.first.get_by_role("link", name="列入异议").click,
                  f"#objection-{late_objection}", "work-item-objection")
    expect(page).to_have_url(re.compile(f"/listings/{late}"))
    expect(page.get_by_role("heading", name="法律文书")).to_be_visible()
    expect(page.get_by_test_id("reach")).to_contain_text("法定代表人")
    expect(page.get_by_test_id("history")).to_contain_text("提出异议")
    objections = page.get_by_test_id("objections")
    expect(objections.locator("tr.row-highlight")).to_contain_text(re.compile(r"已逾期 \d+ 天"))
    resolve = page.locator(f"#objection-{late_objection}")
    resolve.get_by_label("异议成立（撤销列入）").check()
    resolve.get_by_label("处理说明").fill("执行依据已撤销，核实无误")
    journey.check_accessibility("work-item-objection")
    journey.shot("work-item-objection")
    resolve.get_by_role("button", name="提交处理结果").click()
    expect(page.locator("h1 .status")).to_have_text("已撤销")
    expect(objections).to_contain_text("（逾期处理）")
    journey.shot("work-item-objection-upheld")


def test_analyst_overview_charts_tables_and_csv_downloads(journey):
    stack = journey.stack
    for purpose in ("AIR_TRAVEL", "RAIL_TRAVEL"):
        check(stack, FEATURED_COMPANY, purpose, "airline-overview")
    check(stack, FEATURED_PERSON, "LENDING", "bank-overview")
    page = journey.page
    journey.sign_in("analyst")
    journey.visit("/overview", "[data-testid=by-list-table] tbody tr", "overview")
    by_list = page.get_by_test_id("by-list-table")
    expect(by_list).to_contain_text("SPC_DISHONEST_DEBTORS")
    expect(by_list).to_contain_text("失信被执行人名单")
    expect(page.get_by_test_id("by-authority-table")).to_contain_text("SPC")
    expect(page.get_by_test_id("by-province-table")).to_contain_text("北京市")
    month = _today().strftime("%Y-%m")
    expect(page.get_by_test_id("per-month-table")).to_contain_text(month)
    checks = page.get_by_test_id("checks-table")
    expect(checks).to_contain_text("乘坐飞机")
    expect(checks).to_contain_text("100%")
    # Each chart stands beside its table, one image to assistive technology.
    for chart in ("by-list-chart", "by-authority-chart", "by-province-chart", "per-month-chart", "volume-chart", "share-chart"):
        expect(page.get_by_test_id(chart).locator("svg[role=img][aria-label]")).to_have_count(1)
    journey.check_accessibility("overview-charts")
    journey.shot("overview")

    # Every table downloads as CSV: a header row, UTF-8 with a byte-order mark for Excel.
    rows = _csv(journey.download(page.get_by_role("button", name="下载 CSV：按名单统计的有效列入")))
    assert rows[0] == ["名单代码", "名单", "数量"]
    spc = next(r for r in rows[1:] if r[0] == "SPC_DISHONEST_DEBTORS")
    assert spc[1] == "失信被执行人名单" and int(spc[2]) >= 1
    shown = page.get_by_test_id("by-list-table").locator("tr", has_text="SPC_DISHONEST_DEBTORS").locator("td").last
    expect(shown).to_have_text(spc[2])
    rows = _csv(journey.download(page.get_by_role("button", name="下载 CSV：按省份统计的有效列入")))
    assert rows[0] == ["省级行政区划代码", "省份", "数量"]
    assert any(r[:2] == ["110000", "北京市"] for r in rows[1:]), rows
    rows = _csv(journey.download(page.get_by_role("button", name="下载 CSV：每月列入决定数")))
    assert rows[0] == ["月份", "决定数"] and len(rows) == 13 and rows[-1][0] == month
    rows = _csv(journey.download(page.get_by_role("button", name="下载 CSV：按用途统计的每日查询量")))
    assert rows[0] == ["日期", "用途代码", "用途", "查询数", "受限数", "受限占比", "无效代码"]
    air = next(r for r in rows[1:] if r[0] == _today().isoformat() and r[1] == "AIR_TRAVEL")
    assert air[2] == "乘坐飞机" and int(air[3]) >= 1 and air[3] == air[4] and air[5] == "1"

    # Decisions per month for one list; an inverted range is the API's error beside its field.
    per_month = page.get_by_role("form", name="每月决定数的筛选条件")
    per_month.get_by_label("名单").select_option("TAX_A_GRADE")
    per_month.get_by_role("button", name="显示").click()
    expect(page.get_by_test_id("per-month-table").locator("tr", has_text=month)).to_contain_text("1")
    # Checks of one consumer only.
    filters = page.get_by_role("form", name="查询量的筛选条件")
    filters.get_by_label("查询方", exact=True).fill("bank-overview")
    filters.get_by_role("button", name="显示").click()
    expect(checks).not_to_contain_text("乘坐飞机")
    expect(checks).to_contain_text("融资信贷")
    filters.get_by_label("起始日期").fill(_today().isoformat())
    filters.get_by_label("截止日期（含）").fill((_today() - timedelta(days=3)).isoformat())
    filters.get_by_role("button", name="显示").click()
    until = filters.locator(".field.has-error", has=page.get_by_label("截止日期（含）"))
    expect(until).to_contain_text("until must be after from")
    journey.shot("overview-error-beside-field")

    # In English, the same page and the same numbers.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Listings in force by list")).to_be_visible()
    expect(page.get_by_role("button", name="Download CSV: Listings in force by list")).to_be_visible()
    journey.check_accessibility("overview-en")
    journey.shot("overview-en")


def test_listing_search_filters_counts_and_pages(journey):
    stack = journey.stack
    searched = credit_list(stack, "CONSOLE_SEARCH", "控制台查询测试名单", publicityWorkingDays=0)
    many_companies_on(stack, searched, 21, "上海查询")
    page = journey.page
    journey.sign_in("authority", "SPC")
    journey.visit("/listings", "[data-testid=listing-results] tbody tr", "listing-search")
    # An official searches its own agency's listings: no other authority is offered.
    expect(page.get_by_test_id("listing-filter")).to_contain_text("决定机关：SPC（本机关）")
    filters = page.get_by_test_id("listing-filter")
    filters.get_by_label("名单").select_option(searched)
    filters.get_by_label("有效", exact=True).check()
    filters.get_by_label("地区").fill("310104")
    filters.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile("listCode=CONSOLE_SEARCH"))
    expect(page.get_by_test_id("listing-total")).to_have_text("共 21 条列入。")
    results = page.get_by_test_id("listing-results").locator("tbody tr")
    expect(results).to_have_count(20)
    expect(results.first).to_contain_text("控制台查询测试名单")
    journey.check_accessibility("listing-search-results")
    journey.shot("listing-search-results")
    pager = page.get_by_role("navigation", name="查询结果分页")
    pager.get_by_role("button", name="下一页").click()
    expect(pager).to_contain_text("第 2 页")
    expect(results).to_have_count(1)
    journey.shot("listing-search-page-2")
    # The page as CSV, with its header row.
    rows = _csv(journey.download(page.get_by_role("button", name=re.compile("下载 CSV"))))
    assert rows[0][:3] == ["列入编号", "名单代码", "名单"] and len(rows) == 2 and rows[1][1] == searched

    # A region the API does not know: its error beside the region field, nothing else lost.
    filters.get_by_label("地区").fill("999999")
    filters.get_by_role("button", name="查询").click()
    region = filters.locator(".field.has-error", has=page.get_by_label("地区"))
    expect(region).to_contain_text("not a known GB/T 2260 code")
    expect(filters.get_by_label("名单")).to_have_value(searched)
    journey.shot("listing-search-error")
    # Deep links carry the filter: ending before a date nobody reaches.
    journey.visit(f"/listings?listCode={searched}&effectiveUntilBefore=2027-01-01", "[data-testid=listing-total]", "listing-search-link")
    expect(page.get_by_test_id("listing-total")).to_have_text("共 0 条列入。")


def test_admin_changes_lists_measures_and_memoranda_errors_beside_fields(journey):
    page = journey.page
    journey.sign_in("admin")
    journey.visit("/catalogue", "[data-testid=credit-lists] tbody tr", "catalogue-admin-forms")
    form = page.get_by_test_id("list-form")
    form.get_by_label("代码").fill("CONSOLE_CITY_PROCUREMENT")
    form.get_by_label("名称").fill("控制台测试采购黑名单")
    form.get_by_label("决定机关").fill("SAMR")
    form.get_by_label("设立依据").fill("《政府采购法》第二十二条")
    form.get_by_label("异议渠道").fill("向市场监管部门书面提出")
    form.get_by_label("企业").check()
    form.get_by_label("默认期限（天）").fill("800")
    form.get_by_label("最长期限（天）").fill("730")
    form.get_by_role("button", name="保存").click()
    default = form.locator(".field.has-error", has=page.get_by_label("默认期限（天）"))
    expect(default).to_contain_text("the default duration exceeds the maximum")
    journey.shot("list-error-beside-field")
    form.get_by_label("默认期限（天）").fill("365")
    form.get_by_label("可申请修复的最短期限（天）").fill("90")
    form.get_by_role("button", name="保存").click()
    expect(form.get_by_role("status")).to_have_text("已保存。")
    lists = page.get_by_test_id("credit-lists")
    expect(lists).to_contain_text("控制台测试采购黑名单")

    # Change it from its row: the form comes filled in, the code fixed.
    lists.get_by_role("button", name="修改 CONSOLE_CITY_PROCUREMENT").click()
    expect(form.get_by_role("heading")).to_have_text("修改名单 CONSOLE_CITY_PROCUREMENT")
    expect(form.get_by_label("最长期限（天）")).to_have_value("730")
    form.get_by_label("公示期（工作日）").fill("5")
    form.get_by_role("button", name="保存").click()
    expect(form.get_by_role("status")).to_have_text("已保存。")
    expect(lists.locator("tr", has_text="CONSOLE_CITY_PROCUREMENT")).to_contain_text("5 个工作日")

    page.get_by_test_id("measures").get_by_role("button", name="修改 AIR_TRAVEL_BAN").click()
    measure = page.locator("#measure-form")
    expect(measure.get_by_label("代码")).to_have_value("AIR_TRAVEL_BAN")

    # A memorandum binding the new list: an end before its start is refused beside the end.
    memo = page.get_by_test_id("memo-form")
    memo.get_by_label("代码").fill("CONSOLE_MOU")
    memo.get_by_label("名称").fill("控制台测试合作备忘录")
    memo.get_by_label("签署机关").fill("SAMR、NDRC")
    memo.get_by_label("生效").fill("2026-12-01")
    memo.get_by_label("失效").fill("2026-11-01")
    memo.get_by_label("第 1 项：名单").select_option("CONSOLE_CITY_PROCUREMENT")
    memo.get_by_label("第 1 项：措施").select_option("PUBLIC_PROCUREMENT_EXCLUSION")
    memo.get_by_test_id("memo-bindings").get_by_label("法定代表人").check()
    memo.get_by_role("button", name="保存").click()
    until = memo.locator(".field.has-error", has=page.get_by_label("失效"))
    expect(until).to_contain_text("validUntil must be after validFrom")
    journey.check_accessibility("memo-error")
    journey.shot("memo-error-beside-field")
    memo.get_by_label("失效").fill("")
    memo.get_by_role("button", name="保存").click()
    expect(memo.get_by_role("status")).to_have_text("已保存。")
    row = page.get_by_test_id("memoranda").locator("tr", has_text="CONSOLE_MOU")
    expect(row).to_contain_text("CONSOLE_CITY_PROCUREMENT")
    expect(row).to_contain_text("PUBLIC_PROCUREMENT_EXCLUSION")
    expect(row).to_contain_text("法定代表人")
    journey.check_accessibility("catalogue-admin-saved")
    journey.shot("catalogue-admin-saved")


def test_subject_sees_its_listings_objects_and_applies_for_repair(journey):
    stack = journey.stack
    repairable = repairable_list(stack)
    company, debtor = company_on(stack, "SPC_DISHONEST_DEBTORS", "上海本人查看有限公司")
    record = submit_record(stack, "SPC", company, f"console-own-{company}", "逾期未履行还款义务")
    repairable_listing = stack.gql("""mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }""",
                                   {"i": {"listCode": repairable, "subjectCode": company, "basisRecordIds": [record],
                                          "legalBasis": {"number": "(2026)沪执10号", "kind": "执行裁定书",
                                                         "issuedOn": "2026-11-02", "authority": "上海市徐汇区人民法院"}}},
                                   roles=("authority",), agency="SPC")["decideListing"]["id"]
    page = journey.page
    # A code that is no code: the rule it breaks, beside the code field.
    journey.visit("/signin", "form[aria-labelledby=dev-signin]", "sign-in-as-subject")
    page.get_by_label("角色").select_option("subject")
    code_field = page.get_by_label("统一社会信用代码或身份证号")
    code_field.fill(company[:-1] + ("0" if company[-1] != "0" else "1"))
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".field.has-error", has=code_field).locator("[data-code=INVALID_CODE]")).to_be_visible()
    journey.shot("sign-in-bad-code")
    # Signed in as its own code (typed with spaces and lower case: the sign-in normalises it).
    journey.sign_in("subject", code=f" {company[:6]} {company[6:].lower()}")
    expect(page.get_by_test_id("who")).to_contain_text(company)
    page.get_by_test_id("my-listing").first.wait_for()
    journey.visit("/me", "[data-testid=my-listing]", "my-file")
    expect(page).to_have_url(re.compile("/me$"))
    expect(page.locator("h1")).to_have_text("上海本人查看有限公司 的信用档案")
    cards = page.get_by_test_id("my-listing")
    expect(cards).to_have_count(2)
    debt = cards.filter(has_text="失信被执行人名单")
    expect(debt.get_by_test_id("how-to-object")).to_contain_text("SPC")
    # Only what the API allows is offered: no repair on a list without it; no official's actions.
    expect(debt.get_by_test_id("repair-when")).to_have_text("该名单不提供信用修复。")
    expect(page.get_by_role("button", name="移出名单")).to_have_count(0)
    expect(page.get_by_role("link", name="主体查询")).to_have_count(0)
    journey.check_accessibility("my-file")
    journey.shot("my-file")

    # Object, and follow the objection with its deadline counted down.
    debt.get_by_role("button", name="提交异议").click()
    expect(debt.locator(".field.has-error")).to_contain_text("grounds are required")
    debt.get_by_label("异议理由").fill("判决确定的款项已于2026年11月全部付清")
    debt.get_by_role("button", name="提交异议").click()
    followed = debt.get_by_test_id("my-objections")
    expect(followed).to_contain_text("待处理")
    expect(followed).to_contain_text(re.compile(r"剩余 \d+ 个工作日"))
    expect(debt.get_by_role("button", name="提交异议")).to_have_count(0)
    expect(debt).to_contain_text("您的异议正在审查中")

    # Apply for repair where the list allows it.
    own = cards.filter(has_text="控制台测试名单")
    own.get_by_label("申请陈述").fill("已全部履行并在报刊公开致歉")
    own.get_by_role("button", name="提交修复申请").click()
    applied = own.get_by_test_id("repair-applied")
    expect(applied).to_contain_text("修复申请已提交")
    expect(applied).to_contain_text("待决定")
    expect(page.get_by_test_id("records")).to_contain_text("逾期未履行还款义务")
    journey.check_accessibility("my-file-objected")
    journey.shot("my-file-objected-and-applied")
    # What it did reaches the official's work queue.
    queue = stack.gql("{ workQueue(kinds: [LISTING_OBJECTION, REPAIR_APPLICATION]) { nodes { kind listing { id } } } }",
                      roles=("authority",), agency="SPC")["workQueue"]["nodes"]
    assert {("LISTING_OBJECTION", debtor), ("REPAIR_APPLICATION", repairable_listing)} <= {
        (n["kind"], n["listing"]["id"]) for n in queue}


def test_subject_sees_who_checked_it_and_a_person_sees_its_own_file(journey):
    stack = journey.stack
    check(stack, FEATURED_COMPANY, "AIR_TRAVEL", "airline-subject-view")
    page = journey.page
    journey.sign_in("subject", code=FEATURED_COMPANY)
    journey.open("/me", "[data-testid=my-listing]", "my-file-checks")
    expect(page.locator("#checks [data-code]")).to_have_count(0, timeout=5_000)
    expect(page.get_by_test_id("checks")).to_contain_text("airline-subject-view")
    journey.shot("my-file-checks")
    page.get_by_role("button", name="退出登录").click()
    journey.sign_in("subject", code=FEATURED_PERSON)
    journey.open("/me", "#my-listings", "person-own-file")
    expect(page.locator("#my-listings [data-code], #records [data-code]")).to_have_count(0, timeout=5_000)
    expect(page.get_by_test_id("records")).to_be_visible()
    journey.shot("person-own-file")
