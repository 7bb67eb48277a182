"""Classification and field extraction on hand-built line lists of many layouts."""

from __future__ import annotations

import pytest

from ocr.documents import classify, extract
from tests.unit.ocr.lines import box, page

ID_NUMBER = "11010519491231002X"


def test_id_front_label_and_value_in_one_box_with_wrapped_address() -> None:
    lines = page(
        "姓名 张三",
        ("性别 女", "民族 汉"),
        "出生 1949年12月31日",
        "住址 浙江省杭州市西湖区",
        "   文三路90号3幢201室",
        "公民身份号码 " + ID_NUMBER,
    )
    result = extract(lines)
    assert result.document_type == "resident_id_front"
    assert result.fields == {
        "name": "张三",
        "gender": "女",
        "ethnicity": "汉",
        "birth_date": "1949-12-31",
        "address": "浙江省杭州市西湖区文三路90号3幢201室",
        "id_number": ID_NUMBER,
    }
    assert result.unreadable == []


def test_id_front_labels_and_values_in_separate_boxes() -> None:
    lines = page(
        ("姓名", "王秀英"),
        ("性别", "女", "民族", "汉"),
        ("出生", "1949年12月31日"),
        ("住址", "浙江省杭州市西湖区"),
        ("", "文三路90号"),
        ("公民身份号码", ID_NUMBER.replace("X", "x")),
        column=150,
    )
    fields = extract(lines).fields
    assert fields["name"] == "王秀英"
    assert fields["gender"] == "女"
    assert fields["ethnicity"] == "汉"
    assert fields["address"] == "浙江省杭州市西湖区文三路90号"
    assert fields["id_number"] == ID_NUMBER


def test_id_front_number_repaired_only_where_the_check_agrees() -> None:
    misread = "11O1O519491231002X"  # O for 0, as engines do in digit runs
    lines = page("姓名张三", "性别男民族汉", "出生1949年12月31日", "住址北京市东城区", misread)
    assert extract(lines).fields["id_number"] == ID_NUMBER


def test_id_back_range_and_long_term() -> None:
    lines = page(
        "中华人民共和国", "居民身份证", "签发机关 杭州市公安局西湖分局", "有效期限 2015.03.01-长期"
    )
    result = extract(lines)
    assert result.document_type == "resident_id_back"
    assert result.fields == {
        "issuing_authority": "杭州市公安局西湖分局",
        "valid_from": "2015-03-01",
        "valid_to": "long-term",
    }
    lines = page(("签发机关", "某县公安局"), ("有效期限", "2016.05.06-2026.05.06"), column=150)
    assert extract(lines).fields["valid_to"] == "2026-05-06"


def test_lease_prose_contract() -> None:
    lines = page(
        "房屋租赁合同",
        "出租方（甲方）：张三",
        "身份证号：110105194912310029",
        "承租方（乙方）：李四",
        "甲方将位于杭州市西湖区文三路90号的房屋出租给乙方",
        "用于经营。租赁期限自2025年3月1日起至2027年2月28日止，",
        "租金每月5000元。",
        ("甲方（签字）：", "乙方（签字）："),
    )
    result = extract(lines)
    assert result.document_type == "lease_contract"
    assert result.fields == {
        "lessor": "张三",
        "lessee": "李四",
        "address": "杭州市西湖区文三路90号",
        "start_date": "2025-03-01",
        "end_date": "2027-02-28",
    }


def test_lease_form_with_labels_above_values_and_dotted_dates() -> None:
    # A two-column form: each label box with its value right below it.
    lines = [
        box("房屋租赁合同书", 300, 20),
        box("出租人", 40, 100),
        box("承租人", 500, 100),
        box("陈大文", 40, 140),
        box("杭州小吃有限公司", 500, 140),
        box("租赁房屋地址", 40, 220),
        box("杭州市上城区解放路18号", 40, 260),
        box("起租日期", 40, 340),
        box("到期日期", 500, 340),
        box("2025.04.01", 40, 380),
        box("20280331", 500, 380),
    ]
    result = extract(lines)
    assert result.document_type == "lease_contract"
    assert result.fields == {
        "lessor": "陈大文",
        "lessee": "杭州小吃有限公司",
        "address": "杭州市上城区解放路18号",
        "start_date": "2025-04-01",
        "end_date": "2028-03-31",
    }


def test_lease_party_b_before_party_a_and_half_width_colons() -> None:
    lines = page(
        "商铺租赁合同",
        "乙方(承租方): 李四",
        "甲方(出租方): 王五",
        "房屋地址: 上海市黄浦区南京东路100号",
        "租期: 2025-01-01 至 2026-12-31",
    )
    fields = extract(lines).fields
    assert fields["lessor"] == "王五"
    assert fields["lessee"] == "李四"
    assert fields["start_date"] == "2025-01-01"
    assert fields["end_date"] == "2026-12-31"


def test_business_licence_of_a_company_in_a_two_column_table() -> None:
    lines = page(
        "营 业 执 照",
        "统一社会信用代码 91110000600037341L",
        ("名    称", "北京某某科技有限公司", "类    型", "有限责任公司(自然人投资或控股)"),
        ("法定代表人", "张三", "注册资本", "壹佰万元整"),
        ("成立日期", "2019年03月12日", "营业期限", "2019年03月12日至长期"),
        ("住    所", "北京市海淀区中关村大街1号"),
        ("经营范围", "技术开发、技术咨询；"),
        ("", "销售电子产品。"),
        column=400,
    )
    result = extract(lines)
    assert result.document_type == "business_license"
    assert result.fields["uscc"] == "91110000600037341L"
    assert result.fields["name"] == "北京某某科技有限公司"
    assert result.fields["company_type"] == "有限责任公司（自然人投资或控股）"  # as printed
    assert result.fields["legal_representative"] == "张三"
    assert result.fields["registered_capital"] == 1_000_000
    assert result.fields["established_date"] == "2019-03-12"
    assert result.fields["address"] == "北京市海淀区中关村大街1号"
    assert result.fields["business_scope"] == "技术开发、技术咨询；销售电子产品。"
    assert result.fields["term_to"] == "long-term"


def test_business_licence_code_misread_is_repaired_by_its_check() -> None:
    lines = page("营业执照", "91110000600O3734IL", "名称 某店", "注册资本 100万元人民币")
    fields = extract(lines).fields
    assert fields["uscc"] == "91110000600037341L"
    assert fields["registered_capital"] == 1_000_000


def test_food_licence() -> None:
    lines = page(
        "食品经营许可证",
        ("经营者名称", "杭州西湖张三小吃店"),
        ("社会信用代码", "91110000600037341L"),
        ("法定代表人（负责人）", "张三"),
        ("住    所", "浙江省杭州市西湖区文三路90号"),
        ("经营场所", "浙江省杭州市西湖区文三路90号"),
        ("主体业态", "餐饮服务经营者"),
        ("许可证编号", "JY13301060012345"),
        ("有效期至", "2029年05月05日"),
        column=300,
    )
    result = extract(lines)
    assert result.document_type == "food_business_license"
    assert result.fields == {
        "licence_number": "JY13301060012345",
        "operator_name": "杭州西湖张三小吃店",
        "uscc": "91110000600037341L",
        "legal_representative": "张三",
        "address": "浙江省杭州市西湖区文三路90号",
        "valid_to": "2029-05-05",
    }


def test_low_confidence_field_is_unreadable_not_guessed() -> None:
    lines = page("房屋租赁合同", "出租方：张三", "承租方：李四")
    lines[2] = box(lines[2].text, lines[2].left, lines[2].top, confidence=0.3)
    result = extract(lines)
    assert "lessee" not in result.fields
    assert result.unreadable == ["lessee"]
    assert result.confidence["lessee"] == pytest.approx(0.3)
    assert "address" in result.missing()


def test_traditional_script_and_full_width_forms_classify() -> None:
    lines = page(
        "房屋租賃合同",
        "出租方：陳大文",
        "承租方：李四",
        "租賃期限：２０２５年１月１日至２０２６年１月１日",
    )
    result = extract(lines)
    assert result.document_type == "lease_contract"
    assert result.fields["lessor"] == "陳大文"
    assert result.fields["end_date"] == "2026-01-01"


def test_unrelated_text_is_unknown() -> None:
    assert classify(page("今天天气很好", "我们去公园散步")) == "unknown"
    assert extract(page("今天天气很好")).fields == {}


def test_impossible_date_is_kept_for_the_validator_to_reject() -> None:
    lines = page(
        "房屋租赁合同", "出租方：张三", "承租方：李四", "租赁期限自2025年2月30日起至2027年2月28日止"
    )
    assert extract(lines).fields["start_date"] == "2025-02-30"


def test_id_front_labels_run_together_with_values() -> None:
    lines = page(
        "姓名张三性别女民族汉",
        "出生1949年12月31日",
        "住址北京市东城区某街1号",
        "公民身份号码" + ID_NUMBER,
    )
    fields = extract(lines).fields
    assert (fields["name"], fields["gender"], fields["ethnicity"]) == ("张三", "女", "汉")
    assert fields["address"] == "北京市东城区某街1号"


def test_lease_dates_written_in_chinese_numerals() -> None:
    lines = page(
        "租房合同",
        "出租人：赵六",
        "承租人：钱七",
        "房屋地址：广州市天河区体育西路1号",
        "租赁期限自二〇二五年三月一日起至二〇二七年十二月三十一日止。",
    )
    fields = extract(lines).fields
    assert (fields["start_date"], fields["end_date"]) == ("2025-03-01", "2027-12-31")


def test_values_wrapped_in_a_narrow_column_and_in_a_paragraph() -> None:
    lines = [
        box("营业执照", 300, 20),
        box("名称", 40, 100),
        box("成都华信餐饮管理有", 160, 100),
        box("限公司", 160, 140),
        box("类型", 40, 190),
        box("有限责任公司（自然", 160, 190),
        box("人投资或控股）", 160, 230),
        box("法定代表人", 40, 280),
        box("张三", 200, 280),
    ]
    fields = extract(lines).fields
    assert fields["name"] == "成都华信餐饮管理有限公司"
    assert fields["company_type"] == "有限责任公司（自然人投资或控股）"
    lease = page(
        "房屋租赁合同",
        "出租方：北京华信物业管理有限公司",
        "承租方：杭州某某科技有限公司",
        "双方经友好协商订立本合同",
        "房屋坐落：北京市海淀区光明街392号幸福小区20号楼5单元1761",
        "室，建筑面积45平方米。",
    )
    fields = extract(lease).fields
    assert fields["lessee"] == "杭州某某科技有限公司"
    assert fields["address"] == "北京市海淀区光明街392号幸福小区20号楼5单元1761室"


def test_two_column_licence_address_wraps_beside_the_left_columns_next_label() -> None:
    lines = [
        box("营业执照", 400, 20),
        box("名称", 40, 100),
        box("上海华信物业管理有限公司", 160, 100),
        box("住所", 760, 100),
        box("上海市浦东新区朝阳大", 880, 100),
        box("类型", 40, 145),
        box("其他有限责任公司", 160, 145),
        box("街243号幸福小区1号楼", 880, 145),
        box("2单元985室", 880, 190),
        box("成立日期", 40, 235),
        box("2015年12月30日", 160, 235),
    ]
    fields = extract(lines).fields
    assert fields["address"] == "上海市浦东新区朝阳大街243号幸福小区1号楼2单元985室"
    assert fields["company_type"] == "其他有限责任公司"


def test_licence_term_under_its_label() -> None:
    lines = [
        box("营业执照", 300, 20),
        box("名称", 40, 100),
        box("某某科技有限公司", 60, 140),
        box("营业期限", 40, 200),
        box("2012年1月12日至长期", 60, 240),
    ]
    fields = extract(lines).fields
    assert (fields["term_from"], fields["term_to"]) == ("2012-01-12", "long-term")


def test_type_wraps_beside_a_right_column_label_and_gender_missed_by_the_engine() -> None:
    lines = [
        box("营业执照", 400, 20),
        box("类型", 40, 100),
        box("有限责任公司（自然", 160, 100),
        box("住所", 760, 120),
        box("四川省成都市武侯区", 880, 120),
        box("人投资或控股）", 160, 140),
        box("法定代表人", 40, 190),
        box("蒋德英", 200, 190),
    ]
    assert extract(lines).fields["company_type"] == "有限责任公司（自然人投资或控股）"
    card = page(
        ("姓名", "胡志强"),
        ("性别", "", "民族壮"),
        "住址 北京市海淀区光明街24号",
        "公民身份号码 11010819690925802X",
    )
    fields = extract(card).fields
    assert fields["gender"] == "女"  # 17th digit 2: even
    assert fields["birth_date"] == "1969-09-25"


def test_lease_with_sub_labels_and_a_sentence_after_the_address_label() -> None:
    lines = page(
        "房屋租赁合同",
        "出租人（甲方）姓名：张三",
        "承租人（以下简称乙方）：北京某某餐饮有限公司",
        "租赁期限为3年，自2025年3月1日至2028年2月28日",
        "房屋坐落于朝阳区建国路1号，面积50平方米",
    )
    assert extract(lines).fields == {
        "lessor": "张三",
        "lessee": "北京某某餐饮有限公司",
        "address": "朝阳区建国路1号",
        "start_date": "2025-03-01",
        "end_date": "2028-02-28",
    }


def test_label_cut_in_two_boxes_and_a_term_wrapping_onto_the_next_line() -> None:
    lines = [
        box("营业执照", 300, 20),
        box("名称：", 40, 100),
        box("某某有限公司", 200, 100),
        box("营业期限：", 560, 100),
        box("2023年11月13日至长", 700, 100),
        box("期", 700, 140),
        box("住", 40, 190),
        box("所：", 100, 190),
        box("山东省济南市历下区人民路378号", 200, 190),
    ]
    fields = extract(lines).fields
    assert fields["address"] == "山东省济南市历下区人民路378号"
    assert (fields["term_from"], fields["term_to"]) == ("2023-11-13", "long-term")


def test_two_columns_run_into_one_box_split_at_the_next_label_and_the_name_runs_on() -> None:
    lines = [
        box("营业执照", 400, 140),
        box("统一社会信用代码 91110000600037341L", 100, 240),
        box("名称", 100, 311),
        # The detector took the right column's label into the name's box.
        box("北京天成物业管理成立日期", 295, 314),
        box("2020年03月24日", 752, 312),
        box("有限公司", 295, 357),
        box("类型", 100, 426),
        box("有限责任公司", 296, 429),
    ]
    reading = extract(lines)
    assert reading.document_type == "business_license"
    assert reading.fields["name"] == "北京天成物业管理有限公司"
    assert reading.fields["established_date"] == "2020-03-24"


def test_a_spaced_label_whose_first_character_the_detector_lost_still_labels_its_value() -> None:
    # "名    称" printed spaced out: the detector found only "称：" (the lone 名 was missed).
    lines = page(
        "营业执照",
        "统一社会信用代码 91110000600037341L",
        ("称：北京某某科技有限公司", "类    型", "有限责任公司"),
        ("法定代表人", "张三", "注册资本", "壹佰万元整"),
        ("住    所", "北京市海淀区中关村大街1号"),
        column=400,
    )
    fields = extract(lines).fields
    assert fields["name"] == "北京某某科技有限公司"
    assert fields["company_type"] == "有限责任公司"


def test_a_lone_tail_character_without_a_colon_is_not_taken_for_a_label() -> None:
    lines = page(
        "营业执照",
        "统一社会信用代码 91110000600037341L",
        ("称北京某某科技有限公司", "类    型", "有限责任公司"),
    )
    assert "name" not in extract(lines).fields
