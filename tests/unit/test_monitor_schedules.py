"""SageMaker's cron rules for monitoring schedules, their ticks, and analysis windows."""

from datetime import datetime, timedelta, timezone

import pytest

from mlops_kit.local.model_monitor.analyzer.datasets import DatasetError, parse_capture_line, read_csv_dataset
from mlops_kit.local.model_monitor.schedules import (
    ScheduleError, analysis_window, parse_cron, parse_offset, validate_schedule_config,
)

T = datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("expression, next_ticks", [
    ("cron(0 * ? * * *)", ["18:00", "19:00"]),
    ("cron(0 5 ? * * *)", ["05:00", "05:00"]),
    ("cron(0 17/12 ? * * *)", ["17:00", "17:00"]),
    ("cron(0 0/6 ? * * *)", ["18:00", "00:00"]),
])
def test_supported_expressions_tick_on_their_hours(expression, next_ticks):
    cron = parse_cron(expression)
    first = cron.next_tick(T)
    second = cron.next_tick(first)

    assert [f"{first:%H:%M}", f"{second:%H:%M}"] == next_ticks
    assert first > T and second > first


@pytest.mark.parametrize("expression", ["cron(30 * ? * * *)", "cron(0 * 1 * ? *)", "cron(0 -1 ? * * *)",
                                        "cron(0 1/x ? * * *)", "0 * ? * * *", "now", ""])
def test_unsupported_expressions_are_refused(expression):
    with pytest.raises(ScheduleError, match="Invalid ScheduleExpression"):
        parse_cron(expression)


def test_now_is_one_time_and_needs_its_window():
    assert parse_cron("NOW").one_time
    with pytest.raises(ScheduleError, match="needs DataAnalysisStartTime and DataAnalysisEndTime"):
        validate_schedule_config({"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H"})


def test_windows():
    assert analysis_window(None) == (timedelta(hours=-1), timedelta(0))
    assert analysis_window({"DataAnalysisStartTime": "-PT5H", "DataAnalysisEndTime": "-PT1H"}) == (
        timedelta(hours=-5), timedelta(hours=-1))
    assert analysis_window(None, {"StartTimeOffset": "-PT2H", "EndTimeOffset": "-PT30M"}) == (
        timedelta(hours=-2), timedelta(minutes=-30))
    with pytest.raises(ScheduleError, match="must be before"):
        analysis_window({"DataAnalysisStartTime": "-PT0H", "DataAnalysisEndTime": "-PT1H"})
    with pytest.raises(ScheduleError, match="more than 24 hours"):
        analysis_window({"DataAnalysisStartTime": "-P2D", "DataAnalysisEndTime": "-PT0H"})
    with pytest.raises(ScheduleError, match="is not a negative ISO 8601 duration"):
        parse_offset("PT1H", "DataAnalysisStartTime")


def capture(input_data: str, output_data: str = "0.5", input_encoding: str = "CSV", output_encoding: str = "CSV") -> str:
    return ('{"captureData":{"endpointInput":{"data":"%s","encoding":"%s"},"endpointOutput":{"data":"%s",'
            '"encoding":"%s"}},"eventMetadata":{"inferenceTime":"2026-03-01T17:01:00Z"}}'
            % (input_data, input_encoding, output_data, output_encoding))


def test_capture_rows_put_the_output_first():
    [record] = parse_capture_line(capture("1,2,3"), "f line 1", ["endpointInput", "endpointOutput"])

    assert record.values == ["0.5", "1", "2", "3"] and record.inference_time == "2026-03-01T17:01:00Z"


def test_several_rows_in_one_request_pair_with_the_comma_joined_answers():
    records = parse_capture_line(capture("1,2\\n3,4", "0.1,0.9"), "f", ["endpointInput", "endpointOutput"])

    assert [record.values for record in records] == [["0.1", "1", "2"], ["0.9", "3", "4"]]


def test_bad_capture_lines_name_the_problem():
    with pytest.raises(DatasetError, match="f line 9 is not a capture record"):
        parse_capture_line("{", "f line 9", ["endpointInput"])
    with pytest.raises(DatasetError, match="Encoding mismatch: Encoding is CSV for endpointInput, but Encoding is JSON"):
        parse_capture_line(capture("1", output_encoding="JSON"), "f", ["endpointInput", "endpointOutput"])
    with pytest.raises(DatasetError, match="reads CSV captures"):
        parse_capture_line(capture("AQID", "AQ==", "BASE64", "BASE64"), "f", ["endpointInput", "endpointOutput"])


def test_csv_datasets_without_header_are_named_by_position(tmp_path):
    (tmp_path / "data.csv").write_text("1,a\n2,\n")
    table = read_csv_dataset(tmp_path, header=False)

    assert table.names == ["_c0", "_c1"] and table.rows == [["1", "a"], ["2", None]]
    with pytest.raises(DatasetError, match="is empty"):
        read_csv_dataset(tmp_path / "nothing", header=True)
