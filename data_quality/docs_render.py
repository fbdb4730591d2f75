"""Data Docs renderers that tell a blocking failure from a warning.

GX 1.x stores each expectation's `severity` (rules.Rule.build: `critical` for a blocking rule,
`warning` for a warning) in the suite and in every validation result, but its Data Docs draw
every failure with the same red cross. The site (runner._context) is configured with these
subclasses of GX's own renderers, through the `renderer` / `table_renderer` settings GX offers
for that, so the severity is read from the validation result, never guessed from the HTML:

- a validation page's Status cell says "blocking — nothing published" (red) or
  "warning — published anyway" (amber) for a failed expectation;
- the index's Status cell says the same of a validation result, by its worst failure.
"""

from __future__ import annotations

import logging
from typing import Any

from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.renderer.content_block import (
    ValidationResultsTableContentBlockRenderer,
)
from great_expectations.render.renderer.site_index_page_renderer import SiteIndexPageRenderer

log = logging.getLogger(__name__)

BLOCKING = "blocking"
WARNING = "warning"
# What a failure of each severity does, as the pages say it.
FAILURE_LABELS = {
    BLOCKING: "blocking — nothing published",
    WARNING: "warning — published anyway",
}
_ICONS = {
    BLOCKING: ["fas", "fa-times-circle", "text-danger"],
    WARNING: ["fas", "fa-exclamation-circle", "text-warning"],
}
_TEXT_CLASSES = {BLOCKING: "text-danger", WARNING: "text-warning"}


def severity_of(severity: Any) -> str:
    """`blocking` for GX's `critical` (also its default), `warning` for warning and info."""
    value = getattr(severity, "value", severity)
    return WARNING if value in ("warning", "info") else BLOCKING


def failure_cell(
    severity: str, extra_classes: tuple[str, ...] = ()
) -> RenderedStringTemplateContent:
    """An icon and the label of a failure of `severity`, with classes tests and CSS can find."""
    return RenderedStringTemplateContent(
        content_block_type="string_template",
        string_template={
            "template": "$icon $label",
            "params": {"icon": "", "label": FAILURE_LABELS[severity]},
            "styling": {
                "params": {
                    "icon": {"tag": "i", "classes": _ICONS[severity]},
                    "label": {"tag": "strong", "classes": [_TEXT_CLASSES[severity]]},
                },
                "classes": ["dq-severity", f"dq-severity-{severity}", *extra_classes],
            },
        },
    )


class SeverityValidationResultsTableRenderer(ValidationResultsTableContentBlockRenderer):
    """GX's table of a validation page; a failed row's Status cell names its severity."""

    @classmethod
    def _get_content_block_fn(cls, expectation_type: str, expectation_config: Any = None):
        row_fn = super()._get_content_block_fn(
            expectation_type=expectation_type, expectation_config=expectation_config
        )
        if row_fn is None:
            return None

        def row_with_severity(*args: Any, **kwargs: Any) -> Any:
            rows = row_fn(*args, **kwargs)
            result = kwargs.get("result")
            if result is None or result.success or not rows:
                return rows
            config = result.expectation_config
            severity = severity_of(getattr(config, "severity", None))
            rows[0][0] = failure_cell(severity)  # the Status column (header_row[0])
            return rows

        return row_with_severity


class SeveritySiteIndexPageRenderer(SiteIndexPageRenderer):
    """GX's index page; a failed validation result's Status names its worst failure."""

    def __init__(self, data_context: Any = None) -> None:
        super().__init__()
        self._data_context = data_context

    def render(self, index_links_dict):  # type: ignore[override]
        for link in index_links_dict.get("validations_links", []):
            if link.get("validation_success") is False:
                link["dq_severity"] = self._worst_failure(link)
        return super().render(index_links_dict)

    def _worst_failure(self, link: dict) -> str | None:
        if self._data_context is None:
            return None
        try:
            result = self._data_context.get_validation_result(
                batch_identifier=link["batch_identifier"],
                expectation_suite_name=link["expectation_suite_name"],
                run_id=link["run_id"],
            )
            worst = result.get_max_severity_failure()
        except Exception as error:  # the index must build even if one result is unreadable
            log.warning("no severity for %s: %s", link.get("filepath"), error)
            return None
        return None if worst is None else severity_of(worst)

    @classmethod
    def _generate_validation_results_link_table(cls, index_links_dict):
        table = super()._generate_validation_results_link_table(index_links_dict)
        # GX builds one row per link, in order; if that ever changes, keep its rows as they are
        # (an exception here would leave the index page empty).
        links = index_links_dict.get("validations_links", [])
        if len(links) != len(table.table_data):
            log.warning("index rows do not match validation results: severities not shown")
            return table
        for link, row in zip(links, table.table_data, strict=True):
            severity = link.get("dq_severity")
            if severity is None:
                continue
            row["validation_success"] = failure_cell(
                severity, ("ge-index-page-table-validation-links-item",)
            )
            row["_validation_success_text"] = f"Failed: {FAILURE_LABELS[severity]}"
        return table
