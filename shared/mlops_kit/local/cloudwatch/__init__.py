"""CloudWatch alarms that evaluate their metric, as moto's stored-only alarms do not."""
