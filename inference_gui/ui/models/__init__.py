"""Qt item models over core values (tables the panes show through sort/filter proxies)."""
