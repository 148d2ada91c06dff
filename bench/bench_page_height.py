"""How tall the organizer's assignment page is on the sample (tests/assignment_world.py: the sample entries, the
sample jury, three jurors an entry with explanations), in headless Chromium at 1366×900 in Russian:
``document.body.scrollHeight`` in px, and per entry row.

    .venv/bin/python bench/bench_page_height.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.core.config import Settings
from review_service.server import create_app
from review_service.storage import open_database
from tests import jury as J
from tests.assignment_world import sample_assignment
from tests.web import CHROMIUM_ARGS, chromium_path, running


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings(environment="test", data_dir=folder / "var", render_originals="off",
                            scoring_deadline=J.FUTURE)
        db = open_database(settings)
        world = sample_assignment(db, settings, folder / "sample")
        with running(create_app(settings, search_engine=J.FakeSearch())) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{base}/login?lang=ru")
            page.fill("#username", "organizer")
            page.fill("#password", "pw-organizer-123")
            page.press("#password", "Enter")
            page.wait_for_load_state()
            page.goto(f"{base}/org/assignment?lang=ru")
            height = page.evaluate("document.body.scrollHeight")
            browser.close()
        db.close()
    n = len(world["entries"])
    print(f"assignment page: {height} px for {n} entries × 3 jurors ({height / n:.0f} px an entry) at 1366×900, ru")


if __name__ == "__main__":
    main()
