"""Model hubs: where model files come from (URL templates, name checks, listing, transport)."""

from inference_gui.hub.hub import Head, Hub, RemoteFile
from inference_gui.hub.transport import TransientHubError

__all__ = ["Head", "Hub", "RemoteFile", "TransientHubError"]
