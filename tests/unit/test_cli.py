import importlib

import pytest

from mlops_kit import cli


def test_usage_lists_every_command(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for verb in cli.COMMANDS:
        assert verb in out


def test_unknown_command_names_it_and_exits_2(capsys):
    assert cli.main(["grde"]) == 2
    assert "unknown command 'grde'" in capsys.readouterr().err


@pytest.mark.parametrize("verb", sorted(cli.COMMANDS))
def test_every_command_module_has_a_main(verb):
    module = importlib.import_module(cli.COMMANDS[verb][0])
    assert callable(module.main)
