"""The notebooks, executed once per test run for the checks here (and the browser's pages)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.helpers import chromium
from tests.notebooks.executed_notebooks import ExecutedNotebooks, execute_in_order, execute_once


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory: pytest.TempPathFactory) -> ExecutedNotebooks:
    """Notebooks 00-09 executed once per test run, in order, in fresh kernels (see executed_notebooks.py).
    Under pytest-xdist the workers share one execution: the site's and JupyterLab's modules run on
    different workers, and the second to ask waits for the first's instead of executing them again."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return execute_once(tmp_path_factory.getbasetemp().parent / "executed-notebooks")
    return execute_in_order(tmp_path_factory.mktemp("executed"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched
