"""sqlfluff stand-in for dbt's `adapter` (jinja templater only; dbt never imports this).

`adapter.dispatch('name', 'package')` resolves `duckdb__name`, else `default__name`, among
the macros sqlfluff loaded from `macros/`, like dbt does for the duckdb adapter.
"""

from jinja2 import pass_context


@pass_context
def dispatch(context, macro_name, macro_namespace=None):
    for candidate in (f"duckdb__{macro_name}", f"default__{macro_name}"):
        macro = context.get(candidate)
        if macro is not None:
            return macro
    raise KeyError(f"no duckdb__ or default__ implementation of {macro_name}")
