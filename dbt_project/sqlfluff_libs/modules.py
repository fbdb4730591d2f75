"""sqlfluff stand-in for dbt's `modules` namespace."""

import re  # noqa: F401  (templates use modules.re)
