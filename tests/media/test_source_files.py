"""Source files are told apart by their bytes; executables, web content, polyglots and hostile ZIPs are
refused, and a ZIP's entries are never decompressed."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from contest.media.source_files import (
    KINDS,
    SourceInfo,
    SourceReason,
    SourceRefused,
    ZipLimits,
    inspect_source,
    inspect_source_async,
)
from tests import imagegen
from tests.media import source_samples as samples

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

MAX = 50 * 1024**2


def inspect(tmp_path: Path, data: bytes, name: str = "upload.bin", **options: object) -> SourceInfo:
    path = tmp_path / "stored"
    path.write_bytes(data)
    return inspect_source(path, original_name=name, max_bytes=MAX, **options)  # type: ignore[arg-type]


def refusal(tmp_path: Path, data: bytes, name: str = "upload.bin", **options: object) -> SourceRefused:
    with pytest.raises(SourceRefused) as caught:
        inspect(tmp_path, data, name, **options)
    return caught.value


RECOGNISED: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # sample: (bytes, name as uploaded, kind); names that lie show the bytes decide
    "zip": (samples.drafts_zip, "过程稿.zip", "zip"),
    "psd": (imagegen.psd, "poster.psd", "psd"),
    "psb": (samples.psb, "mural.psb", "psb"),
    "ai-pdf": (samples.ai_pdf, "logo.ai", "ai"),
    "ai-postscript": (samples.ai_postscript, "logo.ai", "ai"),
    "eps": (imagegen.eps, "logo.eps", "eps"),
    "pdf": (samples.pdf, "print.pdf", "pdf"),
    "cdr-riff": (samples.cdr_riff, "card.cdr", "cdr"),
    "cdr-zip": (samples.cdr_zip, "card.CDR", "cdr"),
    "3mf": (samples.model_3mf, "vase.3mf", "3mf"),
    "obj": (samples.obj, "vase.obj", "obj"),
    "stl-ascii": (samples.stl_ascii, "vase.stl", "stl"),
    "stl-binary-saying-solid": (samples.stl_binary, "vase.stl", "stl"),
    "glb": (samples.glb, "vase.glb", "glb"),
    "fbx-binary": (samples.fbx_binary, "vase.fbx", "fbx"),
    "fbx-ascii": (samples.fbx_ascii, "vase.fbx", "fbx"),
    "blend": (samples.blend, "vase.blend", "blend"),
    "3ds": (samples.model_3ds, "vase.3ds", "3ds"),
    "skp": (samples.skp, "pavilion.skp", "skp"),
    "7z": (samples.seven_zip, "drafts.7z", "7z"),
    "rar": (samples.rar, "drafts.rar", "rar"),
    "misnamed-obj": (samples.obj, "vase.psd", "obj"),
    "zip-named-psd": (samples.drafts_zip, "poster.psd", "zip"),
}


@pytest.mark.parametrize("sample", RECOGNISED)
def test_every_kind_is_recognised_from_its_bytes(tmp_path: Path, sample: str) -> None:
    make, name, kind = RECOGNISED[sample]
    info = inspect(tmp_path, make(), name)
    assert (info.kind, info.extension, info.mime_type) == (kind, KINDS[kind].extension, KINDS[kind].mime_type)


def test_a_zip_reports_its_declared_contents(tmp_path: Path) -> None:
    data = samples.drafts_zip()
    info = inspect(tmp_path, data, "drafts.zip")
    with zipfile.ZipFile(tmp_path / "stored") as archive:
        expected = sum(entry.file_size for entry in archive.infolist())
    assert (info.entries, info.uncompressed_bytes) == (3, expected)


def test_entries_of_a_stored_inner_zip_are_counted(tmp_path: Path) -> None:
    outer = samples.archive({"inner.zip": samples.drafts_zip(), "readme.txt": b"hi"}, method=zipfile.ZIP_STORED)
    assert inspect(tmp_path, outer).entries == 2 + 3


def test_other_files_have_no_archive_figures(tmp_path: Path) -> None:
    info = inspect(tmp_path, samples.glb())
    assert (info.entries, info.uncompressed_bytes) == (None, None)


# --- refusals by kind -----------------------------------------------------------------------------------------

REFUSED: dict[str, tuple[Callable[[], bytes], SourceReason]] = {
    "pe": (samples.pe_executable, SourceReason.EXECUTABLE),
    "elf": (samples.elf_executable, SourceReason.EXECUTABLE),
    "script": (samples.shell_script, SourceReason.EXECUTABLE),
    "self-extracting-zip": (samples.self_extracting, SourceReason.EXECUTABLE),
    "html": (imagegen.html, SourceReason.ACTIVE_CONTENT),
    "svg": (imagegen.svg, SourceReason.ACTIVE_CONTENT),
    "jpeg-zip-polyglot": (imagegen.jpeg_zip_polyglot, SourceReason.POLYGLOT),
    "pdf-zip-polyglot": (samples.pdf_zip_polyglot, SourceReason.POLYGLOT),
    "png-zip-polyglot": (lambda: imagegen.png((64, 64)) + samples.drafts_zip(), SourceReason.POLYGLOT),
    "plain-image": (lambda: imagegen.jpeg((64, 64)), SourceReason.UNSUPPORTED_TYPE),
    "text": ("设计说明:这是一段文字。\n".encode, SourceReason.UNSUPPORTED_TYPE),
    "random": (lambda: bytes(range(256)) * 40, SourceReason.UNSUPPORTED_TYPE),
    "obj-like-then-script": (lambda: b"v 1 2 3\nimport os\n", SourceReason.UNSUPPORTED_TYPE),
    "broken-zip": (lambda: b"PK\x03\x04" + b"\x00" * 200, SourceReason.CORRUPT_ARCHIVE),
}


@pytest.mark.parametrize("sample", REFUSED)
def test_refused_kinds_say_why(tmp_path: Path, sample: str) -> None:
    make, reason = REFUSED[sample]
    assert refusal(tmp_path, make(), "harmless.zip").reason == reason


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path, b"").reason == SourceReason.EMPTY


def test_a_file_over_the_size_limit_is_refused_with_its_figures(tmp_path: Path) -> None:
    path = tmp_path / "stored"
    path.write_bytes(samples.obj())
    with pytest.raises(SourceRefused) as caught:
        inspect_source(path, original_name="vase.obj", max_bytes=100)
    assert (caught.value.reason, caught.value.limit, caught.value.actual) == (
        SourceReason.TOO_LARGE, 100, len(samples.obj()))


# --- ZIP bombs and paths ---------------------------------------------------------------------------------------

def test_a_real_zip_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    """A child process inspects 300 MB of compressed zeros: its peak memory stays far below the bomb's size,
    and nothing is written next to the archive. The peak is the child's VmHWM: ru_maxrss would carry over the
    parent's peak across exec on Linux."""
    bomb = tmp_path / "bomb.zip"
    samples.zeros_bomb(bomb, 300)
    before = sorted(tmp_path.iterdir())
    script = (
        "import json, re, sys\nfrom pathlib import Path\n"
        "from contest.media.source_files import SourceRefused, inspect_source\n"
        "try:\n    inspect_source(Path(sys.argv[1]), original_name='drafts.zip', max_bytes=10**9)\n"
        "    outcome = None\n"
        "except SourceRefused as exc:\n    outcome = [exc.reason.value, exc.limit, exc.actual]\n"
        "peak_kb = int(re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1))\n"
        "print(json.dumps({'outcome': outcome, 'peak_kb': peak_kb}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parents[2])
    result = json.loads(done.stdout)
    reason, limit, ratio = result["outcome"]
    assert (reason, limit) == (SourceReason.COMPRESSION_RATIO, 100)
    assert ratio > 100
    assert result["peak_kb"] < 150 * 1024
    assert sorted(tmp_path.iterdir()) == before


def test_a_directory_declaring_huge_sizes_is_refused(tmp_path: Path) -> None:
    data = samples.declaring(samples.drafts_zip(), 0xF000_0000)
    refused = refusal(tmp_path, data)
    assert refused.reason == SourceReason.UNCOMPRESSED_TOO_LARGE
    assert (refused.limit, refused.actual) == (2 * 1024**3, 3 * 0xF000_0000)


def test_an_end_record_claiming_too_many_entries_is_refused_before_the_directory_is_read(tmp_path: Path) -> None:
    refused = refusal(tmp_path, samples.end_record_claiming(samples.drafts_zip(), 60_000))
    assert (refused.reason, refused.limit, refused.actual) == (SourceReason.TOO_MANY_ENTRIES, 10_000, 60_000)


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    data = samples.archive({f"draft-{n}.txt": b"" for n in range(30)})
    refused = refusal(tmp_path, data, limits=ZipLimits(max_entries=20))
    assert (refused.reason, refused.limit, refused.actual) == (SourceReason.TOO_MANY_ENTRIES, 20, 30)


def test_zip64_end_records_are_read(tmp_path: Path) -> None:
    data = samples.archive({f"{n}": b"" for n in range(65_536)}, method=zipfile.ZIP_STORED)
    refused = refusal(tmp_path, data)
    assert (refused.reason, refused.actual) == (SourceReason.TOO_MANY_ENTRIES, 65_536)


def test_a_small_file_that_compresses_well_is_no_bomb(tmp_path: Path) -> None:
    info = inspect(tmp_path, samples.archive({"spaces.txt": b" " * 5_000_000}))
    assert info.uncompressed_bytes == 5_000_000


SMALL = ZipLimits(ratio_floor_bytes=1024**2, max_nesting=1)


def test_a_stored_inner_bomb_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    samples.zeros_bomb(inner, 20)
    outer = samples.archive({"drafts.zip": inner.read_bytes()}, method=zipfile.ZIP_STORED)
    assert refusal(tmp_path, outer, limits=SMALL).reason == SourceReason.COMPRESSION_RATIO


def test_a_compressed_inner_archive_that_is_bomb_like_by_ratio_is_refused(tmp_path: Path) -> None:
    # incompressible photos beside it keep the whole archive's ratio low; the inner archive's own ratio is not
    photos = {f"photo-{n}.bin": random.Random(n).randbytes(1024**2) for n in range(2)}
    outer = samples.archive({"drafts.7z": b"\x00" * 20 * 1024**2, **photos})
    refused = refusal(tmp_path, outer, limits=SMALL)
    assert (refused.reason, refused.limit) == (SourceReason.NESTED_ARCHIVE, 100)
    assert refused.actual is not None and refused.actual > 100


def test_zips_nested_deeper_than_the_limit_are_refused(tmp_path: Path) -> None:
    middle = samples.archive({"inner.zip": samples.drafts_zip()}, method=zipfile.ZIP_STORED)
    outer = samples.archive({"middle.zip": middle}, method=zipfile.ZIP_STORED)
    refused = refusal(tmp_path, outer, limits=SMALL)
    assert (refused.reason, refused.limit, refused.actual) == (SourceReason.NESTED_ARCHIVE, 1, 2)


@pytest.mark.parametrize("name", ["../evil.txt", "drafts/../../evil.txt", "/etc/cron.d/evil", "C:/evil.txt",
                                  "..\\evil.txt", "drafts\\..\\..\\evil.txt"])
def test_entries_that_would_write_outside_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    assert refusal(tmp_path, samples.archive({name: b"x"})).reason == SourceReason.UNSAFE_PATH


def test_a_symbolic_link_entry_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path, samples.with_symlink()).reason == SourceReason.UNSAFE_PATH


def test_an_executable_inside_a_zip_is_refused(tmp_path: Path) -> None:
    data = samples.archive({"drafts/poster.png": b"x", "drafts/查看.exe": samples.pe_executable()})
    assert refusal(tmp_path, data).reason == SourceReason.EXECUTABLE_INSIDE


def test_dots_inside_a_name_are_not_a_parent_directory(tmp_path: Path) -> None:
    assert inspect(tmp_path, samples.archive({"drafts/v1..v2/notes.txt": b"x"})).entries == 1


async def test_the_async_wrapper_gives_the_same_answer(tmp_path: Path) -> None:
    path = tmp_path / "stored"
    path.write_bytes(samples.drafts_zip())
    info = await inspect_source_async(path, original_name="drafts.zip", max_bytes=MAX)
    assert info == inspect_source(path, original_name="drafts.zip", max_bytes=MAX)
