"""The closing summary's layout: long lists print in two columns so the summary fits a screen."""

from __future__ import annotations

from orchestration.cli import _print_two_columns


def test_two_columns_keep_order_top_to_bottom_then_left_to_right(capsys) -> None:
    _print_two_columns(["a  1", "bb  2", "c  3"])
    assert capsys.readouterr().out.splitlines() == ["  a  1     c  3", "  bb  2"]
