"""Hydra config group files shipped with the plugin (hydra.searchpath=[pkg://fictional_npu.configs])."""
