"""Reports: rows from records (pure), rendered as terminal tables, markdown and CSV."""
