"""S3 data in and out of a job's directory, through moto's own S3 backend.

In the server process the job reads and writes moto's S3 backend directly rather than
calling boto3 against the server: no HTTP round trip per object, no need to know the
server's port, and the learner's boto3 calls see exactly the same objects.

Layout as on SageMaker: an S3 prefix ``s3://b/data/train`` brings every object whose key
starts with ``data/train``, each placed under the local path by its key relative to the
prefix when the prefix is a folder (``data/train/a.csv`` -> ``a.csv``, as a pipeline's
evaluation step reads ``/opt/ml/processing/test/test.csv`` from the preprocessing output
``.../test``), else relative to the prefix's folder (``data/train.csv`` -> ``train.csv``).
"""

from pathlib import Path

from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends

from ...s3_uri import NotAnS3Uri, split_s3_uri
from .failure import JobFailed


def _location(uri: str) -> tuple[str, str]:
    """(bucket, key), or the job fails with a ClientError as SageMaker's would."""
    try:
        return split_s3_uri(uri)
    except NotAnS3Uri as error:
        raise JobFailed(f"ClientError: {error}") from error


def _s3(account_id: str):
    return s3_backends[account_id]["aws"]


def download_prefix(account_id: str, region: str, role_arn: str, uri: str, destination: Path) -> list[Path]:
    """Copy every object under an S3 prefix into ``destination``; fail as SageMaker does if none."""
    bucket_name, prefix = _location(uri)
    backend = _s3(account_id)
    try:
        bucket = backend.get_bucket(bucket_name)
        keys, _, _, _ = backend.list_objects(bucket, prefix, None, None, None)
    except MissingBucket:
        keys = []
    folder = prefix[: prefix.rfind("/") + 1] if "/" in prefix else ""
    written = []
    for key in keys:
        if key.name.endswith("/"):
            continue
        inside_prefix = key.name.startswith(prefix.rstrip("/") + "/")
        target = destination / (key.name[len(prefix):].lstrip("/") if inside_prefix
                                else key.name[len(folder):])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(key.value)
        written.append(target)
    if not written:
        raise JobFailed(
            f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data source. '
            f"Please ensure that the bucket exists in the selected region ({region}), that "
            f'objects exist under that S3 prefix, and that the role "{role_arn}" has '
            f'"s3:ListBucket" permissions on bucket "{bucket_name}".'
        )
    destination.mkdir(parents=True, exist_ok=True)
    return written


def upload_file(account_id: str, path: Path, uri: str) -> None:
    bucket_name, key = _location(uri)
    try:
        _s3(account_id).put_object(bucket_name, key, path.read_bytes())
    except MissingBucket as error:
        raise JobFailed(
            f"ClientError: Cannot upload to {uri}: bucket {bucket_name!r} does not exist. "
            "Create it first, or use the session's default bucket."
        ) from error


def upload_directory(account_id: str, directory: Path, uri: str) -> list[str]:
    """Upload every file under ``directory`` to ``uri/<relative path>``; return the URIs."""
    base = uri.rstrip("/")
    uploaded = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        target = f"{base}/{path.relative_to(directory).as_posix()}"
        upload_file(account_id, path, target)
        uploaded.append(target)
    return uploaded
