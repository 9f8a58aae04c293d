"""Derivative pipeline vs. a plain pyvips ``thumbnail`` reference: wall, CPU and peak memory.

    python benchmarks/images.py [--quick] [--reps N]

Each measurement runs in a fresh subprocess (peak RSS from ``os.wait4``); the two engines
alternate so drift hits both. Input files are generated once and cached in benchmarks/out/.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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
            flatten = image.hasalpha() and (fmt == "JPEG" or name == "judging")
            flat = image.flatten(background=[255, 255, 255]) if flatten else image
            (out / f"{name}.{fmt.lower()}").write_bytes(getattr(flat, method)(keep=keep, **options))


def child_main(engine: str, src: str, encoders_json: str) -> None:
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

def measure(engine: str, file: BenchFile, encoders_json: str) -> Sample:
    cmd = [sys.executable, __file__, "--child", engine, str(file.path), encoders_json]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} failed on {file.name} (exit {proc.returncode})")
    timings = json.loads(output.decode().strip().splitlines()[-1])
    return Sample(timings["wall"], timings["cpu"], usage.ru_maxrss / 1024)


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
    header = f"{'file':<26}{'wall s':>8}{'pyvips':>8}{'ratio':>7}{'target':>7}{'cpu s':>8}{'pyvips':>8}" \
             f"{'RSS MB':>8}{'pyvips':>8}{'limit':>7}  ok"
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
    # The server-responsiveness part (home page p99 while uploads are processed) plugs in here
    # once the upload route exists; until then its keys are reported as null.
    result = {"benchmark": "images", "quick": args.quick, "cpus": os.cpu_count(), "files": rows,
              "home_p99_ms_idle": None, "home_p99_ms_during_uploads": None}
    print(json.dumps(result))
    return 0 if all(r["meets_targets"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
