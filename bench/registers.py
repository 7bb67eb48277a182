"""The hall's sealed registers: the one-time conversion of an older hall's rows, and a lookup.

An older hall kept ``residents``, ``social_insurance_records`` and ``register_records`` in clear;
migration 0010 sets them aside and the first start seals them (``hall.registers``). Two figures,
each against a baseline measured in the same run on the same database:

* conversion: sealing N residents with a record in each table, against writing those rows in
  clear (the older hall's own bulk insert, the baseline);
* lookup: what a decision reads (resident and insurance record through the keyed hash, opened),
  against the older hall's clear ``SELECT ... WHERE id_number = ?`` of the same rows (baseline).

``python -m bench registers [--residents N] [--database sqlite|postgresql]`` (default 20,000 on
SQLite; PostgreSQL on a throwaway cluster the bench starts). Prints one JSON report and keeps it
in ``bench/results/registers.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from hall import migrations, registers
from hall.db import Database
from hall.keys import MemoryKeyProvider, Sealer
from tests.fixtures.old_hall import OLD_INSURANCE, OLD_RECORDS, OLD_RESIDENTS

RESULTS = Path(__file__).with_name("results") / "registers.json"
LOOKUPS = 2000


def _id_number(i: int) -> str:
    """A made-up 18-character number, unique per ``i`` (the check character is not computed)."""
    return f"1101051952{i:07d}X"


def _old_rows(n: int) -> tuple[list[dict[str, Any]], ...]:
    residents = [
        {
            "id_number": _id_number(i),
            "name": f"居民{i}",
            "gender": "女" if i % 2 else "男",
            "birth_date": dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000),
            "household_address": f"北京市朝阳区建国路{i % 500}号",
        }
        for i in range(n)
    ]
    insurance = [
        {
            "id_number": r["id_number"],
            "insured_since": dt.date(1975, 7, 1),
            "unit": "北京市朝阳区退休人员社会化管理服务中心",
            "category": "retiree",
            "insurance_kinds": ["退休人员基本养老保险"],
            "months_paid": 321,
            "status": "active",
        }
        for r in residents
    ]
    records = [
        {"register": "property", "id_number": r["id_number"], "data": {"count": 1}}
        for r in residents
    ]
    return residents, insurance, records


def _measure(database_url: str, n: int) -> dict[str, Any]:
    db = Database(database_url)
    sealer = Sealer(MemoryKeyProvider())
    try:
        migrations.upgrade(db.engine, "0009_releases")
        residents, insurance, records = _old_rows(n)
        started = time.perf_counter()
        with db.engine.begin() as connection:  # baseline: the older hall writing them in clear
            connection.execute(OLD_RESIDENTS.insert(), residents)
            connection.execute(OLD_INSURANCE.insert(), insurance)
            connection.execute(OLD_RECORDS.insert(), records)
        clear_write_s = time.perf_counter() - started
        numbers = [_id_number(i) for i in range(0, n, max(n // LOOKUPS, 1))][:LOOKUPS]
        started = time.perf_counter()
        with db.engine.connect() as connection:  # baseline: the older hall's clear lookups
            for number in numbers:
                connection.execute(
                    text("SELECT * FROM residents WHERE id_number = :n"), {"n": number}
                ).one()
                connection.execute(
                    text("SELECT * FROM social_insurance_records WHERE id_number = :n"),
                    {"n": number},
                ).all()
        clear_lookup_s = time.perf_counter() - started
        db.migrate()
        started = time.perf_counter()
        converted = registers.seal_legacy_registers(db, sealer)
        convert_s = time.perf_counter() - started
        assert converted == 3 * n
        started = time.perf_counter()
        with db.read() as session:
            for number in numbers:
                assert registers.resident(session, sealer, number) is not None
                assert registers.insurance(session, sealer, number) is not None
        sealed_lookup_s = time.perf_counter() - started
    finally:
        db.dispose()
    return {
        "rows": 3 * n,
        "clear_write_s": round(clear_write_s, 3),
        "convert_s": round(convert_s, 3),
        "convert_rows_per_s": round(3 * n / convert_s),
        "convert_vs_clear_write": round(convert_s / clear_write_s, 2),
        "lookups": len(numbers),
        "clear_lookup_us": round(clear_lookup_s / len(numbers) * 1e6, 1),
        "sealed_lookup_us": round(sealed_lookup_s / len(numbers) * 1e6, 1),
        "sealed_vs_clear_lookup": round(sealed_lookup_s / clear_lookup_s, 2),
    }


def main() -> None:
    """Run the benchmark with the command line's options and print its report."""
    parser = argparse.ArgumentParser(prog="python -m bench registers")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database == "postgresql":
            from tests.fixtures.pgcluster import PostgresCluster

            cluster = PostgresCluster()
            cluster.start()
            try:
                result = _measure(cluster.create_database("bench_registers"), args.residents)
            finally:
                cluster.stop()
        else:
            result = _measure(f"sqlite:///{Path(tmp) / 'hall.db'}", args.residents)
    report = {"benchmark": "registers", "database": args.database, **result}
    print(json.dumps(report))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
