"""sqlfluff stand-in for dbt's `exceptions` namespace."""


def raise_compiler_error(message):
    raise RuntimeError(message)
