"""Machine translation with Argos Translate packages, run through CTranslate2 directly.

    from aligner.translate import Engine, translate_files
    engine = Engine.load("en", "zh")               # ModelError if no en->zh package
    engine.translate(["The cadre resigned."])      # [Translation(text=..., score=...)]
    translate_files(["corpus/article.en.txt"], "en", "zh", "out/")

Modules: packages (settings, installed packages, .argosmodel archives, downloads), engine (sentencepiece +
CTranslate2, batched), pipeline (files -> segments -> translations -> articles and bitexts).
"""

import importlib

# Imported on first use (PEP 562), so that `aligner --help` and `aligner align`, which only
# need aligner.translate.options, do not load the engine, the package index and its networking.
_WHERE = {"Engine": "engine", "Translation": "engine",
          "InstalledPackage": "packages", "download_package": "packages", "find_package": "packages",
          "install_package_file": "packages", "list_packages": "packages", "packages_dir": "packages",
          "remove_package": "packages", "require_package": "packages",
          "RunSummary": "pipeline", "TranslateOptions": "pipeline", "output_paths": "pipeline",
          "rebuild": "pipeline", "translate_document": "pipeline", "translate_documents": "pipeline",
          "translate_files": "pipeline"}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'aligner.translate' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"aligner.translate.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["Engine", "Translation", "InstalledPackage", "download_package", "find_package",
           "install_package_file", "list_packages", "packages_dir", "remove_package",
           "require_package", "RunSummary", "TranslateOptions", "output_paths", "rebuild", "translate_document",
           "translate_documents", "translate_files"]
