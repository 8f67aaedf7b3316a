import pytest

from filmstudio.storage import LocalStore


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "store")
