"""The lab's web app (FastAPI): the page, its static files, and a small JSON API that validates
forms, queues jobs, streams their events, and serves finished reports by id.

Safe by default: the ``Guard`` middleware refuses foreign Host and Origin headers; static files
come only from this package (a fixed list, looked up by name); uploads are written under
generated names; reports are found by job id. No path from a request reaches the filesystem."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from hyperlab.errors import ConfigError, DataError, HyperlabError, Interval, check_choice
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.i18n import LANGS, check_lang, t, texts_for_page
from hyperlab.lab import stream, workflows
from hyperlab.lab.config import LabConfig, MiB
from hyperlab.lab.datasets import DataSets
from hyperlab.lab.forms import OPTION_FIELDS, FormErrors, Setup, arithmetic, both, read_setup
from hyperlab.lab.jobs import Job, Jobs, QueueFull
from hyperlab.lab.security import REPORT_POLICY, Guard
from hyperlab.lessons import LESSONS
from hyperlab.lessons.surfaces import SURFACES
from hyperlab.models import MODELS
from hyperlab.views.fonts import FONT_NAME, korean_font

log = logging.getLogger("hyperlab.lab")

STATIC_DIR = Path(__file__).with_name("static")
JOB_ID = re.compile(r"[0-9a-f]{16}")
MAX_JSON = 256 * 1024
LESSON_BUDGETS = ("tiny", "quick")
OPTION_SAMPLES = {"momentum": 0.9, "alpha": 0.99, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
DEFAULT_FORM = {"dataset": "moons", "model": "mlp", "width": 16, "depth": 2, "batch_size": 32, "lr": 0.01,
                "epochs": 10, "optimizer": "adam", "seed": 0}


def static_files() -> dict[str, Path]:
    """Every file of the lab's own static folder, by name (the only files it serves besides the font)."""
    return {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}


def options_of(optimizer: str) -> list[str]:
    """The options an optimizer accepts (asked of HParams itself, so the page never disagrees)."""
    accepted = []
    for option in OPTION_FIELDS:
        try:
            HParams(optimizer=optimizer, **{option: OPTION_SAMPLES[option]})
            accepted.append(option)
        except ConfigError:
            pass
    return accepted


def warm_up() -> None:
    """Build one optimizer at start-up: torch imports its compiler stack (seconds) on the first
    optimizer of a process, which would otherwise delay the page's first Train."""
    import torch

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


class Lab:
    """Everything the app holds: settings, data sets and uploads, the jobs, the output folder."""

    def __init__(self, config: LabConfig) -> None:
        self.config = config
        self._tmp = tempfile.TemporaryDirectory(prefix="hyperlab-lab-")
        self.datasets = DataSets(Path(self._tmp.name), config.max_uploads)
        self.jobs = Jobs(config.max_running, config.max_queued, config.orphan_seconds)
        self.static = static_files()
        self.closing = False
        self._closed = threading.Event()
        threading.Thread(target=warm_up, name="lab-warm-up", daemon=True).start()

    def begin_close(self) -> None:
        """Ctrl-C: stop every job now (streams end with their jobs)."""
        self.closing = True
        for job in list(self.jobs.jobs.values()):
            self.jobs.stop(job, "shutdown")

    def close(self, timeout: float = 30.0) -> None:
        """Wait for the workers, remove half-written outputs and the uploads."""
        if self._closed.is_set():
            return
        self.begin_close()
        if not self.jobs.close(timeout):
            log.warning("some trainings did not stop within %.0f s", timeout)
        if self.config.out.is_dir():
            for partial_dir in self.config.out.glob(".*.partial"):
                shutil.rmtree(partial_dir, ignore_errors=True)
        self._tmp.cleanup()
        self._closed.set()

    def submit(self, kind: str, label: str, work: Any) -> Job:
        return self.jobs.submit(kind, label, work)

    def job(self, job_id: str) -> Job:
        job = self.jobs.get(job_id) if JOB_ID.fullmatch(job_id) else None
        if job is None:
            raise LookupError(f"job={job_id!r} is invalid: no such job")
        job.seen()
        return job


def create_app(config: LabConfig | None = None, port: int | None = None) -> FastAPI:
    """The lab's app; ``port`` is the port it really listens on (for the Host check)."""
    config = config or LabConfig()
    lab = Lab(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(lab.close)

    app = FastAPI(title="hyperlab lab", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.lab = lab
    app.add_middleware(Guard, allowed_hosts=config.host_names(config.port if port is None else port))

    # ---- errors: the CLI's one-line messages, by field -----------------------------------------
    @app.exception_handler(FormErrors)
    async def form_errors(request: Request, exc: FormErrors) -> JSONResponse:
        return JSONResponse({"errors": exc.errors}, status_code=400)

    @app.exception_handler(HyperlabError)
    async def user_errors(request: Request, exc: HyperlabError) -> JSONResponse:
        field = exc.field if isinstance(exc, ConfigError) else ("dataset" if isinstance(exc, DataError) else "form")
        return JSONResponse({"errors": {field: str(exc)}}, status_code=400)

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse({"error": str(exc), "text": both("lab.err.queue_full", limit=config.max_queued)},
                            status_code=429)

    @app.exception_handler(LookupError)
    async def not_found(request: Request, exc: LookupError) -> JSONResponse:
        return JSONResponse({"error": str(exc.args[0]) if exc.args else "not found"}, status_code=404)

    # ---- the page and its files ------------------------------------------------------------------
    @app.get("/")
    async def page() -> FileResponse:
        return FileResponse(lab.static["index.html"], media_type="text/html; charset=utf-8",
                            headers={"cache-control": "no-cache"})

    @app.get(f"/static/{FONT_NAME}")
    async def font() -> Response:
        data = await run_in_threadpool(korean_font)
        if data is None:
            raise LookupError(f"file={FONT_NAME!r} is invalid: koreanize-matplotlib's font is not installed")
        return Response(data, media_type="font/ttf", headers={"cache-control": "max-age=86400"})

    @app.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = lab.static.get(name)
        if path is None:
            raise LookupError(f"file={name!r} is invalid: not a file of the lab")
        return FileResponse(path, headers={"cache-control": "no-cache"})

    @app.get("/api/meta")
    async def meta() -> dict[str, Any]:
        return {"datasets": lab.datasets.describe(), "models": list(MODELS), "optimizers": list(OPTIMIZERS),
                "options": {o: options_of(o) for o in OPTIMIZERS}, "surfaces": list(SURFACES),
                "lessons": workflows.lesson_names(), "budgets": list(LESSON_BUDGETS), "langs": list(LANGS),
                "defaults": DEFAULT_FORM, "seed_optimizers": workflows.SEED_OPTIMIZERS,
                "limits": {"upload_bytes": config.upload_limit, "max_steps": config.max_steps,
                           "max_running": config.max_running, "max_queued": config.max_queued,
                           "max_budget_seconds": config.max_budget_seconds},
                "texts": texts_for_page()}

    @app.get("/api/status")
    async def status() -> dict[str, Any]:
        return lab.jobs.counts()

    # ---- forms ---------------------------------------------------------------------------------------
    async def setup_of(form: Any) -> tuple[Setup, Any]:
        return await run_in_threadpool(read_setup, form, lab.datasets, config)

    @app.post("/api/validate")
    async def validate(request: Request) -> dict[str, Any]:
        setup, data = await setup_of(await read_json(request))
        return {"ok": True, "setup": setup.to_dict(), **arithmetic(setup, data)}

    @app.post("/api/upload")
    async def upload(request: Request, filename: str = "upload.csv", label: str = "",
                     task: str = "", features: str = "standardise") -> dict[str, Any]:
        declared = request.headers.get("content-length")
        limit = config.upload_limit
        too_big = ConfigError("upload", f"{declared or 'more than ' + str(limit)} bytes",
                              f"must be at most {limit / MiB:g} MiB")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return JSONResponse({"errors": {"upload": str(too_big)}}, status_code=413)  # type: ignore[return-value]
        upload_id, path = lab.datasets.new_path()
        size = 0
        with path.open("wb") as handle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    break
                handle.write(chunk)
        if size > limit:
            path.unlink(missing_ok=True)
            return JSONResponse({"errors": {"upload": str(too_big)}}, status_code=413)  # type: ignore[return-value]
        up = await run_in_threadpool(lab.datasets.add, upload_id, path, filename, label, task, features)
        return {"dataset": up.id, "name": up.name, "n_train": up.n_train, "task": up.task,
                "datasets": lab.datasets.describe(),
                "text": {lang: "; ".join([t("lab.uploaded", lang, name=up.name, n_train=up.n_train,
                                            task=t(f"lab.task.{up.task}", lang)), *up.notes[lang]])
                         for lang in LANGS}}

    # ---- jobs ----------------------------------------------------------------------------------------
    @app.post("/api/runs", status_code=202)
    async def start_runs(request: Request) -> dict[str, Any]:
        body = await read_json(request)
        setup, _ = await setup_of(body.get("form", body) if isinstance(body, dict) else body)
        vary = body.get("vary") if isinstance(body, dict) else None
        members = [setup] if not vary else workflows.variants(setup, str(vary))  # each validated by HParams
        label = setup.label() if len(members) == 1 else f"{len(members)} runs ({vary})"
        job = lab.submit("train", label, partial(workflows.train_members, members=members, datasets=lab.datasets))
        return snapshot(job)

    @app.post("/api/lr-find", status_code=202)
    async def start_range_test(request: Request) -> dict[str, Any]:
        body = await read_json(request)
        setup, data = await setup_of(body.get("form", body) if isinstance(body, dict) else body)
        setup.hparams.check_data_size(data.n_train)  # the range test runs its steps over as many passes as needed
        job = lab.submit("lr_find", setup.label(), partial(workflows.range_test, setup=setup, datasets=lab.datasets))
        return snapshot(job)

    @app.post("/api/advise", status_code=202)
    async def start_advice(request: Request) -> dict[str, Any]:
        body = await read_json(request)
        setup, _ = await setup_of(body.get("form"))
        budget = Interval(float, 0, config.max_budget_seconds, closed="right").check(
            "budget_seconds", body.get("budget_seconds", 60))
        lang = check_lang(str(body.get("lang", "en")))
        job = lab.submit("advise", setup.label(), partial(workflows.advice, setup=setup, datasets=lab.datasets,
                                                          budget_seconds=budget, lang=lang))
        return snapshot(job)

    @app.post("/api/lessons", status_code=202)
    async def start_lesson(request: Request) -> dict[str, Any]:
        body = await read_json(request)
        setup, _ = await setup_of(body.get("form"))
        name = check_choice("lesson", str(body.get("lesson", "")), workflows.lesson_names())
        budget = check_choice("budget", str(body.get("budget", "tiny")), LESSON_BUDGETS)
        lang = check_lang(str(body.get("lang", "en")))
        job = lab.submit("lesson", name, partial(workflows.lesson, name=name, setup=setup, datasets=lab.datasets,
                                                 budget=budget, lang=lang, out_root=config.out))
        return snapshot(job)

    @app.get("/api/jobs/{job_id}")
    async def job_status(job_id: str) -> dict[str, Any]:
        return snapshot(lab.job(job_id))

    @app.post("/api/jobs/{job_id}/stop")
    async def stop_job(job_id: str) -> dict[str, Any]:
        job = lab.job(job_id)
        lab.jobs.stop(job, "stopped")
        return snapshot(job)

    @app.get("/api/jobs/{job_id}/events")
    async def job_events(job_id: str, request: Request, after: int = 0) -> StreamingResponse:
        job = lab.job(job_id)
        last = request.headers.get("last-event-id", "")
        cursor = int(last) if last.isdigit() else max(0, after)
        return StreamingResponse(stream.events(job, cursor, lambda: lab.closing), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

    def snapshot(job: Job) -> dict[str, Any]:
        return job.snapshot(lab.jobs.position(job))

    # ---- optimizer paths -------------------------------------------------------------------------------
    @app.post("/api/paths")
    async def paths(request: Request) -> dict[str, Any]:
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ConfigError("form", type(body).__name__, "must be a JSON object")
        return await run_in_threadpool(workflows.optimizer_paths, body.get("surface", "valley"),
                                       body.get("runs"), body.get("steps", 100))

    # ---- reports, by job id only ---------------------------------------------------------------------
    @app.get("/reports/{job_id}/")
    async def report(job_id: str) -> FileResponse:
        folder = report_folder(job_id)
        for name in ("tour.html", "report.html"):
            if (folder / name).is_file():
                return report_file(folder / name)
        raise LookupError(f"job={job_id!r} is invalid: it has no report")

    @app.get("/reports/{job_id}/{lesson}/report.html")
    async def lesson_report(job_id: str, lesson: str) -> FileResponse:
        check_choice("lesson", lesson, LESSONS)
        path = report_folder(job_id) / lesson / "report.html"
        if not path.is_file():
            raise LookupError(f"lesson={lesson!r} is invalid: this job has no report for it")
        return report_file(path)

    def report_folder(job_id: str) -> Path:
        if not JOB_ID.fullmatch(job_id) or not (config.out / job_id).is_dir():
            raise LookupError(f"job={job_id!r} is invalid: no report with this id")
        return config.out / job_id

    def report_file(path: Path) -> FileResponse:
        return FileResponse(path, media_type="text/html; charset=utf-8",
                            headers={"content-security-policy": REPORT_POLICY})

    return app


async def read_json(request: Request) -> Any:
    """The request's JSON body, at most MAX_JSON bytes; ConfigError if it is not JSON."""
    import json

    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON:
            raise ConfigError("body", f"{len(body)}+ bytes", f"must be at most {MAX_JSON // 1024} KiB")
    try:
        return json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ConfigError("body", body[:40].decode("utf-8", "replace"), "must be JSON") from None
