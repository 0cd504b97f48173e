"""Every command has help, and the group's command list says what each command says."""

from __future__ import annotations

import click
import pytest

from reprints.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_matching_the_group_listing(runner, name):
    result = runner.invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = main.get_command(click.Context(main), name)
    assert command.get_short_help_str(limit=200) == COMMANDS[name][1]


def test_group_help_lists_every_command(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output


def test_unknown_command_is_a_clear_error(runner):
    result = runner.invoke(main, ["scna"])
    assert result.exit_code != 0
    assert "No such command" in result.output
