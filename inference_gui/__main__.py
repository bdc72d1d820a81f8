"""``python -m inference_gui`` behaves exactly like the ``inference-gui`` console script."""

from inference_gui.cli.main import main

raise SystemExit(main())
