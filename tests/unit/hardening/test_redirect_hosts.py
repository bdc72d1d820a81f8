"""A remote hub may not send the app to this machine or the local network with a redirect."""

from __future__ import annotations

import pytest

from inference_gui.errors import HubError
from inference_gui.hub.urls import check_redirect


@pytest.mark.parametrize(
    "target",
    [
        "https://[::1]/x",
        "https://localhost/x",
        "https://127.0.0.2/x",
        "https://10.0.0.5/x",
        "https://192.168.1.1/admin",
        "https://169.254.169.254/latest/meta-data",
        "https://0.0.0.0/x",
        "https://[fe80::1]/x",
        "https://[::ffff:127.0.0.1]/x",
    ],
)
def test_a_remote_hub_cannot_redirect_to_a_local_address(target: str) -> None:
    with pytest.raises(HubError, match="local"):
        check_redirect("https://hub.example/m/config.json", target)


def test_a_local_hub_may_redirect_within_this_machine() -> None:
    assert check_redirect("http://127.0.0.1:8000/a", "http://localhost:9000/b") == (
        "http://localhost:9000/b"
    )
    assert check_redirect("https://hub.example/a", "https://cdn.example/b") == (
        "https://cdn.example/b"
    )
