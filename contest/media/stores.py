"""Choosing the storage backend from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from obstore.store import S3Store

from contest.media.bucket import BucketStore
from contest.media.storage import Storage, UploadStore


class StorageSettings(Protocol):
    """What choosing and reaching a backend needs (``contest.settings.Settings`` has it all; media cannot
    import it)."""

    @property
    def storage(self) -> str: ...
    @property
    def upload_dir(self) -> Path: ...
    @property
    def s3_bucket(self) -> str: ...
    @property
    def s3_endpoint(self) -> str: ...
    @property
    def s3_region(self) -> str: ...
    @property
    def s3_access_key_id(self) -> str: ...
    @property
    def s3_secret_access_key(self) -> str: ...
    @property
    def s3_virtual_hosted(self) -> bool: ...


def open_store(settings: StorageSettings) -> Storage:
    """The backend the settings name: the local upload folder, or the S3-compatible bucket."""
    if settings.storage == "s3":
        bucket = S3Store(
            settings.s3_bucket, endpoint=settings.s3_endpoint or None, region=settings.s3_region,
            access_key_id=settings.s3_access_key_id or None, secret_access_key=settings.s3_secret_access_key or None,
            virtual_hosted_style_request=settings.s3_virtual_hosted,
            client_options={"allow_http": settings.s3_endpoint.startswith("http://")},
        )
        return BucketStore(settings.upload_dir, bucket)
    return UploadStore(settings.upload_dir)
