"""Tests of ci/bench/report.py: the statistics, the checks of a part's results, the rendering.
Run: /usr/bin/python3 -m unittest discover -s ci/bench -p 'test_*.py'   (ci/test.sh does)."""
import json
import os
import tempfile
import unittest

import report


def suite(**overrides):
    s = {
        "suite": "datapath", "title": "Data path", "description": "d.", "config": {"rounds": 3},
        "baseline": "native", "labels": ["native", "ax", "haproxy"],
        "measures": [
            {"id": "iperf3_gbps", "name": "throughput", "unit": "Gbit/s", "better": "higher",
             "samples": {"native": [40.0, 20.0, 30.0], "ax": [39.6, 19.0, 30.3], "haproxy": [20.0, 10.0, 15.0]}},
            {"id": "connect_p50_us", "name": "connect p50", "unit": "µs", "better": "lower",
             "samples": {"native": [10.0, 30.0, 12.0], "ax": [30.0, 52.0, 33.0], "haproxy": [11.0, 31.0, 12.5]}},
        ],
        "notes": ["a note"],
    }
    s.update(overrides)
    return s


def write(d, name, value):
    with open(os.path.join(d, name), "w") as f:
        json.dump(value, f)


def read(d, name):
    with open(os.path.join(d, name)) as f:
        return f.read()


class PairedTest(unittest.TestCase):
    def test_ratio_is_the_median_of_per_round_ratios(self):
        m = suite()["measures"][0]
        # per round 0.99, 0.95, 1.01: the median is 0.99, where medians' ratio would be 30.3/30 = 1.01
        self.assertAlmostEqual(report.paired(m, "ax", "native", report.ratio), 0.99)

    def test_added_latency_is_the_median_of_per_round_differences(self):
        m = suite()["measures"][1]
        # per round +20, +22, +21: a noisy second round does not move it
        self.assertAlmostEqual(report.paired(m, "ax", "native", report.difference), 21.0)

    def test_unpaired_samples_give_no_ratio(self):
        m = {"samples": {"native": [1.0, 2.0], "ax": [1.0]}}
        self.assertIsNone(report.paired(m, "ax", "native", report.ratio))


class CheckTest(unittest.TestCase):
    def test_a_good_suite_passes(self):
        report.check_suite(suite(), "x.json")

    def test_unknown_label_is_named(self):
        s = suite()
        s["measures"][0]["samples"]["envoy"] = [1.0, 2.0, 3.0]
        with self.assertRaisesRegex(report.BadResults, "x.json: measure iperf3_gbps: label 'envoy'"):
            report.check_suite(s, "x.json")

    def test_a_missing_number_is_named(self):
        s = suite()
        s["measures"][1]["samples"]["ax"] = [1.0, float("nan"), 2.0]
        with self.assertRaisesRegex(report.BadResults, "connect_p50_us, ax: expected a non-empty list of numbers"):
            report.check_suite(s, "x.json")

    def test_rounds_must_pair_with_the_baseline(self):
        s = suite()
        s["measures"][0]["samples"]["ax"] = [39.6, 19.0]
        with self.assertRaisesRegex(report.BadResults, "iperf3_gbps: ax must have one sample per round, as native has \\(3\\)"):
            report.check_suite(s, "x.json")

    def test_a_baseline_that_is_not_a_label(self):
        with self.assertRaisesRegex(report.BadResults, "baseline 'bare' is not one of the labels"):
            report.check_suite(suite(baseline="bare"), "x.json")


class FormatTest(unittest.TestCase):
    def test_three_significant_figures_and_separators(self):
        self.assertEqual(report.fmt(33542.4), "33,542")
        self.assertEqual(report.fmt(123.4), "123")
        self.assertEqual(report.fmt(34.44), "34.4")
        self.assertEqual(report.fmt(0.98765), "0.988")
        self.assertEqual(report.fmt(None), "–")


class RenderTest(unittest.TestCase):
    def test_aims_tables_and_charts(self):
        with tempfile.TemporaryDirectory() as d:
            write(d, "datapath.json", suite())
            write(d, "run.json", {"quick": False, "parts": [{"suite": "datapath", "status": "ok"}]})
            report.render(d, None)
            md = read(d, "RESULTS.md")
            # throughput 0.99 meets >= 0.98; added latency 21 meets <= 25; per-round ratios 3, 1.73, 2.75
            self.assertIn("| bulk throughput, ax/native (iperf3) | 0.990 | 0.500 | at least 0.980 | yes |", md)
            self.assertIn("| added connect() latency, median (µs) | 21.0 | 1.00 | at most 25.0 | yes |", md)
            self.assertIn("| connect p50 | µs | lower | 12.0 | 33.0 | 12.5 | 2.750 | 1.042 | 21.0 | 1.00 |", md)
            self.assertIn("- a note", md)
            for png in ("datapath.png", "ratios.png"):
                with open(os.path.join(d, png), "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_a_missed_aim_is_said(self):
        s = suite()
        s["measures"][1]["samples"]["ax"] = [40.0, 60.0, 42.0]
        with tempfile.TemporaryDirectory() as d:
            write(d, "datapath.json", s)
            report.render(d, None)
            md = read(d, "RESULTS.md")
            self.assertIn("| added connect() latency, median (µs) | 30.0 | 1.00 | at most 25.0 | **no** |", md)
            self.assertIn("ax misses: added connect() latency, median (µs)", md)


if __name__ == "__main__":
    unittest.main()
