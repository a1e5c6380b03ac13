"""Prompts as text of an exact token length, for servers that take no token ids.

The seeded prompt ids are mapped onto the tokenizer's whole-word pieces that encode back to
themselves ("▁word" -> [id]); pieces never merge across a word boundary, so their decoded text
re-encodes to exactly as many tokens as there were ids. The server's usage.prompt_tokens is
still checked against the requested length (its tokenizer may add a BOS or a template).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.core.errors import ModelError

#: SentencePiece's word-start marker.
WORD_START = "\u2581"


class TextPrompts:
    """Turns prompt ids into text of the same token count with a model folder's tokenizer."""

    def __init__(self, folder: str | Path) -> None:
        from transformers import AutoTokenizer

        self.folder = str(folder)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
        self.pieces = self._round_trip_pieces()
        if len(self.pieces) < 16:
            raise ModelError(f"The tokenizer in {folder} has only {len(self.pieces)} whole-word "
                             "pieces that encode back to themselves, too few to build prompts.",
                             "Use generative.options.prompt_format=ids with a server that takes "
                             "token ids, or a model folder with a word-level tokenizer.")

    def _round_trip_pieces(self) -> list[int]:
        tok = self.tokenizer
        vocab = tok.get_vocab()
        special = set(tok.all_special_ids)
        candidates = sorted(i for p, i in vocab.items()
                            if i not in special and len(p) > 1 and p.startswith(WORD_START)
                            and WORD_START not in p[1:] and not p.startswith(WORD_START + "<"))
        texts = [tok.decode([i]) for i in candidates]
        encoded = tok(texts, add_special_tokens=False)["input_ids"]
        return [i for i, enc in zip(candidates, encoded, strict=True) if enc == [i]]

    def text(self, ids: Sequence[int]) -> str:
        """Return text that the tokenizer encodes to exactly len(ids) tokens."""
        mapped = [self.pieces[int(i) % len(self.pieces)] for i in ids]
        return self.tokenizer.decode(mapped)

    def count(self, text: str) -> int:
        """Return how many tokens the tokenizer makes of text (no special tokens)."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])
