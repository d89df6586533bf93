"""`tutor explore` and `tutor check` on sweep files, through the command line."""

import json
import xml.etree.ElementTree as ET

from tutor import cli

from .sweeps import TINY


def test_explore_prints_json_rows(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    assert cli.main(["explore", str(path), "--json", "--workers", "1"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["settings"]["producer.acks"] for r in rows] == ["1", "all"]


def test_explore_writes_csv_and_an_svg_chart(tmp_path, capsys):
    path, chart = tmp_path / "tiny.toml", tmp_path / "chart.svg"
    path.write_text(TINY)
    assert cli.main(["explore", str(path), "--csv", "--workers", "1", "--chart", str(chart)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("producer.acks,latency_p50_ms,latency_p99_ms,throughput,none.lost,")
    assert len(lines) == 3
    svg = ET.fromstring(chart.read_text())
    circles = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 2


def test_explore_prints_the_table_and_chart(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    assert cli.main(["explore", str(path), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "tiny" in out and "Pareto" in out and "slow-followers-leader-power-loss" in out and "+---" in out


def test_a_bad_sweep_is_one_line_and_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[sweep]\n"producer.acks" = ["2"]\n')
    assert cli.main(["explore", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f'{path}: [sweep] "producer.acks" value #1')


def test_check_validates_sweep_files(tmp_path, capsys):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(TINY)
    bad.write_text(TINY.replace('"slow-followers', '"slow-follower'))
    assert cli.main(["check", str(good)]) == 0
    assert capsys.readouterr().out == f"ok {good}\n"
    assert cli.main(["check", str(bad)]) == 2
    assert "did you mean slow-followers-leader-power-loss?" in capsys.readouterr().err
