"""edge-harness plugin for the Nimbus NPU (a fictional accelerator, emulated on the CPU)."""
