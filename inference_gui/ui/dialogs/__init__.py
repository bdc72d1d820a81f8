"""Modal dialogs opened from the panes (one module each)."""
