"""`aligner models` and aligner.translate.packages: where models live, install, refuse, remove."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.errors import EXIT_INPUT, EXIT_MODEL, ModelError
from aligner.translate import packages
from aligner.translate.packages import (download_package, find_package, install_package_file,
                                        list_packages, packages_dir, remove_package)

REPO = Path(__file__).resolve().parent.parent


def run(*args, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def tree(root: Path) -> list[str]:
    """Everything under root, hidden entries included, with file sizes."""
    return sorted(f"{p.relative_to(root)}:{p.stat().st_size if p.is_file() else 'dir'}"
                  for p in root.rglob("*"))


def package_members(argosmodel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(argosmodel) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


def write_zip(path: Path, members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)  # a symbolic link, as `zip -y` stores it
            zf.writestr(info, target)
    return path


# --------------------------------------------------------------------------- where models live

def test_packages_dir_follows_argos_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    monkeypatch.delenv("SNAP", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert packages_dir() == tmp_path / "home" / ".local" / "share" / "argos-translate" / "packages"

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert packages_dir() == tmp_path / "data" / "argos-translate" / "packages"

    settings = tmp_path / "config" / "argos-translate" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"ARGOS_PACKAGES_DIR": str(tmp_path / "from-settings")}))
    assert packages_dir() == tmp_path / "from-settings"

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "from-env"))
    assert packages_dir() == tmp_path / "from-env"  # the environment wins, as in argostranslate
    assert not (tmp_path / "from-env").exists()      # resolving creates nothing


def test_package_index_url(monkeypatch):
    monkeypatch.delenv("ARGOS_PACKAGE_INDEX", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    assert packages.package_index_url() == packages.DEFAULT_PACKAGE_INDEX + "index.json"
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://mirror.example/argos")
    assert packages.package_index_url() == "http://mirror.example/argos/index.json"


def test_list_empty_and_installed(empty_argos_dir, argos_dir):
    # argos_dir replaced ARGOS_PACKAGES_DIR; look at the empty one explicitly first.
    assert list_packages(empty_argos_dir) == []
    found = list_packages()
    assert [(p.from_code, p.to_code, p.package_version) for p in found] == [
        ("en", "zh", "0.1-fixture"), ("zh", "en", "0.1-fixture")]
    r = run("models", "list")
    assert r.exit_code == 0
    assert "en → zh" in r.output and "zh → en" in r.output and "0.1-fixture" in r.output
    assert str(argos_dir / "translate-en_zh-fixture") in r.output
    rows = [json.loads(line) for line in run("models", "list", "--json").output.splitlines()]
    assert {(x["from"], x["to"]) for x in rows} == {("en", "zh"), ("zh", "en")}
    assert run("models", "path").output.strip() == str(argos_dir)


def test_list_when_nothing_installed(empty_argos_dir):
    r = run("models", "list")
    assert r.exit_code == 0
    assert "No translation models installed" in r.output
    assert "aligner models install en zh" in r.output and "FILE.argosmodel" in r.output


def test_folders_that_are_not_packages_are_skipped(argos_dir):
    (argos_dir / "notes").mkdir()
    (argos_dir / "broken").mkdir()
    (argos_dir / "broken" / "metadata.json").write_text("{not json")
    assert len(list_packages()) == 2


# --------------------------------------------------------------------------- install / remove

def test_install_from_file_then_remove(empty_argos_dir, argosmodel_files):
    r = run("models", "install", str(argosmodel_files["en-zh"]))
    assert r.exit_code == 0, r.output
    assert "Installed en → zh" in r.output
    pkg = find_package("en", "zh")
    assert pkg is not None and pkg.path == empty_argos_dir / "translate-en_zh-fixture"
    assert (pkg.path / "model" / "model.bin").is_file()
    assert [p.name for p in empty_argos_dir.iterdir()] == ["translate-en_zh-fixture"]  # no temp left
    r = run("models", "remove", "en", "zh")
    assert r.exit_code == 0 and "Removed en → zh" in r.output
    assert list(empty_argos_dir.iterdir()) == []


def test_remove_missing_pair(empty_argos_dir):
    r = run("models", "remove", "en", "zh")
    assert r.exit_code == EXIT_MODEL
    assert "no en→zh model is installed" in r.output


def test_install_replaces_the_same_pair_only_when_complete(empty_argos_dir, argosmodel_files, tmp_path):
    install_package_file(argosmodel_files["en-zh"])
    install_package_file(argosmodel_files["zh-en"])
    members = package_members(argosmodel_files["en-zh"])
    # A newer version of the same pair, in a differently named folder.
    newer = {}
    for name, data in members.items():
        name = name.replace("translate-en_zh-fixture", "translate-en_zh-2_0")
        if name.endswith("metadata.json"):
            meta = json.loads(data)
            meta["package_version"] = "2.0"
            data = json.dumps(meta).encode()
        newer[name] = data
    pkg = install_package_file(write_zip(tmp_path / "newer.argosmodel", newer))
    assert pkg.package_version == "2.0"
    assert sorted(p.name for p in empty_argos_dir.iterdir()) == ["translate-en_zh-2_0", "translate-zh_en-fixture"]
    assert find_package("en", "zh").package_version == "2.0"


@pytest.mark.parametrize("case, message", [
    ("zip-slip", "would be written outside the packages directory"),
    ("absolute", "would be written outside the packages directory"),
    ("symlink", "is a symbolic link"),
    ("not-zip", "not a zip archive"),
    ("truncated", "truncated"),
    ("corrupted", "corrupted"),
    ("no-metadata", "no translate-en_zh-fixture/metadata.json"),
    ("no-top-folder", "one top folder"),
    ("metadata-no-codes", "lacks to_code"),
    ("no-model", "model/model.bin"),
    ("no-sentencepiece", "sentencepiece.model"),
    ("bad-sentencepiece", "not a valid sentencepiece model"),
    ("empty-zip", "empty"),
    ("hidden-top", "is hidden"),
])
def test_install_refuses_bad_packages(case, message, argos_dir, argosmodel_files, tmp_path):
    good = argosmodel_files["en-zh"]
    members = package_members(good)
    top = "translate-en_zh-fixture"
    bad = tmp_path / f"{case}.argosmodel"
    if case == "zip-slip":
        write_zip(bad, {**members, f"{top}/../../evil.txt": b"owned"})
    elif case == "absolute":
        write_zip(bad, {**members, "/tmp/evil.txt": b"owned"})
    elif case == "symlink":
        write_zip(bad, members, symlinks={f"{top}/model/link": "/etc/passwd"})
    elif case == "not-zip":
        bad.write_text("this is not a zip file\n")
    elif case == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "corrupted":
        data = bytearray(good.read_bytes())
        with zipfile.ZipFile(good) as zf:
            info = zf.getinfo(f"{top}/model/model.bin")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 200
        for i in range(start, start + 64):
            data[i] ^= 0xFF
        bad.write_bytes(bytes(data))
    elif case == "no-metadata":
        write_zip(bad, {k: v for k, v in members.items() if not k.endswith("metadata.json")})
    elif case == "no-top-folder":
        write_zip(bad, {k.split("/", 1)[1]: v for k, v in members.items()})
    elif case == "metadata-no-codes":
        meta = json.loads(members[f"{top}/metadata.json"])
        del meta["to_code"]
        write_zip(bad, {**members, f"{top}/metadata.json": json.dumps(meta).encode()})
    elif case == "no-model":
        write_zip(bad, {k: v for k, v in members.items() if "/model/" not in k})
    elif case == "no-sentencepiece":
        write_zip(bad, {k: v for k, v in members.items() if not k.endswith("sentencepiece.model")})
    elif case == "bad-sentencepiece":
        write_zip(bad, {**members, f"{top}/sentencepiece.model": b"garbage"})
    elif case == "empty-zip":
        write_zip(bad, {})
    elif case == "hidden-top":
        write_zip(bad, {k.replace(top, ".hidden"): v for k, v in members.items()})
    before = tree(argos_dir)
    r = run("models", "install", str(bad))
    assert r.exit_code == EXIT_MODEL, r.output
    assert "aligner: error:" in r.output and str(bad) in r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert tree(argos_dir) == before  # nothing installed, nothing replaced, no temp left
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


def test_install_missing_file(empty_argos_dir, tmp_path):
    r = run("models", "install", str(tmp_path / "nope.argosmodel"))
    assert r.exit_code == EXIT_INPUT
    assert "no such file" in r.output


def test_install_usage(empty_argos_dir):
    r = CliRunner().invoke(main, ["models", "install", "a", "b", "c"])
    assert r.exit_code == 2


# --------------------------------------------------------------------------- download

@pytest.fixture
def index_server(tmp_path, argosmodel_files):
    """A local package index (index.json + the .argosmodel), as the Argos index serves them."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "en_zh.argosmodel").write_bytes(argosmodel_files["en-zh"].read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    index = [
        {"package_version": "0.1-fixture", "argos_version": "1.9.0", "from_code": "en", "to_code": "zh",
         "from_name": "English", "to_name": "Chinese", "type": "translate",
         "links": [base + "en_zh.argosmodel"]},
        {"package_version": "1.0", "from_code": "zh", "to_code": "en", "type": "translate",
         "links": [base + "missing.argosmodel"]},
    ]
    (root / "index.json").write_text(json.dumps(index))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_download_from_the_index(empty_argos_dir, index_server, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_server)
    seen = []
    pkg = download_package("en", "zh", on_progress=lambda done, total: seen.append((done, total)))
    assert pkg.path == empty_argos_dir / "translate-en_zh-fixture"
    assert seen and seen[-1][0] == seen[-1][1]  # streamed to the end
    assert [p.name for p in empty_argos_dir.iterdir()] == ["translate-en_zh-fixture"]  # temp file gone
    remove_package("en", "zh")
    r = run("models", "install", "en", "zh")
    assert r.exit_code == 0, r.output
    assert find_package("en", "zh") is not None


def test_download_failures_are_clear(empty_argos_dir, index_server, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_server)
    r = run("models", "install", "zh", "en")  # the index lists it, the link is dead
    assert r.exit_code == EXIT_MODEL
    assert "cannot download the zh→en package" in r.output and "FILE.argosmodel" in r.output
    with pytest.raises(ModelError, match="has no en→fr package"):
        download_package("en", "fr")
    assert list(empty_argos_dir.iterdir()) == []


def test_offline_install_says_so(empty_argos_dir, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on: the network is "down"
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{port}/")
    r = run("models", "install", "en", "zh")
    assert r.exit_code == EXIT_MODEL
    assert "cannot download the Argos package index" in r.output
    assert "offline" in r.output and "aligner models install FILE.argosmodel" in r.output
    assert list(empty_argos_dir.iterdir()) == []


# --------------------------------------------------------------------------- argospm interop

def test_models_installed_by_argostranslate_are_found_and_vice_versa(empty_argos_dir, argosmodel_files, tmp_path):
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(empty_argos_dir), "HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    code = ("import sys, argostranslate.package as p; p.install_from_path(sys.argv[1]); "
            "print(sorted((x.from_code, x.to_code) for x in p.get_installed_packages()))")
    out = subprocess.run([sys.executable, "-c", code, str(argosmodel_files["zh-en"])], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "('zh', 'en')" in out.stdout
    install_package_file(argosmodel_files["en-zh"])
    r = subprocess.run([sys.executable, "-m", "aligner", "models", "list"], env=env, cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "en → zh" in r.stdout and "zh → en" in r.stdout
    code = ("import argostranslate.package as p; "
            "print(sorted((x.from_code, x.to_code) for x in p.get_installed_packages()))")
    listed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "('en', 'zh')" in listed.stdout and "('zh', 'en')" in listed.stdout
