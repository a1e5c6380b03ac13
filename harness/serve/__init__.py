"""`harness serve`: an artifact the pipeline makes, behind a real inference server (Triton)."""
