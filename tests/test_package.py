"""The package's public names are the functions, however the submodules were imported."""

from __future__ import annotations

import subprocess
import sys


def test_public_functions_survive_importing_their_submodules():
    code = (
        "import reprints.scan, reprints.similarity, reprints.cli.scan\n"
        "import reprints\n"
        "from reprints import scan, similarity, compare\n"
        "assert callable(reprints.scan) and callable(scan) and callable(similarity)\n"
        "assert similarity('US choppers transferred 20 commanders', 'US choppers transferred 20 commanders') == 1.0\n"
        "assert len(compare('a b c d e f g h i j k l', 'x')) == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_package_does_not_load_scikit_learn():
    code = "import sys, reprints, reprints.cli; assert 'sklearn' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
