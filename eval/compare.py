"""Compare two eval runs: metric deltas (B - A) and the config differences between them."""

from __future__ import annotations

import json
from pathlib import Path

from index.errors import ConfigError

METRIC_GROUPS = ("retrieval", "answer", "grounding", "abstention", "latency_ms")


def load_report(run: Path) -> dict:
    """A run folder (holding report.json) or the report.json itself."""
    path = run / "report.json" if run.is_dir() else run
    if not path.is_file():
        raise ConfigError(f"no report.json in {run}; give the --out folder of `rag eval`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path} is not valid JSON ({e.msg})") from None


def flatten(d: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def compare(a: dict, b: dict) -> dict:
    """{"metrics": [{metric, a, b, delta}], "config": [{key, a, b}]} (delta None if missing)."""
    fa = flatten({g: a.get(g, {}) for g in METRIC_GROUPS})
    fb = flatten({g: b.get(g, {}) for g in METRIC_GROUPS})
    rows = []
    for key in list(dict.fromkeys([*fa, *fb])):
        va, vb = fa.get(key), fb.get(key)
        numbers = isinstance(va, int | float) and isinstance(vb, int | float)
        delta = round(vb - va, 4) if numbers else None
        rows.append({"metric": key, "a": va, "b": vb, "delta": delta})
    ca = flatten(a.get("config", {}))
    cb = flatten(b.get("config", {}))
    config = [
        {"key": k, "a": ca.get(k), "b": cb.get(k)}
        for k in dict.fromkeys([*ca, *cb])
        if ca.get(k) != cb.get(k)
    ]
    if a.get("n") != b.get("n"):
        config.insert(0, {"key": "n", "a": a.get("n"), "b": b.get("n")})
    return {"metrics": rows, "config": config}


def _fmt(v, metric: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.0f}" if metric.startswith("latency_ms") else f"{v:.3f}"
    return str(v)


def format_compare(result: dict, name_a: str = "A", name_b: str = "B") -> str:
    width = max([len(r["metric"]) for r in result["metrics"]] + [6])
    col = max(len(name_a), len(name_b), 10)
    lines = [f"{'metric':<{width}}  {name_a:>{col}}  {name_b:>{col}}  {'delta':>9}"]
    for r in result["metrics"]:
        m = r["metric"]
        delta = "–" if r["delta"] is None else _fmt_delta(r["delta"], m)
        lines.append(
            f"{m:<{width}}  {_fmt(r['a'], m):>{col}}  {_fmt(r['b'], m):>{col}}  {delta:>9}"
        )
    lines.append("(delta = B - A; for latency_ms lower is better)")
    lines.append("")
    if result["config"]:
        lines.append("config differences:")
        for c in result["config"]:
            lines.append(f"  {c['key']}: {_fmt(c['a'])} -> {_fmt(c['b'])}")
    else:
        lines.append("config: identical")
    return "\n".join(lines)


def _fmt_delta(d: float, metric: str) -> str:
    return f"{d:+.0f}" if metric.startswith("latency_ms") else f"{d:+.3f}"
