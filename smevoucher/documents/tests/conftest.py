import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test stores into its own folder (Django resets the storages when STORAGES changes)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path
