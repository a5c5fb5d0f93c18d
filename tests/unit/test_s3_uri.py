"""One way to split an S3 URI, for the local backend, the labs' helpers and the checks."""

import pytest

from mlops_kit.s3_uri import NotAnS3Uri, split_s3_prefix, split_s3_uri


def test_an_object_uri_gives_its_bucket_and_key():
    assert split_s3_uri("s3://bucket/a/b/model.tar.gz") == ("bucket", "a/b/model.tar.gz")
    assert split_s3_uri("s3://bucket") == ("bucket", "")
    assert split_s3_uri("s3://bucket//a") == ("bucket", "a")


def test_a_folder_uri_gives_its_prefix_without_slashes_around_it():
    assert split_s3_prefix("s3://b/p/q/") == ("b", "p/q")
    assert split_s3_prefix("s3://b/") == ("b", "")


@pytest.mark.parametrize("not_a_uri", ["https://b/p", "s3://", "bucket/key", None, 42])
def test_anything_else_is_refused_with_what_to_write(not_a_uri):
    with pytest.raises(NotAnS3Uri, match="is not an S3 URI: write s3://bucket/key"):
        split_s3_uri(not_a_uri)
