"""A hand-made ReportData for the report's tests (cube, build, the browser): three accounts in
two segments and one CSM, with their worklist (values chosen by hand; see report_data)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from orchestration.report.load import NO_CSM, ReportData
from orchestration.worklist import Bands, Worklist

CELLS = ["cell_segment", "cell_csm"]
CALIBRATED = Bands(True, "learned", 40.0, 60.0, 0.1, 0.2)
WORKLIST_COLUMNS = [
    "account_id", "account_name", "csm_owner_name", "segment", "score", "band",
    "band_30d_before", "top_risk_reason", "mrr_at_stake", "next_renewal_date",
    "days_to_renewal", "days_past_due", "amount_overdue", "cell_segment", "cell_csm",
]  # fmt: skip


# a1: yellow, green 30 days before; a3: red then and now
WORKLIST_ROWS = [
    ("a1", "Acme", "Ana Okafor", "SMB", 50.0, "yellow", "green", "nps", 1100.0, "2025-06-25", 10,
     0, 0.0, "SMB", "81"),
    ("a3", "Initech", "Ana Okafor", "ENT", 30.0, "red", "red", "billing", 300.0, "2025-07-25", 40,
     20, 250.0, "ENT", "81"),
]  # fmt: skip


def worklist_accounts(rows: list[tuple]) -> pd.DataFrame:
    """Worklist.accounts rows (orchestration/worklist.py's columns the report reads, with the
    filter cell), from tuples in WORKLIST_COLUMNS' order."""
    frame = pd.DataFrame(rows, columns=WORKLIST_COLUMNS)
    frame["csm_owner_id"] = frame["cell_csm"]
    return frame.assign(next_renewal_date=pd.to_datetime(frame["next_renewal_date"]))


def _cells(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*CELLS, *columns])


def _mrr_row(segment, csm, month, mrr, start, paying, customers_start, churned=0, **moves):
    movements = {name: moves.get(name, 0.0) for name in (
        "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr",
        "fx_impact")}  # fmt: skip
    return (segment, csm, pd.Timestamp(month), mrr, start, paying, customers_start, churned,
            *movements.values())  # fmt: skip


MRR_COLUMNS = [
    "month", "mrr", "mrr_start", "paying_accounts", "customers_start", "customers_churned",
    "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr", "fx_impact",
]  # fmt: skip


def report_data(bands: Bands | None = None) -> ReportData:
    """Three accounts: a1 (SMB, CSM 81), a2 (SMB, no CSM), a3 (ENT, CSM 81), as of 2025-06-15.

    May -> June: a1 1000 -> 1100 (expansion 100), a2 500 -> 0 (churn), a3 new at 300."""
    accounts = pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3"],
            "csm_owner_name": ["Ana Okafor", None, "Ana Okafor"],
            "cell_segment": ["SMB", "SMB", "ENT"],
            "cell_csm": ["81", NO_CSM, "81"],
        }
    )
    mrr = _cells(
        [
            _mrr_row("SMB", "81", "2025-05-01", 1000.0, 0.0, 1, 0, new_mrr=1000.0),
            _mrr_row("SMB", NO_CSM, "2025-05-01", 500.0, 0.0, 1, 0, new_mrr=500.0),
            _mrr_row("SMB", "81", "2025-06-01", 1100.0, 1000.0, 1, 1, expansion_mrr=100.0),
            _mrr_row("SMB", NO_CSM, "2025-06-01", 0.0, 500.0, 0, 1, 1, churned_mrr=500.0),
            _mrr_row("ENT", "81", "2025-06-01", 300.0, 0.0, 1, 0, new_mrr=300.0),
        ],
        MRR_COLUMNS,
    )
    days = pd.date_range(end="2025-06-15", periods=180)
    may16 = pd.Timestamp("2025-05-16")
    return ReportData(
        as_of=date(2025, 6, 15),
        published_at=pd.Timestamp("2025-06-15 03:00"),
        accounts=accounts,
        months=pd.DataFrame(
            {
                "month": pd.to_datetime(["2025-05-01", "2025-06-01"]),
                "is_complete_month": [True, False],
            }
        ),
        cohorts=pd.DataFrame(
            {"cohort_month": pd.to_datetime(["2025-04-01"]), "is_complete": [True]}
        ),
        mrr=mrr,
        nps=_cells(
            [
                ("SMB", "81", pd.Timestamp("2025-06-01"), 3, 2, 1),
                ("ENT", "81", pd.Timestamp("2025-06-01"), 1, 0, 1),
            ],
            ["month", "responses", "promoters", "detractors"],
        ),
        csat=_cells(
            [("SMB", NO_CSM, pd.Timestamp("2025-05-01"), 4, 3)], ["month", "ratings", "satisfied"]
        ),
        trials=_cells(
            [
                ("SMB", "81", pd.Timestamp("2025-04-01"), 4, 1),
                ("ENT", "81", pd.Timestamp("2025-04-01"), 1, 1),
            ],
            ["cohort_month", "trials", "converted"],
        ),
        health=_cells(
            [
                ("SMB", "81", days[-1], 0, 1, 0),
                ("ENT", "81", days[-1], 0, 0, 1),
                ("SMB", "81", may16, 1, 0, 0),
                ("ENT", "81", days[0], 1, 0, 0),
            ],
            ["date_day", "green", "yellow", "red"],
        ),
        engagement=_cells(
            [("SMB", "81", days[-1], 2, 10, 1), ("ENT", "81", days[-1], 1, 5, 1)],
            ["date_day", "dau", "mau", "active_accounts"],
        ),
        delinquency=_cells(
            [("ENT", "81", days[-1], 250.0, 1)], ["date_day", "amount_overdue", "accounts_past_due"]
        ),
        worklist=Worklist(
            as_of=date(2025, 6, 15),
            before=date(2025, 5, 16),
            bands=bands or CALIBRATED,
            accounts=worklist_accounts(WORKLIST_ROWS),
            compared=True,
        ),
        renewals=pd.DataFrame(
            {
                "account_id": ["a3"],
                "account_name": ["Initech"],
                "csm_owner_name": ["Ana Okafor"],
                "term_end_date": pd.to_datetime(["2025-07-01"]),
                "arr_due": [3600.0],
                "health_band": ["red"],
                "health_score_change_30d": [-10.0],
                "renewal_deal_stage": [None],
                "forecast_method": ["health_band_renewal_rate"],
                "forecast_rate": [0.5],
                "forecast_arr": [1800.0],
                "cell_segment": ["ENT"],
                "cell_csm": ["81"],
            }
        ),
    )
