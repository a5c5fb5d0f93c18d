"""Variables set around a notebook run are put back, also when the run fails."""

import os

import pytest

from mlops_kit.environment_variables import environment_set


def test_values_hold_inside_and_each_name_is_as_before_afterwards(monkeypatch):
    monkeypatch.setenv("KIT_TEST_KEPT", "before")
    monkeypatch.delenv("KIT_TEST_NEW", raising=False)
    with environment_set({"KIT_TEST_KEPT": "during", "KIT_TEST_NEW": "during"}):
        assert os.environ["KIT_TEST_KEPT"] == os.environ["KIT_TEST_NEW"] == "during"
    assert os.environ["KIT_TEST_KEPT"] == "before"
    assert "KIT_TEST_NEW" not in os.environ


def test_a_failing_block_still_restores(monkeypatch):
    monkeypatch.delenv("KIT_TEST_NEW", raising=False)
    with pytest.raises(RuntimeError), environment_set({"KIT_TEST_NEW": "during"}):
        raise RuntimeError("the notebook failed")
    assert "KIT_TEST_NEW" not in os.environ
