"""`python -m bench.peer_main LANDING AS_OF OUT`: run the pandas peer alone (so its time and
memory are its own) and write each mart it computes to OUT/<mart>.pkl (pickle keeps the
dtypes; parquet would need pyarrow, which the environment does not have)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from bench.pandas_peer import compute


def main(landing: Path, as_of: date, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for mart, frame in compute(landing, as_of).items():
        frame.to_pickle(out / f"{mart}.pkl")
        print(f"{mart}: {len(frame)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]), date.fromisoformat(sys.argv[2]), Path(sys.argv[3]))
