"""The citizen's search over the shipped catalog: a table of everyday phrasings, and the CLI.

The table is the measure of the matcher: each phrasing must find its item in the top 3 (the
choose screen shows three results without scrolling). ``test_share_found_in_top_3`` prints the
share; the matcher keeps every synonym in the catalog data, not in code.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assets import load_catalog
from kiosk.services.search import FILLERS, CatalogSearch, fold, strip_fillers

PHRASINGS: list[tuple[str, str]] = [
    # Everyday Chinese, the way people ask at the counter
    ("我要开餐馆", "open-restaurant"),
    ("想开个饭店", "open-restaurant"),
    ("开小吃店怎么办", "open-restaurant"),
    ("我要开个体户", "sole-proprietor-registration"),
    ("做生意办执照", "sole-proprietor-registration"),
    ("我要打社保证明", "si-insured-certificate"),
    ("交社保的记录", "si-insured-certificate"),
    ("退休金证明", "pension-payment-certificate"),
    ("丢了工作怎么办", "unemployment-benefit"),
    ("到年龄了办退休", "retirement-application"),
    ("医保证明", "medical-insurance-certificate"),
    ("去外地看病", "medical-referral-filing"),
    ("医药费报销", "medical-reimbursement"),
    ("公积金证明", "housing-fund-deposit-certificate"),
    ("贷款买房要的证明", "housing-fund-deposit-certificate"),
    ("取公积金交房租", "housing-fund-rent-withdrawal"),
    ("无房证明", "property-record-certificate"),
    ("查我名下有没有房", "property-record-certificate"),
    ("房贷还清了解押", "mortgage-cancellation"),
    ("餐饮许可证", "food-business-license"),
    ("打印营业执照", "business-license-print"),
    ("关店注销", "sole-proprietor-deregistration"),
    ("结婚证明", "marriage-record-certificate"),
    ("我们要领证结婚", "marriage-registration"),
    ("生活困难申请低保", "subsistence-allowance"),
    ("居住证签注", "residence-permit-endorsement"),
    ("居住证年审", "residence-permit-endorsement"),
    ("外地人办居住证", "residence-permit-application"),
    ("开良民证", "no-criminal-record-certificate"),
    ("政审要的无犯罪证明", "no-criminal-record-certificate"),
    ("户口证明", "household-registration-certificate"),
    ("个税完税证明", "tax-payment-certificate"),
    ("代开发票", "invoice-issuance"),
    ("老年证", "elder-card"),
    ("坐公交免费的卡", "elder-card"),
    ("80岁补贴", "elder-allowance"),
    ("残疾人护理补贴", "disability-subsidy"),
    ("老人上门服务", "home-care-service"),
    ("办到哪了", "case-progress"),
    ("收到短信来拿证", "certificate-collect"),
    ("入职要的证明", "new-job-bundle"),
    ("老人优待一件事", "elder-benefits"),
    # Traditional characters
    ("營業執照", "business-license-print"),
    ("無犯罪記錄證明", "no-criminal-record-certificate"),
    ("公積金繳存證明", "housing-fund-deposit-certificate"),
    ("開餐館", "open-restaurant"),
    ("居住證簽注", "residence-permit-endorsement"),
    # Pinyin initials, as typed on the letter pad
    ("jzz", "residence-permit-endorsement"),
    ("gjj", "housing-fund-deposit-certificate"),
    ("yyzz", "business-license-print"),
    ("wfzm", "property-record-certificate"),
    ("lnz", "elder-card"),
    ("kcg", "open-restaurant"),
    ("sbzm", "si-insured-certificate"),
    ("ybpz", "medical-insurance-certificate"),
    ("hjzm", "household-registration-certificate"),
    # Whole pinyin
    ("juzhuzheng", "residence-permit-endorsement"),
    ("gongjijin", "housing-fund-deposit-certificate"),
    ("kai canguan", "open-restaurant"),
    ("yibao", "medical-insurance-certificate"),
    ("jindu", "case-progress"),
    # English
    ("open a restaurant", "open-restaurant"),
    ("residence permit", "residence-permit-endorsement"),
    ("housing fund", "housing-fund-deposit-certificate"),
    ("medical insurance certificate", "medical-insurance-certificate"),
    ("no criminal record", "no-criminal-record-certificate"),
    ("business licence", "business-license-print"),
    ("pension", "pension-payment-certificate"),
    ("lost my job", "unemployment-benefit"),
    ("senior card", "elder-card"),
    ("case status", "case-progress"),
    ("income tax record", "tax-payment-certificate"),
]


@pytest.fixture(scope="module")
def search() -> CatalogSearch:
    return CatalogSearch(load_catalog())


def test_the_table_covers_every_item_and_has_enough_phrasings() -> None:
    ids = {item.id for item in load_catalog().items}
    assert len(PHRASINGS) >= 60
    assert {item_id for _, item_id in PHRASINGS} <= ids
    # Most items are asked for at least once.
    assert len({item_id for _, item_id in PHRASINGS}) >= len(ids) - 2


def test_share_found_in_top_3(search: CatalogSearch) -> None:
    missed = []
    for query, expected in PHRASINGS:
        top = [hit.item.id for hit in search.search(query, limit=3)]
        if expected not in top:
            missed.append((query, expected, top))
    share = 1 - len(missed) / len(PHRASINGS)
    sys.stdout.write(
        f"search: {len(PHRASINGS) - len(missed)}/{len(PHRASINGS)} in top 3 ({share:.0%})\n"
    )
    assert share >= 0.95, missed


def test_the_restaurant_phrase_puts_the_bundle_first(search: CatalogSearch) -> None:
    assert search.search("我要开餐馆")[0].item.id == "open-restaurant"


def test_nonsense_and_blank_find_nothing(search: CatalogSearch) -> None:
    assert search.search("") == []
    assert search.search("   ") == []
    assert search.search("qqqqxz") == []
    assert search.search("１２３") == []


def test_folding_and_fillers() -> None:
    assert fold("ＪＺＺ") == "jzz"
    assert fold("營業執照") == "营业执照"
    assert strip_fillers("我要开餐馆") == "开餐馆"
    # A query that is nothing but filler keeps its words rather than becoming empty.
    assert strip_fillers("我要") == "我要"
    assert "我要" in FILLERS


def test_suggestions_are_the_most_used_items_phrases(search: CatalogSearch) -> None:
    phrases = search.suggestions(4)
    assert len(phrases) == 4
    for phrase in phrases:
        assert search.search(phrase, limit=3)


def _kiosk(*args: str, tmp_path: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(tmp_path) + "/none.toml", "catalog", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_cli_list_json_has_exactly_the_fixed_shape(tmp_path: object) -> None:
    done = _kiosk("list", "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    catalog = load_catalog()
    assert [e["id"] for e in entries] == [item.id for item in catalog.items]
    for entry in entries:
        assert set(entry) == {"id", "title", "category", "kind", "bundle_of"}
        assert set(entry["title"]) == {"zh", "en"}
        assert entry["kind"] in ("instant", "materials", "bundle", "service", "handoff")
    restaurant = next(e for e in entries if e["id"] == "open-restaurant")
    assert restaurant["bundle_of"] == ["sole-proprietor-registration", "food-business-license"]


def test_cli_search_best_first_with_a_limit(tmp_path: object) -> None:
    done = _kiosk("search", "jzz", "--json", "--limit", "2", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    assert [e["id"] for e in entries] == [
        "residence-permit-endorsement",
        "residence-permit-application",
    ]
    bad = _kiosk("search", "jzz", "--limit", "0", tmp_path=tmp_path)
    assert bad.returncode == 2 and "limit" in bad.stderr
