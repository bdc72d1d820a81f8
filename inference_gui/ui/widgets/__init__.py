"""Reusable widgets of the Inference and Engines panes (score bars, JSON, images, charts...)."""
