"""Everything Qt lives here; the rest of the package never imports Qt."""
