"""Machine translation with Argos Translate packages, run through CTranslate2 directly.

    from aligner.translate import Engine, translate_files
    engine = Engine.load("en", "zh")               # ModelError if no en->zh package
    engine.translate(["The cadre resigned."])      # [Translation(text=..., score=...)]
    translate_files(["corpus/article.en.txt"], "en", "zh", "out/")

Modules: packages (settings, installed packages, .argosmodel archives, downloads), engine (sentencepiece +
CTranslate2, batched), pipeline (files -> segments -> translations -> articles and bitexts).
"""

from aligner.translate.engine import Engine, Translation
from aligner.translate.packages import (InstalledPackage, download_package, find_package,
                                        install_package_file, list_packages, packages_dir,
                                        remove_package, require_package)
from aligner.translate.pipeline import (RunSummary, TranslateOptions, output_paths, rebuild, translate_document,
                                        translate_documents, translate_files)

__all__ = ["Engine", "Translation", "InstalledPackage", "download_package", "find_package",
           "install_package_file", "list_packages", "packages_dir", "remove_package",
           "require_package", "RunSummary", "TranslateOptions", "output_paths", "rebuild", "translate_document",
           "translate_documents", "translate_files"]
