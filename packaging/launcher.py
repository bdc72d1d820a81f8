"""Entry point PyInstaller freezes: the same ``main`` as the ``inference-gui`` console script.

It lives here, not in the package, so the folder PyInstaller adds to the search path while
analysing holds no Python package that could shadow the installed one.
"""

from inference_gui.cli.main import main

raise SystemExit(main())
