"""Export: torch modules to checked, shape-inferred, cached ONNX files."""
