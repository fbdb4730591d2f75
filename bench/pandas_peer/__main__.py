"""CLI: `python -m bench.pandas_peer --landing DIR --as-of YYYY-MM-DD [--serving FILE]`."""

import sys

from bench.pandas_peer.run import main

sys.exit(main())
