"""A tiny torch net for the BYO tests; its source is also written out as a user package."""

import torch


class TinyNet(torch.nn.Module):
    """Two linear layers; `width` is a constructor argument set from the config."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(8, width), torch.nn.Linear(width, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x)))
