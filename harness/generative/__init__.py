"""Generative workloads: prompts of fixed length, a fixed number of output tokens, per-token
timestamps, and TTFT / TPOT / ITL / tokens/s / joules per output token computed from them."""
