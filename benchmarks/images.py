"""Derivative pipeline vs. a plain pyvips ``thumbnail`` reference: wall, CPU and peak memory.

    python benchmarks/images.py [--quick] [--reps N]

Each measurement runs in a fresh subprocess (peak RSS from ``os.wait4``); the two engines
alternate so drift hits both. Input files are generated once and cached in benchmarks/out/.

Then the server's responsiveness: a real server (``contest demo`` + ``contest serve``) in a
temporary directory, the contest home page measured with ``wrk`` (p50 / p99) once idle and once
while 8 large uploads (the 6000 x 4000 JPEG, sent by the demo designer over HTTP) are received
and processed concurrently; the uploads are repeated until the ``wrk`` window is over.

OCR (the leak check reads the text of every judging copy at upload): for each file, the median
time to read its judging copy, next to the rest of the pipeline's, each in a fresh process whose
engine is loaded before the clock starts (the load itself is reported once, as ``ocr_engine_load_s``).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
TARGET_WALL = {"JPEG": 1.2, "PNG": 1.6}
RSS_FLOOR_MB = 200.0
RSS_RATIO = 1.5


@dataclass(frozen=True)
class BenchFile:
    name: str
    format: str
    path: Path


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mb: float


# --- inputs ----------------------------------------------------------------------------------------

def ensure_inputs(directory: Path) -> list[BenchFile]:
    sys.path.insert(0, str(ROOT))
    directory.mkdir(parents=True, exist_ok=True)
    files = [
        BenchFile("jpeg_6000x4000", "JPEG", directory / "photo_6000x4000.jpg"),
        BenchFile("png_6000x4000", "PNG", directory / "poster_6000x4000.png"),
        BenchFile("png_rgba_8000x8000", "PNG", directory / "poster_rgba_8000x8000.png"),
        BenchFile("phone_jpeg_4000x3000_o6", "JPEG", directory / "phone_4000x3000_o6.jpg"),
    ]
    makers = [_make_jpeg, _make_png, _make_rgba_png, _make_phone_jpeg]
    for file, make in zip(files, makers, strict=True):
        if not file.path.exists():
            print(f"generating {file.path.name} ...", file=sys.stderr, flush=True)
            tmp = file.path.with_suffix(".tmp")
            make(tmp)
            tmp.replace(file.path)
    return files


def _make_jpeg(path: Path) -> None:
    from tests import imagegen
    imagegen.photo((6000, 4000), 1).save(path, "JPEG", quality=92)


def _make_png(path: Path) -> None:
    from tests import imagegen
    imagegen.photo((6000, 4000), 2).save(path, "PNG")


def _make_rgba_png(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFilter

    from tests import imagegen
    im = imagegen.photo((8000, 8000), 3).convert("RGBA")
    mask = Image.new("L", im.size, 0)
    ImageDraw.Draw(mask).ellipse((400, 400, 7600, 7600), fill=255)
    im.putalpha(mask.filter(ImageFilter.GaussianBlur(40)))
    im.save(path, "PNG")


def _make_phone_jpeg(path: Path) -> None:
    from PIL import Image

    from tests import imagegen
    exif = Image.Exif()
    exif.update({0x0112: 6, 0x010F: "PhoneMaker", 0x0110: "Phone 15"})
    stored = imagegen.photo((3000, 4000), 4).transpose(Image.Transpose.ROTATE_90)
    stored.save(path, "JPEG", quality=90, exif=exif)


# --- the two engines (run inside the child process) -----------------------------------------------

# The 8000 x 8000 file is over the upload limit (50 MP); the limit is raised here only so that
# the processing cost can be measured. A real upload of it is refused from the header.
BENCH_MAX_PIXELS = 64_000_000


def run_project(src: Path, out: Path) -> None:
    from contest.media.pipeline import process_image
    process_image(src, out, "0" * 32, max_pixels=BENCH_MAX_PIXELS)


def run_pyvips(src: Path, out: Path, encoders: dict) -> None:
    """The reference: what one would write with pyvips alone (same sizes, formats and settings)."""
    import pyvips
    pyvips.cache_set_max(0)
    keep = pyvips.enums.ForeignKeep.NONE
    image = pyvips.Image.thumbnail(str(src), 2560, height=2560, size="down").copy_memory()
    for name, edge in (("judging", 2560), ("display", 1280), ("thumb", 400)):
        if edge != 2560:
            image = image.thumbnail_image(edge, height=edge, size="down").copy_memory()
        for fmt, (method, options) in encoders.items():
            flatten = image.hasalpha() and (fmt == "JPEG" or name in ("judging", "thumb"))
            flat = image.flatten(background=[255, 255, 255]) if flatten else image
            (out / f"{name}.{fmt.lower()}").write_bytes(getattr(flat, method)(keep=keep, **options))


def child_ocr(src: str) -> None:
    from contest.media import ocr
    from contest.media.pipeline import process_image
    with tempfile.TemporaryDirectory() as out:
        judging = process_image(Path(src), Path(out), "0" * 32, max_pixels=BENCH_MAX_PIXELS).derivative("judging")
        started = time.perf_counter()
        ocr.engine()
        load = time.perf_counter() - started
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        lines = ocr.read_text(judging.path)
        wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"wall": wall, "cpu": cpu, "load": load, "lines": len(lines)}))


def child_main(engine: str, src: str, encoders_json: str) -> None:
    if engine == "ocr":
        child_ocr(src)
        return
    with tempfile.TemporaryDirectory() as out:
        # imports are paid in the parent's eyes via RSS, but not in wall/CPU time
        if engine == "project":
            import contest.media.pipeline  # noqa: F401
        else:
            import pyvips  # noqa: F401
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        if engine == "project":
            run_project(Path(src), Path(out))
        else:
            run_pyvips(Path(src), Path(out), json.loads(encoders_json))
        wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"wall": wall, "cpu": cpu}))


# --- measuring (parent) -----------------------------------------------------------------------------

def run_child(engine: str, file: BenchFile, encoders_json: str) -> tuple[dict, float]:
    """The child's JSON line and its peak RSS in MB."""
    cmd = [sys.executable, __file__, "--child", engine, str(file.path), encoders_json]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} failed on {file.name} (exit {proc.returncode})")
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def measure(engine: str, file: BenchFile, encoders_json: str) -> Sample:
    timings, rss_mb = run_child(engine, file, encoders_json)
    return Sample(timings["wall"], timings["cpu"], rss_mb)


def measure_ocr(rows: list[dict], reps: int) -> dict:
    """OCR of each file's judging copy: median ms, and its ratio to the same file's pipeline wall time."""
    per_file, loads = [], []
    for file, row in zip(ensure_inputs(OUT / "images"), rows, strict=True):
        runs = [run_child("ocr", file, "{}") for _ in range(reps)]
        loads += [timings["load"] for timings, _ in runs]
        wall = statistics.median(timings["wall"] for timings, _ in runs)
        per_file.append({
            "name": file.name, "ocr_median_ms": round(wall * 1000), "lines_read": runs[0][0]["lines"],
            "ocr_cpu_median_ms": round(statistics.median(timings["cpu"] for timings, _ in runs) * 1000),
            "pipeline_median_ms": round(row["wall_median_s"] * 1000),
            "ocr_to_pipeline_ratio": round(wall / row["wall_median_s"], 2),
            "ocr_cpu_to_pipeline_cpu_ratio": round(
                statistics.median(timings["cpu"] for timings, _ in runs) / row["cpu_median_s"], 2),
            "peak_rss_mb": round(max(rss for _, rss in runs), 1),
        })
    return {"files": per_file, "engine_load_s": round(statistics.median(loads), 2),
            "median_ms": round(statistics.median(f["ocr_median_ms"] for f in per_file)),
            "median_ratio": round(statistics.median(f["ocr_to_pipeline_ratio"] for f in per_file), 2),
            "median_cpu_ratio": round(statistics.median(f["ocr_cpu_to_pipeline_cpu_ratio"] for f in per_file), 2)}


def print_ocr(r: dict) -> None:
    print(f"\nOCR of the judging copy (engine load {r['engine_load_s']} s, once per process)")
    for f in r["files"]:
        print(f"{f['name']:<26}{f['ocr_median_ms']:>7} ms  pipeline {f['pipeline_median_ms']:>6} ms  "
              f"ratio {f['ocr_to_pipeline_ratio']:>5.2f}  lines {f['lines_read']}")


def bench_file(file: BenchFile, reps: int, encoders_json: str) -> dict:
    samples: dict[str, list[Sample]] = {"project": [], "pyvips": []}
    for rep in range(reps):
        order = ("project", "pyvips") if rep % 2 == 0 else ("pyvips", "project")
        for engine in order:
            samples[engine].append(measure(engine, file, encoders_json))
    return summarise(file, samples)


def summarise(file: BenchFile, samples: dict[str, list[Sample]]) -> dict:
    med = {e: {k: statistics.median(getattr(s, k) for s in ss) for k in ("wall", "cpu")} for e, ss in samples.items()}
    peak = {e: max(s.rss_mb for s in ss) for e, ss in samples.items()}
    ratio = med["project"]["wall"] / med["pyvips"]["wall"]
    rss_limit = max(RSS_RATIO * peak["pyvips"], RSS_FLOOR_MB)
    return {
        "name": file.name, "format": file.format, "bytes": file.path.stat().st_size, "reps": len(samples["project"]),
        "wall_median_s": round(med["project"]["wall"], 3), "cpu_median_s": round(med["project"]["cpu"], 3),
        "pyvips_wall_median_s": round(med["pyvips"]["wall"], 3), "pyvips_cpu_median_s": round(med["pyvips"]["cpu"], 3),
        "wall_ratio_vs_pyvips": round(ratio, 3),
        "cpu_ratio_vs_pyvips": round(med["project"]["cpu"] / med["pyvips"]["cpu"], 3),
        "peak_rss_mb": round(peak["project"], 1), "pyvips_peak_rss_mb": round(peak["pyvips"], 1),
        "wall_target": TARGET_WALL[file.format], "rss_limit_mb": round(rss_limit, 1),
        "meets_targets": ratio <= TARGET_WALL[file.format] and peak["project"] <= rss_limit,
    }


def print_table(rows: list[dict]) -> None:
    header = (f"{'file':<26}{'wall s':>8}{'pyvips':>8}{'ratio':>7}{'target':>7}{'cpu s':>8}{'pyvips':>8}"
              f"{'RSS MB':>8}{'pyvips':>8}{'limit':>7}  ok")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['name']:<26}{r['wall_median_s']:>8.3f}{r['pyvips_wall_median_s']:>8.3f}"
              f"{r['wall_ratio_vs_pyvips']:>7.2f}{r['wall_target']:>7.1f}{r['cpu_median_s']:>8.3f}"
              f"{r['pyvips_cpu_median_s']:>8.3f}{r['peak_rss_mb']:>8.0f}{r['pyvips_peak_rss_mb']:>8.0f}"
              f"{r['rss_limit_mb']:>7.0f}  {'yes' if r['meets_targets'] else 'NO'}")


def measure_images(reps: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from contest.media.pipeline import ENCODERS
    encoders_json = json.dumps(ENCODERS)
    return [bench_file(file, reps, encoders_json) for file in ensure_inputs(OUT / "images")]


# --- server responsiveness (home page latency while uploads are processed) ------------------------

CONTEST_SLUG = "renmin-2026"
DESIGNER = ("designer@demo.wenchuang.cn", "demo-designer-2026")
CONCURRENT_UPLOADS = 8
MAX_IMAGES_PER_ENTRY = 10                   # the demo tracks' max_images
DESIGNER_QUOTA_BYTES = 500 * 2**20          # the contest's max_bytes_per_designer (default)
_WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTEST_")}
    return {**env, "PYTHONPATH": str(ROOT), "CONTEST_DATA_DIR": str(tmp / "data"),
            "CONTEST_UPLOAD_DIR": str(tmp / "uploads"), "CONTEST_DATABASE_URL": f"sqlite://{tmp / 'data' / 'bench.sqlite3'}"}


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {timeout} s:\n{log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)   # its own session (start_new_session): the server and its children
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _login(client) -> None:
    page = client.get("/account/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    if page.status_code != 200 or token is None:
        raise RuntimeError(f"login page: {page.status_code}")
    response = client.post("/account/login", data={"csrf_token": token.group(1), "email": DESIGNER[0],
                                                    "password": DESIGNER[1]})
    if response.status_code != 303 or not client.cookies:
        raise RuntimeError(f"login refused: {response.status_code}")


def _entry_slots(client, entry_id: int) -> tuple[str, int] | None:
    """(upload CSRF token, free image slots) of an editable entry; None when the entry takes no uploads."""
    page = client.get(f"/me/entries/{entry_id}")
    token = re.search(r'data-csrf="([0-9a-f]+)"', page.text)
    if page.status_code != 200 or token is None:
        return None
    return token.group(1), MAX_IMAGES_PER_ENTRY - page.text.count('class="image-item')


def _upload_targets(client, needed: int) -> list[list]:
    """[entry id, CSRF token, free slots] for editable entries of the open contest, at least ``needed`` slots.

    The demo designer's own entries of the contest come first; drafts are added (as the designer
    would, through the new-entry form) until there is room for ``needed`` images.
    """
    dashboard = client.get("/me/").text
    title = re.search(rf'/me/c/{CONTEST_SLUG}/new">[^<·]*·\s*([^<]+?)\s*</a>', dashboard)
    targets: list[list] = []
    for card in dashboard.split('<article class="card entry-card">')[1:]:
        link, meta = re.search(r'/me/entries/(\d+)"', card), re.search(r'class="card-meta">([^<]*)<', card)
        if link and meta and title and meta.group(1).startswith(title.group(1)):
            slots = _entry_slots(client, int(link.group(1)))
            if slots and slots[1] > 0:
                targets.append([int(link.group(1)), *slots])
    while sum(t[2] for t in targets) < needed:
        form = client.get(f"/me/c/{CONTEST_SLUG}/new")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
        track = re.search(r'name="track" value="(\d+)"', form.text)
        if form.status_code != 200 or not token or not track:
            raise RuntimeError(f"cannot create a draft in {CONTEST_SLUG}: {form.status_code}")
        created = client.post(f"/me/c/{CONTEST_SLUG}/new", data={"csrf_token": token.group(1), "track": track.group(1)})
        link = re.search(r"/me/entries/(\d+)", created.headers.get("location", ""))
        slots = _entry_slots(client, int(link.group(1))) if created.status_code == 303 and link else None
        if not slots:
            raise RuntimeError(f"new draft in {CONTEST_SLUG} refused: {created.status_code}")
        targets.append([int(link.group(1)), *slots])  # type: ignore[union-attr]  # slots exist only when link matched
    return targets


def run_wrk(url: str, seconds: int) -> dict:
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        if found is None:
            raise RuntimeError(f"no {label} latency in wrk output:\n{output}")
        return round(float(found.group(1)) * _WRK_UNITS_MS[found.group(2)], 2)

    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    latency = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", output, re.MULTILINE)
    max_ms = round(float(latency.group(1)) * _WRK_UNITS_MS[latency.group(2)], 2) if latency else None
    return {"p50_ms": ms("50%"), "p99_ms": ms("99%"), "max_ms": max_ms, "requests": int(requests.group(1)) if requests else 0,
            "rps": float(rate.group(1)) if rate else 0.0, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1).strip() if errors else ""}


class Uploader:
    """``CONCURRENT_UPLOADS`` threads, each uploading the file again and again until ``stop`` is set."""

    def __init__(self, base: str, cookies, targets: list[list], data: bytes, limit: int) -> None:
        self.base, self.cookies, self.targets, self.data = base, cookies, targets, data
        self.limit = limit                     # what the designer's storage quota allows in all
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.started = 0
        self.statuses: list[int] = []
        self.seconds: list[float] = []
        self.last_finished = 0.0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(CONCURRENT_UPLOADS)]

    def _slot(self) -> tuple[int, str] | None:
        with self.lock:
            if self.started >= self.limit:
                return None
            for target in self.targets:
                if target[2] > 0:
                    target[2] -= 1
                    self.started += 1
                    return target[0], target[1]
            return None

    def _run(self) -> None:
        import httpx
        with httpx.Client(base_url=self.base, cookies=self.cookies, timeout=120.0) as client:
            while not self.stop.is_set() and (slot := self._slot()) is not None:
                entry_id, token = slot
                started = time.perf_counter()
                try:
                    status = client.post(
                        f"/me/entries/{entry_id}/slots/images/files", params={"name": "big.jpg"}, content=self.data,
                        headers={"x-csrf-token": token, "accept": "application/json",
                                 "content-type": "application/octet-stream"}).status_code
                except httpx.HTTPError:
                    status = 0
                with self.lock:
                    self.statuses.append(status)
                    self.seconds.append(time.perf_counter() - started)
                    self.last_finished = time.monotonic()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def in_flight(self) -> int:
        with self.lock:
            return self.started - len(self.statuses)

    def finish(self, *, wait: bool) -> tuple[list[int], int]:
        """Stop starting uploads; with ``wait``, let those in flight complete. Returns (statuses, abandoned)."""
        self.stop.set()
        if wait:
            for thread in self.threads:
                thread.join()
        with self.lock:
            return list(self.statuses), self.started - len(self.statuses)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)


def measure_server_responsiveness(quick: bool) -> dict:
    """p50 / p99 of the contest home page, idle and while 8 large uploads are being processed."""
    import httpx
    upload = ensure_inputs(OUT / "images")[0].path          # the 6000 x 4000 JPEG (~11 MB)
    data = upload.read_bytes()
    seconds = 4 if quick else 10                            # --quick: the whole script stays under a minute
    with tempfile.TemporaryDirectory(prefix="contest-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "data").mkdir()
        env, log = _server_env(tmp), tmp / "server.log"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "contest", "demo"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        demo_seconds = time.perf_counter() - started
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("wb") as log_file:
            server = subprocess.Popen([sys.executable, "-m", "contest", "serve", "--port", str(port)], cwd=ROOT,
                                      env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_healthy(base, server, log)
            home = f"{base}/c/{CONTEST_SLUG}"
            with httpx.Client(base_url=base, timeout=30.0) as client:
                for _ in range(20):                            # warm-up (templates, database connection)
                    if (status := client.get(f"/c/{CONTEST_SLUG}").status_code) != 200:
                        raise RuntimeError(f"{home} answered {status}")
                _login(client)
                limit = int(DESIGNER_QUOTA_BYTES * 0.9) // len(data)
                targets = _upload_targets(client, min(limit, CONCURRENT_UPLOADS * (3 if quick else 5)))
                cookies = dict(client.cookies)
            idle = run_wrk(home, seconds)
            uploader = Uploader(base, cookies, targets, data, limit)
            uploader.start()
            while uploader.in_flight() < CONCURRENT_UPLOADS and uploader.threads[0].is_alive():
                time.sleep(0.01)
            time.sleep(0.5)                                    # the first bodies are arriving; processing starts
            wrk_started = time.monotonic()
            busy = run_wrk(home, seconds)
            wrk_ended = time.monotonic()
            in_flight_at_end = uploader.in_flight()
            # --quick does not wait for the uploads still in flight (several seconds): they are abandoned
            # when the server stops, and only the uploads that completed are counted.
            statuses, abandoned = uploader.finish(wait=not quick)
            if server.poll() is not None:
                raise RuntimeError(f"server died:\n{log.read_text()[-2000:]}")
        finally:
            _stop(server)
            if "uploader" in locals():
                uploader.join()
    return {
        "home_url_path": f"/c/{CONTEST_SLUG}", "wrk": f"-t2 -c8 -d{seconds}s", "upload_bytes": len(data),
        "concurrent_uploads": CONCURRENT_UPLOADS, "demo_build_s": round(demo_seconds, 1),
        "idle": idle, "during_uploads": busy,
        "p99_ratio": round(busy["p99_ms"] / idle["p99_ms"], 2) if idle["p99_ms"] else None,
        "uploads_completed": len(statuses), "uploads_201": statuses.count(201),
        "upload_statuses": sorted(set(statuses)),
        "upload_median_s": round(statistics.median(uploader.seconds), 2) if uploader.seconds else None,
        "uploads_in_flight_when_wrk_ended": in_flight_at_end, "uploads_abandoned": abandoned,
        "uploads_covered_wrk_window": in_flight_at_end > 0 or uploader.last_finished >= wrk_ended,
        "uploads_ran_out_of_room": uploader.started >= limit or not any(t[2] for t in uploader.targets),
        "wrk_window_s": round(wrk_ended - wrk_started, 2),
    }


def print_responsiveness(r: dict) -> None:
    print()
    print(f"contest home page {r['home_url_path']} (wrk {r['wrk']}), {r['concurrent_uploads']} concurrent uploads "
          f"of {r['upload_bytes'] / 2**20:.1f} MiB")
    header = f"{'':<16}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}{'non-2xx':>9}"
    print(header)
    print("-" * len(header))
    for label, key in (("idle", "idle"), ("during uploads", "during_uploads")):
        w = r[key]
        print(f"{label:<16}{w['p50_ms']:>9.2f}{w['p99_ms']:>9.2f}{w['max_ms'] or 0:>9.2f}{w['rps']:>9.0f}"
              f"{w['non_2xx']:>9}")
    print(f"p99 ratio {r['p99_ratio']}x; uploads completed {r['uploads_completed']} "
          f"({r['uploads_201']} answered 201), median {r['upload_median_s']} s each; "
          f"{r['uploads_in_flight_when_wrk_ended']} still in flight when wrk ended"
          f"{f', {a} abandoned (not waited for)' if (a := r['uploads_abandoned']) else ''}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition per engine and file (< 1 min)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(*args.child)
        return 0
    rows = measure_images(1 if args.quick else args.reps)
    print_table(rows)
    ocr = measure_ocr(rows, 1 if args.quick else args.reps)
    print_ocr(ocr)
    server = measure_server_responsiveness(args.quick)
    print_responsiveness(server)
    uploads_ok = server["uploads_completed"] > 0 and server["uploads_201"] == server["uploads_completed"]
    result = {"benchmark": "images", "quick": args.quick, "cpus": os.cpu_count(), "files": rows,
              "home_p99_ms_idle": server["idle"]["p99_ms"],
              "home_p99_ms_during_uploads": server["during_uploads"]["p99_ms"],
              "home_p50_ms_idle": server["idle"]["p50_ms"],
              "home_p50_ms_during_uploads": server["during_uploads"]["p50_ms"],
              "uploads_completed": server["uploads_completed"], "server": server,
              "ocr_median_ms": ocr["median_ms"], "ocr_to_pipeline_ratio": ocr["median_ratio"],
              "ocr_cpu_to_pipeline_cpu_ratio": ocr["median_cpu_ratio"],
              "ocr_engine_load_s": ocr["engine_load_s"], "ocr": ocr["files"]}
    print(json.dumps(result))
    return 0 if all(r["meets_targets"] for r in rows) and uploads_ok else 1


if __name__ == "__main__":
    sys.exit(main())
