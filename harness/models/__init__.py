"""Model sources: turn a model config into a torch module with input specs and optional data."""
