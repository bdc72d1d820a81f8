"""Model hubs: where model files come from (URL templates, name checks, listing, transport)."""

from inference_gui.hub.hub import Hub
from inference_gui.hub.transport import HubUnavailable, TransientHubError
from inference_gui.hub.types import Head, RemoteFile

__all__ = ["Head", "Hub", "HubUnavailable", "RemoteFile", "TransientHubError"]
