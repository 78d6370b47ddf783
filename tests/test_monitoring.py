"""deploy/monitoring: the alert rules and the Grafana dashboard are well formed and name only exported metrics."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import config
import etsy.metrics  # noqa: F401 - registers the Etsy counters
import nas.metrics  # noqa: F401 - registers the NAS counters
import services.job_metrics  # noqa: F401 - registers the job counters
from web import metrics

ROOT = Path(__file__).resolve().parent.parent
MONITORING = ROOT / "deploy" / "monitoring"
REQUIRED_ALERTS = {"EsaPrintQueueBacklog", "EsaQueueStuck", "EsaNoLiveWorker", "EsaJobTypeFailing",
                   "EsaEtsyBudgetLow", "EsaEtsyShopNeedsReauth", "EsaNasUnreachable"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or",
            "unless", "inf", "nan"}
DURATION = re.compile(r"^\d+[smhdwy]$")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count"),
            "gauge": ("",), "info": ("_info",), "unknown": ("",)}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (label names, functions, keywords and durations left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values may hold anything
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        after = text[match.end():].lstrip()
        if after.startswith("(") or match.group() in KEYWORDS:
            continue  # a function or aggregation, or a keyword
        if match.start() and (text[match.start() - 1].isdigit() or text[match.start() - 1] == "."):
            continue  # the exponent or unit of a number
        names.add(match.group())
    return names


def test_metric_names_are_read_from_promql():
    assert metric_names('sum by (job_type) (increase(esa_jobs_finished_total{outcome="failed"}[30m])) >= 3') == {
        "esa_jobs_finished_total"}
    assert metric_names("histogram_quantile(0.95, sum by (le) (rate(a_bucket{x=~\"b|c\"}[5m]))) / on (q) "
                        "max by (q) (b) > 1e3 and c offset 5m") == {"a_bucket", "b", "c"}


@pytest.fixture(scope="module")
def exported(database) -> set[str]:
    """Every sample name the web and the workers can export."""
    families = list(REGISTRY.collect()) + list(metrics.StateCollector(config.get_settings()).collect())
    return {family.name + suffix for family in families for suffix in SUFFIXES[family.type]}


def _alert_rules() -> list[dict]:
    document = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    assert isinstance(document, dict) and set(document) == {"groups"}
    rules = []
    for group in document["groups"]:
        assert isinstance(group["name"], str) and group["name"] and isinstance(group["rules"], list)
        assert set(group) <= {"name", "rules", "interval"}
        rules += group["rules"]
    return rules


def test_alert_rules_are_valid_and_cover_what_the_operator_needs(exported):
    rules = _alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)) and REQUIRED_ALERTS <= set(names)
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rule
        assert isinstance(rule["expr"], str) and rule["expr"].count("(") == rule["expr"].count(")"), rule
        assert DURATION.match(rule.get("for", "0m")), rule
        assert rule["labels"]["severity"] in ("info", "warning", "critical"), rule
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule
        used = metric_names(rule["expr"])
        assert used and used <= exported, (rule["alert"], used - exported)


def test_dashboard_is_valid_and_reads_only_exported_metrics(exported):
    dashboard = json.loads((MONITORING / "dashboard.json").read_text())
    assert dashboard["uid"] and dashboard["title"] and isinstance(dashboard["schemaVersion"], int)
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    used: set[str] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert {"x", "y", "w", "h"} <= set(grid) and 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["type"] in ("timeseries", "stat", "gauge") and panel["title"], panel
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names and names <= exported, (panel["title"], names - exported)
            used |= names
    # Every family the issue asks for is on the dashboard.
    for name in ("esa_queue_depth", "esa_queue_oldest_seconds", "esa_queue_running", "esa_workers_alive",
                 "esa_jobs_finished_total", "esa_jobs_started_total", "esa_job_duration_seconds_bucket",
                 "esa_gang_sheet_film_inches_total", "esa_gang_sheet_utilization_ratio_sum",
                 "esa_pieces_rendered_total", "esa_etsy_requests_total", "esa_etsy_rate_limited_total",
                 "esa_etsy_budget_remaining", "esa_etsy_shops", "esa_etsy_sync_lag_seconds", "esa_nas_bytes_total",
                 "esa_nas_transfer_seconds_total", "esa_nas_errors_total", "esa_nas_pool_connections"):
        assert name in used, name


def test_prometheus_config_loads_the_rules_and_scrapes_workers_on_metrics_port():
    document = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    assert document["rule_files"] == ["alerts.yml"]
    jobs = {job["job_name"]: job for job in document["scrape_configs"]}
    assert set(jobs) == {"esa-web", "esa-workers"}
    example = dict(line.split("#")[0].strip().split("=", 1) for line in (ROOT / ".env.example").read_text()
                   .splitlines() if "=" in line and not line.startswith("#"))
    assert jobs["esa-workers"]["dns_sd_configs"][0]["port"] == int(example["METRICS_PORT"])
    assert jobs["esa-web"]["dns_sd_configs"][0]["port"] == int(example["PORT"])
