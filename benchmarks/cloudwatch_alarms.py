"""Benchmark: CloudWatch alarm evaluation on the local backend.

Run: .venv/bin/python benchmarks/cloudwatch_alarms.py [--alarms 24] [--hours 168]
Starts its own local server (a separate process, as a learner's notebook talks to it) and
measures, with one alarm per monitored feature (lab 4 has 23 features + the score):
- PutMetricData of one drift value per feature per hour for a week of simulated hours
  (every call evaluates the alarms on the metrics it carries), per-call latency;
- ``clock.advance(hours=1)`` with every alarm evaluated again over that stored week.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlops_kit.local import clock  # noqa: E402
from local_server import fresh_local_server  # noqa: E402

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
DIMENSIONS = [{"Name": "Endpoint", "Value": "bench-ep"}, {"Name": "MonitoringSchedule", "Value": "bench-ms"}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alarms", type=int, default=24)
    parser.add_argument("--hours", type=int, default=168)
    args = parser.parse_args()
    with fresh_local_server():
        cw = boto3.client("cloudwatch")
        names = [f"feature_baseline_drift_f{index}" for index in range(args.alarms)]
        for name in names:
            cw.put_metric_alarm(AlarmName=name, Namespace=NAMESPACE, MetricName=name, Dimensions=DIMENSIONS,
                                Statistic="Maximum", Period=3600, EvaluationPeriods=3, DatapointsToAlarm=2,
                                Threshold=0.1, ComparisonOperator="GreaterThanThreshold")
        start = clock.server_time().replace(minute=0, second=0, microsecond=0) - timedelta(hours=args.hours)
        latencies = []
        for hour in range(args.hours):
            data = [{"MetricName": name, "Dimensions": DIMENSIONS, "Value": 0.05 + 0.1 * (hour % 2),
                     "Timestamp": start + timedelta(hours=hour)} for name in names]
            began = time.perf_counter()
            cw.put_metric_data(Namespace=NAMESPACE, MetricData=data)
            latencies.append(time.perf_counter() - began)
        began = time.perf_counter()
        clock.advance(hours=1)
        advance = time.perf_counter() - began
        states = [alarm["StateValue"] for alarm in cw.describe_alarms()["MetricAlarms"]]
    print(f"alarms: {args.alarms}, stored datapoints: {args.alarms * args.hours}")
    print(f"PutMetricData ({args.alarms} values, evaluating {args.alarms} alarms): "
          f"median {statistics.median(latencies) * 1000:.1f} ms, last {latencies[-1] * 1000:.1f} ms")
    print(f"clock.advance(hours=1) re-evaluating every alarm: {advance * 1000:.1f} ms")
    print(f"final states: {dict((state, states.count(state)) for state in set(states))}")


if __name__ == "__main__":
    main()
