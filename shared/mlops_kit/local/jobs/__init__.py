"""What the local backend's training and processing jobs share: staging, logs, images, threads."""

SEAMS: list[tuple] = [  # S3 staging, job logs, job times.
    ("moto.core.utils.utcnow", "callable"),
    ("moto.s3.models.S3Backend.get_bucket", "callable", ("bucket_name",)),
    ("moto.s3.models.S3Backend.list_objects", "callable",
     ("bucket", "prefix", "delimiter", "marker", "max_keys")),
    ("moto.s3.exceptions.MissingBucket", "class"),
    ("moto.logs.models.logs_backends", "attribute"),
    ("moto.logs.models.LogsBackend.create_log_group", "callable", ("log_group_name", "tags")),
    ("moto.logs.models.LogsBackend.ensure_log_stream", "callable", ("log_group_name", "log_stream_name")),
    ("moto.logs.models.LogsBackend.put_log_events", "callable",
     ("log_group_name", "log_stream_name", "log_events")),
    ("moto.logs.exceptions.ResourceAlreadyExistsException", "class"),
]
