"""Choosing the storage backend: the local folder by default, the bucket when the environment names one."""

from __future__ import annotations

import pytest

from contest.media.bucket import BucketStore
from contest.media.storage import UploadStore
from contest.media.stores import open_store
from contest.settings import ConfigurationError, load_settings

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def test_the_default_is_the_local_upload_folder(tmp_path):
    settings = load_settings({"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_UPLOAD_DIR": str(tmp_path / "up")})
    store = open_store(settings)
    assert (type(store), store.root) == (UploadStore, tmp_path / "up")


def test_s3_settings_open_the_bucket_with_a_local_tmp(tmp_path):
    settings = load_settings({
        "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_UPLOAD_DIR": str(tmp_path / "up"), "CONTEST_STORAGE": "s3",
        "CONTEST_S3_BUCKET": "wenchuang", "CONTEST_S3_ENDPOINT": "https://oss-cn-hangzhou.aliyuncs.com/",
        "CONTEST_S3_ACCESS_KEY_ID": "id", "CONTEST_S3_SECRET_ACCESS_KEY": "Kz8-s3-credential", "CONTEST_S3_VIRTUAL_HOSTED": "1"})
    store = open_store(settings)
    assert isinstance(store, BucketStore)
    assert (store.bucket.config["bucket"], store.tmp) == ("wenchuang", tmp_path / "up" / "tmp")
    assert (settings.s3_endpoint, settings.s3_virtual_hosted) == ("https://oss-cn-hangzhou.aliyuncs.com", True)
    assert "Kz8-s3-credential" not in repr(settings)


@pytest.mark.parametrize("env", [{"CONTEST_STORAGE": "s3"}, {"CONTEST_STORAGE": "ftp"}])
def test_a_storage_the_app_cannot_open_is_refused_at_start(tmp_path, env):
    with pytest.raises(ConfigurationError, match="CONTEST_STORAGE"):
        load_settings({"CONTEST_DATA_DIR": str(tmp_path), **env})
