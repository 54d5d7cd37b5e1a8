"""The real default model (all-MiniLM-L6-v2, int8 ONNX): no mocks."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mediabase.search.embedding import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingUnavailable,
    MiniLMOnnxEmbedder,
    clear_embedder_cache,
    get_embedder,
)

pytestmark = pytest.mark.semantic

# Transcript-like lines, in the style of the AMI remote-control design meetings.
PRICE = "so the remote control should cost about twelve euros fifty to produce"
PRICE_PARAPHRASE = (
    "um we need to keep the production price of the remote under twelve and a half euros"
)
HIKING = "yeah I went hiking in the mountains last weekend and the weather was lovely"
MEETING = [
    PRICE,
    "okay let's draw our favourite animal on the whiteboard, I'll start with a monkey",
    "the buttons should be rubber and the case could be in a fruity yellow colour",
    "we have to put the company logo and colours on the remote, that's from management",
    "the battery is a kinetic one, you shake it and it charges, so no batteries needed",
    HIKING,
]


def dot(a: list[float], b: list[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def max_diff(a: list[list[float]], b: list[list[float]]) -> float:
    return max(abs(x - y) for va, vb in zip(a, b, strict=True) for x, y in zip(va, vb, strict=True))


def test_shape_name_and_unit_norm(minilm: MiniLMOnnxEmbedder) -> None:
    vectors = minilm.embed(MEETING)
    assert isinstance(minilm, Embedder)
    assert minilm.name == DEFAULT_MODEL == "all-MiniLM-L6-v2"
    assert minilm.dimension == 384
    assert len(vectors) == len(MEETING)
    for vector in vectors:
        assert len(vector) == 384
        assert all(isinstance(x, float) and math.isfinite(x) for x in vector)
        assert math.sqrt(dot(vector, vector)) == pytest.approx(1.0, abs=1e-6)


def test_paraphrase_scores_clearly_above_unrelated(minilm: MiniLMOnnxEmbedder) -> None:
    price, paraphrase, hiking = minilm.embed([PRICE, PRICE_PARAPHRASE, HIKING])
    similar = dot(price, paraphrase)
    unrelated = max(dot(price, hiking), dot(paraphrase, hiking))
    assert similar > 0.6  # 0.79 measured
    assert unrelated < 0.2  # -0.08 and -0.05 measured
    assert similar - unrelated > 0.5


def test_query_finds_the_right_line(minilm: MiniLMOnnxEmbedder) -> None:
    (query,) = minilm.embed(["how much will it cost to make the remote"])
    lines = minilm.embed(MEETING)
    best = max(range(len(MEETING)), key=lambda i: dot(query, lines[i]))
    assert MEETING[best] == PRICE


def test_deterministic(minilm: MiniLMOnnxEmbedder) -> None:
    first = minilm.embed(MEETING)
    assert minilm.embed(MEETING) == first
    single_thread = MiniLMOnnxEmbedder(threads=1)
    assert max_diff(single_thread.embed(MEETING), first) < 1e-5


def test_batches_equal_one_by_one(minilm: MiniLMOnnxEmbedder) -> None:
    texts = [*MEETING, "", "yeah.", " ".join(MEETING * 3)]  # mixed lengths: padding differs
    batched = MiniLMOnnxEmbedder(batch_size=4).embed(texts)
    alone = [minilm.embed([t])[0] for t in texts]
    assert max_diff(batched, alone) < 1e-5
    assert max_diff(minilm.embed(texts), alone) < 1e-5


def test_order_is_kept(minilm: MiniLMOnnxEmbedder) -> None:
    forward = minilm.embed(MEETING)
    backward = minilm.embed(MEETING[::-1])
    assert max_diff(forward, backward[::-1]) < 1e-5


def test_empty_inputs(minilm: MiniLMOnnxEmbedder) -> None:
    assert minilm.embed([]) == []
    (empty,) = minilm.embed([""])
    assert len(empty) == 384
    assert math.sqrt(dot(empty, empty)) == pytest.approx(1.0, abs=1e-6)


def test_very_long_text_is_truncated_to_256_tokens(minilm: MiniLMOnnxEmbedder) -> None:
    long_text = " ".join(MEETING * 200)[:10_000]
    assert len(long_text) == 10_000
    longer = long_text + " and then we talked about something else entirely for an hour"
    vectors = minilm.embed([long_text, longer])
    assert math.sqrt(dot(vectors[0], vectors[0])) == pytest.approx(1.0, abs=1e-6)
    # Only the first 256 tokens count, so text after them changes nothing.
    assert max_diff([vectors[0]], [vectors[1]]) < 1e-6


def test_unicode(minilm: MiniLMOnnxEmbedder) -> None:
    texts = [
        "Café crème à l'hôtel",
        "cafe creme a l'hotel",
        "日本語のテキスト",
        "🙂🎉",
        "مرحبا",
        "\u200b\t\n",
    ]
    vectors = minilm.embed(texts)
    for vector in vectors:
        assert len(vector) == 384
        assert math.sqrt(dot(vector, vector)) == pytest.approx(1.0, abs=1e-6)
    # The uncased WordPiece normaliser lower-cases and strips accents.
    assert dot(vectors[0], vectors[1]) == pytest.approx(1.0, abs=1e-6)


def test_shared_between_threads(minilm: MiniLMOnnxEmbedder) -> None:
    expected = minilm.embed(MEETING)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: minilm.embed(MEETING), range(8)))
    for result in results:
        assert max_diff(result, expected) < 1e-5


def test_get_embedder_default_is_cached(minilm: MiniLMOnnxEmbedder) -> None:
    clear_embedder_cache()
    try:
        default = get_embedder()
        assert isinstance(default, MiniLMOnnxEmbedder)
        assert get_embedder(DEFAULT_MODEL) is default
        assert get_embedder(f"sentence-transformers/{DEFAULT_MODEL}", dimension=384) is default
    finally:
        clear_embedder_cache()


def test_a_file_that_is_not_a_model(tmp_path: Path, minilm: MiniLMOnnxEmbedder) -> None:
    bogus = tmp_path / "model.onnx"
    bogus.write_bytes(b"not an onnx model")
    embedder = MiniLMOnnxEmbedder(model_path=bogus)
    with pytest.raises(EmbeddingUnavailable, match="could not load"):
        embedder.embed(["hello"])
