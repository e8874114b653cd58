"""Write an eval run: results.jsonl, report.json, report.md and a self-contained report.html.

The HTML carries its plots as inline SVG drawn here (no plotting library, no network), so the
file can be mailed or archived and still shows everything.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

from rag.support import DEFAULT_THRESHOLD

# Every metric is defined in the report itself: these lines go into all three formats.
DEFINITIONS = {
    "hit@5": "1 when any of the top 5 retrieved chunks is relevant, else 0. A chunk is "
    "relevant when it comes from an evidence document and contains an evidence quote, or its "
    "span overlaps the quote's span in the cleaned text.",
    "recall@5": "share of a question's evidence quotes with a relevant chunk in the top 5.",
    "mrr": "1 / rank of the first relevant chunk in the top 10 (0 when none).",
    "ndcg@10": "DCG of the top 10 (gain 1 per relevant chunk, discount log2(rank + 1)) over "
    "the DCG of the ideal ranking of all relevant chunks in the store.",
    "em": "exact match of the answer (citation markers removed; an abstention is the empty "
    "answer) with any gold answer, after SQuAD normalisation (lowercase, no punctuation or "
    "articles, collapsed whitespace).",
    "f1": "SQuAD token F1 against the best-matching gold answer.",
    "answer_em / answer_f1": "EM and F1 of the direct short answer (`answer`) when the "
    "answer has one, else of the answer text; the short-answer figures of issue 8.",
    "false_abstention": "share of answerable questions that abstained.",
    "contains": "1 when a gold answer appears, as whole words, in the normalised answer (not "
    "a headline metric: sentence answers rarely match exactly).",
    "supported_sentences": "share of answer sentences (over all answers) that the support "
    "scorer finds supported by the concatenated full text of the chunks they cite.",
    "citation_recall": "ALCE (Gao et al. 2023): share of an answer's sentences supported by "
    "the concatenation of their citations; averaged over non-abstained answers.",
    "citation_precision": "ALCE: share of citations that are relevant; a citation is "
    "irrelevant when it alone does not support its sentence and the remaining citations do, "
    "and every citation of an unsupported sentence counts as irrelevant.",
    "abstention precision": "correct abstentions / abstentions (unanswerable questions are "
    "the positive class).",
    "abstention recall": "correct abstentions / unanswerable questions.",
    "abstention rate": "share of all questions that abstained, unlabelled ones included (a "
    "question with neither `answers` nor `answerable` is unlabelled: answered and its "
    "grounding scored, but neither answerable nor unanswerable).",
    "latency p50 / p95": "percentiles (linear interpolation) of the total time of `ask` per "
    "question, after one warm-up question that loads the models.",
}

SERIES_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2"]


# ---------------------------------------------------------------------------------- writing


def write_reports(out: Path, report: dict, results: list[dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    report = {**report, "definitions": DEFINITIONS}
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (out / "report.md").write_text(to_markdown(report, results), encoding="utf-8")
    (out / "report.html").write_text(to_html(report, results), encoding="utf-8")


def fmt(v, group: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.0f}" if group == "latency_ms" else f"{v:.3f}"
    return str(v)


def summary_rows(report: dict) -> list[tuple[str, str, object]]:
    """(group, metric, value) in the order the reports show them."""
    rows: list[tuple[str, str, object]] = []
    for group in ("retrieval", "answer", "grounding", "abstention", "latency_ms"):
        for k, v in report[group].items():
            rows.append((group, k, v))
    return rows


def _scored_line(report: dict) -> str:
    s = report.get("scored", {})
    return (
        f"{report['n']} questions; retrieval scored on {s.get('retrieval')} (with evidence), "
        f"EM/F1 on {s.get('answer')} (answerable), grounding on "
        f"{s.get('grounding_answers')} answers / {s.get('grounding_sentences')} sentences, "
        f"{s.get('abstained')} abstentions for {s.get('should_abstain')} unanswerable"
        + (f"; {s['unlabelled']} unlabelled." if s.get("unlabelled") else ".")
    )


def _config_line(cfg: dict) -> str:
    v = cfg.get("versions", {})
    return (
        f"backend {cfg.get('backend')} ({cfg.get('model')}), answerability model "
        f"{cfg.get('answerability_model')} (near-miss gate {cfg.get('near_miss_model')}), "
        f"embedder {cfg.get('embedder')}, "
        f"top-k {cfg.get('top_k')}, dataset {Path(str(cfg.get('dataset'))).name}; "
        + ", ".join(f"{k} {val}" for k, val in v.items())
    )


# ---------------------------------------------------------------------------------- markdown


def to_markdown(report: dict, results: list[dict]) -> str:
    lines = ["# Evaluation report", "", _config_line(report["config"]), "", _scored_line(report)]
    lines += ["", "| group | metric | value |", "| --- | --- | --- |"]
    for group, k, v in summary_rows(report):
        lines.append(f"| {group} | {k} | {fmt(v, group)} |")
    for key, title in (("by_type", "By question type"), ("by_qtype", "By kind of question")):
        types = report.get(key, {})
        if not types:
            continue
        cols = list(next(iter(types.values())))
        lines += ["", f"## {title}", "", "| type | " + " | ".join(cols) + " |"]
        lines.append("| --- " * (len(cols) + 1) + "|")
        for t, row in types.items():
            lines.append(f"| {t} | " + " | ".join(fmt(row[c]) for c in cols) + " |")
    lines += ["", "## Questions", "", "| id | type | abstained | F1 | hit@5 | supported | answer |"]
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        m = r["metrics"]
        answer = r["answer"].replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {r['id']} | {r['type']} | {r['abstained']} | {fmt(m.get('f1'))} | "
            f"{fmt(m.get('hit@5'))} | {fmt(m.get('supported_sentences'))} | {answer[:160]} |"
        )
    lines += ["", "## Definitions", ""]
    lines += [f"- **{k}**: {v}" for k, v in DEFINITIONS.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------- SVG plots


def _text(x: float, y: float, s: str, anchor: str = "middle", size: int = 11, **kw) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{html.escape(s)}</text>"
    )


def bar_chart(title: str, groups: list[str], series: dict[str, list[float | None]]) -> str:
    """Grouped bars of values in [0, 1]; a missing value draws no bar."""
    w, h, left, bottom, top = 640, 260, 40, 40, 30
    plot_w, plot_h = w - left - 10, h - top - bottom
    parts = [_text(w / 2, 16, title, size=13, font_weight="bold")]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(_text(left - 4, y + 4, f"{tick:g}", anchor="end", size=10))
    slot = plot_w / max(1, len(groups))
    bar = slot * 0.8 / max(1, len(series))
    for gi, g in enumerate(groups):
        x0 = left + gi * slot + slot * 0.1
        parts.append(_text(left + (gi + 0.5) * slot, h - bottom + 14, g, size=10))
        for si, (name, values) in enumerate(series.items()):
            v = values[gi]
            if v is None:
                continue
            bh = plot_h * max(0.0, min(1.0, v))
            parts.append(
                f'<rect x="{x0 + si * bar:.1f}" y="{top + plot_h - bh:.1f}" width="{bar * 0.9:.1f}"'
                f' height="{bh:.1f}" fill="{SERIES_COLORS[si % len(SERIES_COLORS)]}">'
                f"<title>{html.escape(f'{g} {name}: {v:.3f}')}</title></rect>"
            )
    lx = left
    for si, name in enumerate(series):
        color = SERIES_COLORS[si % len(SERIES_COLORS)]
        parts.append(f'<rect x="{lx}" y="{h - 14}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(lx + 14, h - 5, name, anchor="start", size=10))
        lx += 16 + 7 * len(name) + 12
    return _svg(w, h, parts)


def nice_step(span: float, bins: int) -> float:
    """A round bin width (1, 2 or 5 times a power of ten) giving about `bins` bins."""
    raw = span / max(1, bins)
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def histogram(
    title: str, values: list[float], lo: float, hi: float, bins: int, xlabel: str, mark=None
) -> str:
    """Counts of `values` in equal bins over [lo, hi]; `mark` draws a dashed vertical line."""
    w, h, left, right, bottom, top = 640, 240, 40, 30, 40, 30
    plot_w, plot_h = w - left - right, h - top - bottom
    width = (hi - lo) / bins if hi > lo else 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int((v - lo) / width)))] += 1
    peak = max(counts) or 1
    parts = [_text(w / 2, 16, title, size=13, font_weight="bold")]
    for i, c in enumerate(counts):
        bh = plot_h * c / peak
        x = left + plot_w * i / bins
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - bh:.1f}" width="{plot_w / bins - 1:.1f}" '
            f'height="{bh:.1f}" fill="{SERIES_COLORS[0]}"><title>'
            f"{lo + i * width:g}–{lo + (i + 1) * width:g}: {c}</title></rect>"
        )
        if c:
            parts.append(_text(x + plot_w / bins / 2, top + plot_h - bh - 3, str(c), size=9))
    for i in range(0, bins + 1, max(1, bins // 5)):
        x = left + plot_w * i / bins
        parts.append(_text(x, h - bottom + 14, f"{lo + i * width:,.6g}", size=10))
    parts.append(_text(w / 2, h - 6, xlabel, size=11))
    axis_y = top + plot_h
    parts.append(f'<line x1="{left}" x2="{w - right}" y1="{axis_y}" y2="{axis_y}" stroke="#888"/>')
    if mark is not None and hi > lo:
        x = left + plot_w * (mark - lo) / (hi - lo)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{axis_y}" stroke="#e45756" '
            'stroke-dasharray="4 3"/>'
        )
    return _svg(w, h, parts)


def _svg(w: int, h: int, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif">' + "".join(parts) + "</svg>"
    )


def plots(report: dict, results: list[dict]) -> list[str]:
    types = report.get("by_type", {})
    groups = list(types)
    names = {
        "hit@5": "hit@5",
        "f1": "F1",
        "contains": "contains answer",
        "supported_sentences": "supported sentences",
        "abstained_correctly": "right to (not) abstain",
    }
    series = {label: [types[t].get(k) for t in groups] for k, label in names.items()}
    totals = [r["latency_ms"].get("total_ms", 0.0) for r in results]
    supports = [s["support"] for r in results for s in r["sentences"]]
    step = nice_step(max(totals, default=1.0), 12)
    top = step * (math.floor(max(totals, default=0.0) / step) + 1)
    return [
        bar_chart("Metrics per question type", groups, series),
        histogram("Latency per question (total ms)", totals, 0.0, top, round(top / step), "ms"),
        histogram(
            "Support score of answer sentences (against their cited chunks)",
            supports,
            0.0,
            1.0,
            10,
            f"support score (dashed: threshold {DEFAULT_THRESHOLD})",
            mark=DEFAULT_THRESHOLD,
        ),
    ]


# ---------------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top;font-size:13px}th{background:#f3f3f3}
.num{text-align:right;font-variant-numeric:tabular-nums}svg{display:block;margin:1em 0}
dt{font-weight:bold}dd{margin:0 0 .5em 1.5em}.small{color:#666;font-size:13px}
"""


def _td(v, group: str = "") -> str:
    cls = ' class="num"' if isinstance(v, int | float) else ""
    return f"<td{cls}>{html.escape(fmt(v, group))}</td>"


def to_html(report: dict, results: list[dict]) -> str:
    esc = html.escape
    body = ["<h1>Evaluation report</h1>"]
    body.append(f'<p class="small">{esc(_config_line(report["config"]))}</p>')
    body.append(f"<p>{esc(_scored_line(report))}</p>")
    body.append("<table><tr><th>group</th><th>metric</th><th>value</th></tr>")
    for group, k, v in summary_rows(report):
        body.append(f"<tr><td>{esc(group)}</td><td>{esc(k)}</td>{_td(v, group)}</tr>")
    body.append("</table>")
    body.extend(plots(report, results))
    types = report.get("by_type", {})
    if types:
        cols = list(next(iter(types.values())))
        body.append("<h2>By question type</h2><table><tr><th>type</th>")
        body.append("".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
        for t, row in types.items():
            body.append(f"<tr><td>{esc(t)}</td>" + "".join(_td(row[c]) for c in cols) + "</tr>")
        body.append("</table>")
    body.append("<h2>Questions</h2><table><tr><th>id</th><th>type</th><th>question</th>")
    body.append("<th>answer</th><th>gold</th><th>F1</th><th>hit@5</th><th>supported</th>")
    body.append("<th>ms</th></tr>")
    for r in results:
        m = r["metrics"]
        answer = ("[abstained] " if r["abstained"] else "") + r["answer"]
        body.append(
            f"<tr><td>{esc(r['id'])}</td><td>{esc(r['type'])}</td><td>{esc(r['question'])}</td>"
            f"<td>{esc(answer)}</td><td>{esc(' | '.join(r['gold']))}</td>{_td(m.get('f1'))}"
            f"{_td(m.get('hit@5'))}{_td(m.get('supported_sentences'))}"
            f"{_td(r['latency_ms'].get('total_ms'), 'latency_ms')}</tr>"
        )
    body.append("</table><h2>Definitions</h2><dl>")
    for k, v in DEFINITIONS.items():
        body.append(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>")
    body.append("</dl>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Evaluation report</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
