"""Run orchestration: the Hydra app, job policy and resume, isolation, the child-side run."""
