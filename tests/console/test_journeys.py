"""One test per user journey of the console, in Chromium against the real stack.

Each page visited is timed (time to usable after navigation), checked with axe-core and
photographed under tests/console/artifacts/<test>/.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from libs.common.identifiers import mask_code
from services.identity.demo import FEATURED_COMPANY, FEATURED_PERSON
from tests.console.factories import (create_company_with_representative, listed_company,
                                     submit_record)


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
    journey.visit("/", "form[role=search]", "home")
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
