"""`review-service worker [--once | --drain]` — take pre-screening jobs from the database and run them."""
from __future__ import annotations

import argparse
import logging


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "worker",
        help="run queued pre-screening jobs (POST /batches) from the database",
        description="Take queued jobs from the database (REVIEW_DATABASE_URL) and run them, sending heartbeats; a "
                    "job whose worker died (no heartbeat for REVIEW_JOB_STALE_S seconds) is taken over and resumed. "
                    "On PostgreSQL run as many workers as you like (SELECT … FOR UPDATE SKIP LOCKED); on SQLite one "
                    "runs at a time. SIGINT or SIGTERM stops the worker and puts its job back in the queue for the "
                    "next worker. See docs/jobs.md.",
    )
    p.add_argument("--once", action="store_true", help="run one job (waiting up to --wait seconds for one), then exit")
    p.add_argument("--drain", action="store_true", help="run jobs until none is left to take, then exit")
    p.add_argument("--wait", type=float, default=0.0, help="with --once: seconds to wait for a job (default 0)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the queue (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review_service.batches.job_runner import run_worker, worker_name
    from review_service.core.config import get_settings

    name = worker_name()
    logging.getLogger("review_service.batches.job_runner").setLevel(logging.INFO)
    ran = run_worker(get_settings(), once=args.once, drain=args.drain, wait_s=args.wait, poll_s=args.poll,
                     worker=name)
    print(f"worker {name}: {ran} job(s) run")
    return 0
