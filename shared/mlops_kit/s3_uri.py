"""S3 URIs, split one way everywhere: ``s3://bucket/a/b`` -> ("bucket", "a/b").

The local backend, the labs' helpers and the checks all read URIs that learners and the
SDK write; one definition keeps them agreeing on what a prefix is.
"""


class NotAnS3Uri(ValueError):
    """The text is not ``s3://bucket/...``; callers say it in their own terms (job, check)."""


def split_s3_uri(uri: object) -> tuple[str, str]:
    """(bucket, key) of an object URI; the key has no leading slash ("" for a bare bucket)."""
    bucket, _, key = uri[len("s3://"):].partition("/") if isinstance(uri, str) and uri.startswith("s3://") else ("", "", "")
    if not bucket:
        raise NotAnS3Uri(f"{uri!r} is not an S3 URI: write s3://bucket/key.")
    return bucket, key.lstrip("/")


def split_s3_prefix(uri: object) -> tuple[str, str]:
    """(bucket, prefix) of a folder URI, without slashes around the prefix (``s3://b/a/`` -> "a")."""
    bucket, key = split_s3_uri(uri)
    return bucket, key.strip("/")
