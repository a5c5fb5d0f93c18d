import boto3


def test_s3_round_trip_over_http(server_url):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="smoke")
    s3.put_object(Bucket="smoke", Key="a.txt", Body=b"hello")
    assert s3.get_object(Bucket="smoke", Key="a.txt")["Body"].read() == b"hello"
