"""No command writes over one of its inputs or lands two outputs on one file; batches never read
their own outputs; bombs and typos get a message, not a traceback; one spelling and one exit
code for one thing in every command (issue 10). Everything through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main

REPO = Path(__file__).resolve().parent.parent
EN = REPO / "corpus" / "article.en.txt"
ZH = REPO / "corpus" / "article.zh.txt"
GLOSSARY = REPO / "glossaries" / "news.tsv"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    """The first three paragraphs of the corpus article and their translation."""
    en = EN.read_text(encoding="utf-8").split("\n\n")[:3]
    zh = ZH.read_text(encoding="utf-8").split("\n\n")[:3]
    src, tgt = tmp_path / "a.en.txt", tmp_path / "a.zh.txt"
    src.write_text("\n\n".join(en) + "\n", encoding="utf-8")
    tgt.write_text("\n\n".join(zh) + "\n", encoding="utf-8")
    return src, tgt


@pytest.fixture
def bitext(pair, tmp_path) -> Path:
    out = tmp_path / "b.jsonl"
    r = run("align", *pair, "-o", out, "-q")
    assert r.exit_code == 0, r.output
    return out


# --------------------------------------------------------------------------- outputs vs inputs

def _refused(r, before, root, *words):
    assert r.exit_code == 5, r.output
    assert "would overwrite the input" in r.output or "same file" in r.output, r.output
    for w in words:
        assert w in r.output
    assert "Traceback" not in r.output
    assert snapshot(root) == before  # nothing written, nothing replaced


def test_align_refuses_to_write_over_its_inputs(pair, tmp_path):
    src, tgt = pair
    before = snapshot(tmp_path)
    _refused(run("align", src, tgt, "-o", tgt), before, tmp_path, "a.zh.txt")
    _refused(run("align", src, tgt, "-o", tmp_path / "." / "a.en.txt"), before, tmp_path)
    # A hard link and a symbolic link to the human translation are the translation.
    os.link(tgt, tmp_path / "hard.jsonl")
    (tmp_path / "soft.jsonl").symlink_to(tgt)
    before = snapshot(tmp_path)
    _refused(run("align", src, tgt, "-o", tmp_path / "hard.jsonl"), before, tmp_path)
    _refused(run("align", src, tgt, "-o", tmp_path / "soft.jsonl"), before, tmp_path)
    # An export beside the bitext that would be the bitext itself, or the glossary.
    g = tmp_path / "g.tsv"
    shutil.copy(GLOSSARY, g)
    before = snapshot(tmp_path)
    _refused(run("align", src, tgt, "-o", tmp_path / "x.tmx", "--format", "tmx"), before, tmp_path)
    _refused(run("align", src, tgt, "-o", tmp_path / "g.jsonl", "--format", "tsv", "--glossary", g),
             before, tmp_path)


def test_import_export_and_extract_refuse_to_write_over_their_inputs(bitext, tmp_path):
    tsv = tmp_path / "m.tsv"
    assert run("export", bitext, "-o", tsv, "-q").exit_code == 0
    before = snapshot(tmp_path)
    _refused(run("import", tsv, "-o", tsv), before, tmp_path)
    _refused(run("export", bitext, "-o", bitext, "--format", "tmx"), before, tmp_path)
    g = tmp_path / "g.tsv"
    shutil.copy(GLOSSARY, g)
    before = snapshot(tmp_path)
    _refused(run("glossary", "extract", bitext, "-g", g, "-o", g), before, tmp_path)
    _refused(run("glossary", "convert", g, g), before, tmp_path)
    # An export whose glob picks up its own earlier output.
    all_ = tmp_path / "all.jsonl"
    assert run("export", bitext, "-o", all_, "-q").exit_code == 0
    before = snapshot(tmp_path)
    _refused(run("export", *sorted(tmp_path.glob("*.jsonl")), "-o", all_), before, tmp_path)


def test_align_pairs_of_one_name_are_refused_before_anything_is_written(tmp_path, pair):
    for d in ("d1", "d2"):
        (tmp_path / d).mkdir()
        shutil.copy(pair[0], tmp_path / d / "ch.en.txt")
        shutil.copy(pair[1], tmp_path / d / "ch.zh.txt")
    lst = tmp_path / "pairs.tsv"
    lst.write_text("d1/ch.en.txt\td1/ch.zh.txt\nd2/ch.en.txt\td2/ch.zh.txt\n", encoding="utf-8")
    r = run("align", "--pairs", lst, "-o", tmp_path / "out")
    assert r.exit_code == 5 and "would both be written" in r.output
    assert not (tmp_path / "out").exists()


def test_align_batch_into_one_of_its_input_folders_runs_again(tmp_path, pair):
    zh, en = tmp_path / "zh", tmp_path / "en"
    zh.mkdir(), en.mkdir()
    shutil.copy(pair[1], zh / "ch1.zh.txt")
    shutil.copy(pair[0], en / "ch1.en.txt")
    r = run("align", zh, en, "-o", zh, "--format", "tmx")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in zh.iterdir()) == ["ch1.zh-en.jsonl", "ch1.zh-en.tmx", "ch1.zh.txt"]
    before = snapshot(tmp_path)
    again = run("align", zh, en, "-o", zh, "--format", "tmx")
    assert again.exit_code == 0, again.output
    assert "1 pair(s) already up to date" in again.output
    assert snapshot(tmp_path) == before


def test_translate_into_a_folder_inside_its_input_folder_runs_again(argos_dir, tmp_path, pair):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(pair[0], src / "a.en.txt")
    r = run("translate", src, "--to", "zh", "--out", src / "out", "--format", "html")
    assert r.exit_code == 0, r.output
    before = snapshot(tmp_path)
    again = run("translate", src, "--to", "zh", "--out", src / "out", "--format", "html")
    assert again.exit_code == 0, again.output
    assert "1 file already up to date" in again.output
    assert snapshot(tmp_path) == before
    # The same with --out the input folder itself: the earlier translation is not an input.
    r = run("translate", src, "--out", src)
    assert r.exit_code == 0, r.output
    assert (src / "a.zh.txt").is_file()
    before = snapshot(tmp_path)
    again = run("translate", src, "--out", src)
    assert again.exit_code == 0, again.output
    assert "1 file already up to date" in again.output and "translated" not in again.output
    assert snapshot(tmp_path) == before
    # ... and named one by one, as a shell's in/*.txt names them.
    again = run("translate", *sorted(src.glob("*.txt")), "--out", src)
    assert again.exit_code == 0, again.output
    assert "1 file already up to date" in again.output and "translated" not in again.output
    assert snapshot(tmp_path) == before


def test_a_symlinked_input_is_translated_once_under_the_real_name(argos_dir, tmp_path, pair):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(pair[0], src / "z.en.txt")
    (src / "a.en.txt").symlink_to("z.en.txt")  # sorts first
    out = tmp_path / "out"
    r = run("translate", src, "--to", "zh", "--out", out)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["z.en-zh.jsonl", "z.zh.txt"]
    # A link whose file is not among the inputs is translated under its own name.
    (tmp_path / "elsewhere.en.txt").write_text("The cadre resigned.\n", encoding="utf-8")
    (src / "b.en.txt").symlink_to(tmp_path / "elsewhere.en.txt")
    r = run("translate", src, "--to", "zh", "--out", out)
    assert r.exit_code == 0, r.output
    assert (out / "b.zh.txt").is_file() and not (out / "elsewhere.zh.txt").exists()
    assert not (out / "a.zh.txt").exists()


def test_translate_refuses_a_hard_link_of_an_input_as_output(argos_dir, tmp_path, pair):
    src = tmp_path / "in"
    out = tmp_path / "out"
    src.mkdir(), out.mkdir()
    shutil.copy(pair[0], src / "a.en.txt")
    os.link(src / "a.en.txt", out / "a.zh.txt")  # the output would write through to the input
    before = snapshot(tmp_path)
    r = run("translate", src / "a.en.txt", "--to", "zh", "--out", out)
    assert r.exit_code == 5 and "would overwrite the input" in r.output, r.output
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- bombs

def _members(argosmodel: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(argosmodel) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_package_with_a_huge_metadata_json_is_refused_before_it_is_read(empty_argos_dir, argosmodel_files,
                                                                         tmp_path):
    members = _members(argosmodel_files["en-zh"])
    [meta_name] = [n for n in members if n.endswith("/metadata.json")]
    meta = json.loads(members[meta_name])
    meta["padding"] = " " * (8 << 20)  # valid JSON, 8 MB, a few kB zipped
    members[meta_name] = json.dumps(meta).encode()
    bomb = _zip(tmp_path / "bomb.argosmodel", members)
    assert bomb.stat().st_size < (1 << 20)
    r = run("models", "install", bomb)
    assert r.exit_code == 4, r.output
    assert "metadata.json" in r.output and "bytes" in r.output and "Traceback" not in r.output
    assert [p.name for p in empty_argos_dir.iterdir()] == []


def test_a_bad_package_folder_is_skipped_with_a_warning_naming_it(argos_dir, tmp_path, pair):
    bad = argos_dir / "other-tool-made-this"
    bad.mkdir()
    (bad / "metadata.json").write_text("[" * 100_000 + "]" * 100_000)
    huge = argos_dir / "huge"
    huge.mkdir()
    (huge / "metadata.json").write_text('{"from_code": "en", "to_code": "zh", "x": "' + " " * (2 << 20) + '"}')
    r = subprocess.run([sys.executable, "-m", "aligner", "models", "list"], capture_output=True, text=True,
                       cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "RecursionError" not in r.stderr
    assert f"skipped {bad}" in r.stderr and f"skipped {huge}" in r.stderr
    assert "en → zh" in r.stdout and "zh → en" in r.stdout
    t = subprocess.run([sys.executable, "-m", "aligner", "translate", pair[0], "--to", "zh",
                        "--out", tmp_path / "out", "-q"], capture_output=True, text=True, cwd=REPO,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert t.returncode == 0, t.stderr
    assert f"skipped {bad}" in t.stderr and (tmp_path / "out" / "a.zh.txt").is_file()


def test_a_gold_file_nested_100000_deep_is_an_input_error(pair, tmp_path):
    gold = tmp_path / "deep.gold"
    gold.write_text("[" * 100_000 + "]" * 100_000 + ":[0]\n")
    r = run("align", *pair, "--gold", gold, "-q")
    assert r.exit_code == 3, r.output
    assert "deep.gold:1" in r.output and "nested too deeply" in r.output


def test_sigterm_during_models_install_cleans_up_and_stale_folders_are_removed(empty_argos_dir,
                                                                             argosmodel_files):
    import signal
    import time

    root = empty_argos_dir
    stale = root / ".aligner-install-stale1"
    (stale / "pkg").mkdir(parents=True)
    (stale / "pkg" / "model.bin").write_bytes(b"x" * 1000)
    env = {**os.environ, "PYTHONPATH": str(REPO), "ARGOS_PACKAGES_DIR": str(root)}
    p = subprocess.Popen([sys.executable, "-m", "aligner", "models", "install", argosmodel_files["en-zh"]],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # Wait for the install's own staging folder (the stale one is removed first), then SIGTERM.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and p.poll() is None:
        staging = [d for d in root.glob(".aligner-install-*") if d != stale and any(d.rglob("*"))]
        if staging and not stale.exists():
            p.send_signal(signal.SIGTERM)
            break
        time.sleep(0.002)
    out, err = p.communicate(timeout=120)
    assert not stale.exists()  # removed on the next run
    if p.returncode == 0:
        pytest.skip("the install finished before SIGTERM could land")
    assert p.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err
    assert [d.name for d in root.iterdir()] == []  # no .aligner-install-* left, nothing half-installed


def _fsize_limited(args, limit=1000):
    import resource
    import signal

    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail (EFBIG) instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=preexec)


@pytest.mark.parametrize("suffix", ["docx", "html", "tmx", "xlf"])
def test_an_export_that_cannot_be_written_exits_5_without_a_traceback(bitext, tmp_path, suffix):
    dest = tmp_path / "full" / f"big.{suffix}"
    r = _fsize_limited(["export", bitext, "-o", dest])
    assert r.returncode == 5, r.stderr
    assert "cannot write" in r.stderr
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert not dest.exists() and not any(dest.parent.glob(".*part"))


# --------------------------------------------------------------------------- one code per kind of failure

@pytest.fixture
def world(bitext, pair, tmp_path):
    """Files every command can be pointed at: an article pair, a bitext, a memory, a glossary,
    a plain file where a folder is expected and a folder where a file is expected."""
    g = tmp_path / "g.tsv"
    shutil.copy(GLOSSARY, g)
    assert run("export", bitext, "-o", tmp_path / "m.tsv", "-q").exit_code == 0
    (tmp_path / "FILE").write_text("not a folder\n")
    (tmp_path / "D").mkdir()
    return {"en": pair[0], "zh": pair[1], "b": bitext, "g": g, "m": tmp_path / "m.tsv",
            "FILE": tmp_path / "FILE", "D": tmp_path / "D", "t": tmp_path}


KINDS = {
    # an output that cannot be written there: 5
    "output is a file where a folder is needed": (5, [
        "translate {en} --to zh --out {FILE}",
        "translate {en} --to zh --out {FILE}/sub/",
        "align {t}/en {t}/zh -o {FILE}",
        "align {t}/en {t}/zh -o {FILE}/sub/",
        "align {en} {zh} -o {FILE}/sub/x.jsonl",
        "export {b} -o {FILE}/x.tmx",
        "import {m} -o {FILE}/x.jsonl",
        "glossary extract {b} -o {FILE}/x.tsv",
        "glossary convert {g} {FILE}/x.tbx",
    ]),
    "output is a folder where a file is needed": (5, [
        "align {en} {zh} -o {D}",
        "export {b} -o {D} --format tmx",
        "import {m} -o {D}",
        "glossary extract {b} -o {D}",
        "glossary convert {g} {D} --to-format tbx",
    ]),
    "output is an input": (5, [
        "align {en} {zh} -o {zh}",
        "export {b} -o {b} --format tmx",
        "import {m} -o {m}",
        "glossary extract {b} -g {g} -o {g}",
        "glossary convert {g} {g}",
    ]),
    # the command line: 2
    "unknown format": (2, [
        "translate {en} --to zh --out {t}/o --format pdf",
        "align {en} {zh} -o {t}/x.jsonl --format pdf",
        "align {t}/en {t}/zh -o {t}/o --format pdf",
        "export {b} -o {t}/x.out --format pdf",
        "import {m} -o {t}/x.jsonl --format pdf",
        "glossary list {g} --format pdf",
        "glossary convert {g} {t}/x.out --to-format pdf",
    ]),
    "format not told by the name": (2, [
        "export {b} -o {t}/x.out",
        "import {FILE} -o {t}/x.jsonl",
        "glossary list {FILE}",
        "glossary convert {g} {t}/x.out",
    ]),
    "number out of range": (2, [
        "translate {en} --out {t}/o --threads 100000",
        "translate {en} --out {t}/o --batch-size 100000000000",
        "translate {en} --out {t}/o --beam-size 0",
        "translate {en} --out {t}/o --max-length 1000000",
        "align {en} {zh} --max-bead 100",
        "export {b} -o {t}/x.html --low-score 7",
        "glossary extract {b} --min-count 0",
    ]),
    # an input: 3
    "input is a folder": (3, [
        "align {D} {zh} -o {t}/x.jsonl",
        "align {en} {zh} --translation {D}",
        "align {en} {zh} --gold {D}",
        "align {en} {zh} -g {D}",
        "align --pairs {D} -o {t}/o",
        "translate {en} --to zh --out {t}/o -g {D}",
        "export {D} -o {t}/x.tmx",
        "export {b} -g {D} -o {t}/x.html",
        "import {D} -o {t}/x.jsonl --format tmx",
        "glossary check {D} -g {g}",
        "glossary check {b} -g {D}",
        "glossary extract {D}",
        "glossary list {D}",
        "glossary lint {D}",
        "glossary convert {D} {t}/x.tsv",
        "models install {D}",
    ]),
    "input is missing": (3, [
        "translate {t}/nope.txt --out {t}/o",
        "align {t}/nope.txt {zh}",
        "align {en} {zh} --gold {t}/nope.gold",
        "export {t}/nope.jsonl -o {t}/x.tmx",
        "import {t}/nope.tmx -o {t}/x.jsonl",
        "glossary check {t}/nope.jsonl -g {g}",
        "glossary extract {t}/nope.jsonl",
        "glossary lint {t}/nope.tsv",
        "models install {t}/nope.argosmodel",
    ]),
}


@pytest.fixture
def pair_folders(world):
    t = world["t"]
    (t / "en").mkdir()
    (t / "zh").mkdir()
    shutil.copy(world["en"], t / "en" / "a.en.txt")
    shutil.copy(world["zh"], t / "zh" / "a.zh.txt")
    return world


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_one_kind_of_failure_has_one_exit_code_in_every_command(kind, pair_folders, argos_dir):
    code, commands = KINDS[kind]
    world = pair_folders
    fields = {k: str(v) for k, v in world.items()}
    for template in commands:
        args = template.format(**fields).split()
        before = snapshot(world["t"])
        r = run(*args)
        assert r.exit_code == code, f"{template}: exit {r.exit_code}, expected {code}\n{r.output}"
        assert "Traceback" not in r.output, template
        after = snapshot(world["t"])
        assert {k: v for k, v in after.items() if not k.startswith("argos-packages")} == \
            {k: v for k, v in before.items() if not k.startswith("argos-packages")}, template


def test_device_cuda_without_a_gpu_is_a_usage_error_not_no_model(argos_dir, pair, tmp_path):
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    r = run("translate", pair[0], "--to", "zh", "--out", tmp_path / "o", "--device", "cuda")
    assert r.exit_code == 2, r.output
    assert "--device" in r.output and "no CUDA device" in r.output
    assert not (tmp_path / "o").exists()


def _commands():
    import click

    def walk(cmd, path):
        if isinstance(cmd, click.Group):  # list_commands/get_command: the top level loads lazily
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), path + [name])
        else:
            yield " ".join(path), cmd
    found = list(walk(main, []))
    assert len(found) >= 24, found
    return found


def test_every_numeric_option_is_bounded_and_says_its_bound():
    import click

    for name, cmd in _commands():
        for p in cmd.params:
            if isinstance(p.type, (click.types.IntParamType, click.types.FloatParamType)):
                assert isinstance(p.type, (click.IntRange, click.FloatRange)), f"{name} {p.opts}"
                assert p.type.min is not None and p.type.max is not None, f"{name} {p.opts}: unbounded"
                help_text = run(*name.split(), "--help").output
                assert f"x<={p.type.max}" in help_text.replace(" ", "") or str(p.type.max) in help_text, \
                    f"{name} {p.opts}: --help does not show the bound"


def test_one_spelling_for_one_thing_in_every_command():
    """The output, the format, the glossary and quiet are spelt alike wherever they exist."""
    spellings = {"glossaries": {"-g", "--glossary"}, "quiet": {"-q", "--quiet"}}
    for name, cmd in _commands():
        for p in cmd.params:
            opts = set(p.opts)
            if "--glossary" in opts:
                assert spellings["glossaries"] <= opts, f"{name}: {sorted(opts)}"
            if "--quiet" in opts:
                assert spellings["quiet"] <= opts, f"{name}: {sorted(opts)}"
            if opts & {"-o", "--out", "--output"}:
                assert {"-o", "--out", "--output"} <= opts, f"{name}: {sorted(opts)}"
            if "--format" in opts:
                assert "-f" in opts, f"{name}: {sorted(opts)}"
            if name != "glossary convert" and opts & {"--from", "--to"}:
                assert p.name in ("src_lang", "tgt_lang"), f"{name}: --from/--to must be languages"
    # and they work: -g in align
    assert "-g, --glossary" in run("align", "--help").output
    assert "-g, --glossary" in run("translate", "--help").output


def test_a_package_that_would_unpack_to_gigabytes_is_refused_before_it_is_unpacked(empty_argos_dir,
                                                                                   argosmodel_files, tmp_path):
    import struct

    data = bytearray(argosmodel_files["en-zh"].read_bytes())
    # Make the central directory say model.bin unpacks to 4 GB (a zip bomb's claim).
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        name = bytes(data[pos + 46:pos + 46 + name_len])
        if name.endswith(b"model/model.bin"):
            struct.pack_into("<I", data, pos + 24, 0xFFFF0000)
        pos += 4
    bomb = tmp_path / "bomb.argosmodel"
    bomb.write_bytes(bytes(data))
    r = run("models", "install", bomb)
    assert r.exit_code == 4, r.output
    assert "would unpack to" in r.output and "Traceback" not in r.output
    assert [p.name for p in empty_argos_dir.iterdir()] == []


def test_a_batch_output_may_not_land_on_a_glossary(argos_dir, tmp_path, pair):
    out = tmp_path / "out"
    out.mkdir()
    g = out / "a.zh.txt"  # a glossary kept, oddly, where the translation will go
    g.write_text("source\ttarget\ncadre\t干部\n", encoding="utf-8")
    before = snapshot(tmp_path)
    r = run("translate", pair[0], "--to", "zh", "--out", out, "--glossary", g, "--format", "tsv")
    assert r.exit_code == 5 and "would overwrite the input" in r.output, r.output
    assert snapshot(tmp_path) == before
