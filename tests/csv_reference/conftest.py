import pathlib

import pytest


def pytest_addoption(parser):
    parser.addoption("--csv-dump", required=True, help="path of the csv_dump test tool")
    parser.addoption("--shared-data", required=True, help="folder holding products-head-2000.csv")


@pytest.fixture(scope="session")
def csv_dump(request):
    return request.config.getoption("--csv-dump")


@pytest.fixture(scope="session")
def shared_data(request):
    return pathlib.Path(request.config.getoption("--shared-data"))
