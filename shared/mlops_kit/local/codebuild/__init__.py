"""CodeBuild builds that really run their buildspec."""
