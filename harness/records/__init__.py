"""Run records: schema, environment fingerprint, atomic I/O."""
