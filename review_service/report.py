"""Writes a screening report: ``screening.json`` (the versioned schema) and a readable ``report.html``."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from review_service.exchange import write_json, write_text


def render_html(report: dict) -> str:
    env = Environment(loader=PackageLoader("review_service", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(r=report)


def write_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "screening.json", out_dir / "report.html"
    write_json(json_path, report)
    write_text(html_path, render_html(report))
    return json_path, html_path
