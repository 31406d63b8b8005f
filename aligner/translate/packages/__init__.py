"""Installed Argos Translate packages: find, list, install (file or download), remove.

The packages live where `argospm` and LibreTranslate keep them, so a model installed by either
is found here and the other way round. One module per idea, as Argos keeps them apart:

    settings     where packages live (ARGOS_PACKAGES_DIR, settings.json, XDG) and the index URL
    package      InstalledPackage; list, find, require and remove installed packages
    archive      validate an .argosmodel zip and install it atomically
    networking   the package index and downloads
"""

from aligner.translate.packages.archive import REQUIRED_FILES, install_package_file
from aligner.translate.packages.networking import download_package, fetch_index
from aligner.translate.packages.package import (InstalledPackage, find_package, list_packages, remove_package,
                                                require_package)
from aligner.translate.packages.settings import DEFAULT_PACKAGE_INDEX, package_index_url, packages_dir

__all__ = ["DEFAULT_PACKAGE_INDEX", "REQUIRED_FILES", "InstalledPackage", "download_package", "fetch_index",
           "find_package", "install_package_file", "list_packages", "package_index_url", "packages_dir",
           "remove_package", "require_package"]
