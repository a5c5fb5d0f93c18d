"""Model Monitor: monitoring schedules, their executions on the kit's clock, their CloudWatch metrics."""
