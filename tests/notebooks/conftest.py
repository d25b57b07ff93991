"""The notebooks, executed once per test run for the checks here (and the browser's pages)."""

from __future__ import annotations

import pytest

from tests.notebooks.executed_notebooks import ExecutedNotebooks, execute_in_order


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory: pytest.TempPathFactory) -> ExecutedNotebooks:
    """Notebooks 00-09 executed once per test run, in order, in fresh kernels (see executed_notebooks.py)."""
    return execute_in_order(tmp_path_factory.mktemp("executed"))
