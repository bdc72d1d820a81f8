"""Firefox itself as a source: read a profile's ML model cache, drive a Firefox over Marionette.

Qt-free core: the CLI (``inference-gui firefox ...``) and the GUI both go through these modules.
"""
