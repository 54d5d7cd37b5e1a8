from __future__ import annotations

import codecs

import pytest

from mediabase.transcripts.formats import TranscriptFormatError, decode_text

from ._paths import SUBTITLES

TEXT = "1\n00:00:01,000 --> 00:00:02,000\nÇa va? 你好 — ok\n"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_are_honoured_and_stripped(bom: bytes, codec: str) -> None:
    assert decode_text(bom + TEXT.encode(codec), source="x") == TEXT


def test_plain_utf8() -> None:
    assert decode_text(TEXT.encode(), source="x") == TEXT


def test_explicit_encoding_wins() -> None:
    data = "café".encode("cp1252")
    assert decode_text(data, source="x", encoding="cp1252") == "café"
    # latin-1 reads any byte: an explicit choice is obeyed, not second-guessed
    assert decode_text(TEXT.encode(), source="x", encoding="latin-1") == TEXT.encode().decode(
        "latin-1"
    )
    assert decode_text(codecs.BOM_UTF8 + b"abc", source="x", encoding="utf-8") == "abc"


def test_explicit_encoding_errors_name_the_line() -> None:
    data = b"line one\nline two\nbad \xff here\n"
    with pytest.raises(TranscriptFormatError) as info:
        decode_text(data, source="f.srt", encoding="utf-8")
    assert info.value.line == 3
    assert str(info.value).startswith("f.srt:3: not valid utf-8")


def test_unknown_encoding() -> None:
    with pytest.raises(TranscriptFormatError, match="unknown encoding 'klingon'"):
        decode_text(b"abc", source="x", encoding="klingon")


def test_broken_utf16_after_its_bom() -> None:
    with pytest.raises(TranscriptFormatError, match="not valid utf-16-le"):
        decode_text(codecs.BOM_UTF16_LE + "a\nb".encode("utf-16-le") + b"\x00", source="x")


def test_gb2312_legacy_file() -> None:
    text = decode_text((SUBTITLES / "curated/srt03-gb2312.srt").read_bytes(), source="x")
    assert "宇宙守护神  保护我们远离邪恶" in text
    assert "他能徒手抓住子弹" in text


def test_cp1252_byte_in_otherwise_ascii_file() -> None:
    data = (SUBTITLES / "curated/vtt06-popcorn-voices_overlap_cp1252.vtt").read_bytes()
    assert b"e-mailed\x97" in data
    text = decode_text(data, source="x")
    assert "When we e-mailed\u2014" in text  # 0x97 is an em dash in windows-1252


def test_cp1252_srt_from_pysrt_suite() -> None:
    sample = "Tr\xe8s bien, na\xefve caf\xe9 \u2014 d\xe9j\xe0 vu.\n" * 20
    data = ("1\n00:00:01,000 --> 00:00:02,000\n" + sample).encode("cp1252")
    assert decode_text(data, source="x") == "1\n00:00:01,000 --> 00:00:02,000\n" + sample


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x00\x01\x02\x03" * 200,
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50,
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(TranscriptFormatError) as info:
        decode_text(data, source="blob.srt")
    assert info.value.source == "blob.srt"


def test_a_few_nul_characters_are_still_text() -> None:
    data = (SUBTITLES / "wpt-webvtt-file-parsing/nulls.vtt").read_bytes()
    assert data.count(b"\x00") > 10
    assert decode_text(data, source="x").startswith("WEBVTT")


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        ("cp1252", "Größe, Straße, Über — Ñandú, ¿qué tal? Çà et là, ‘quoted’ «text».\n" * 5),
        ("cp1250", "Příliš žluťoučký kůň úpěl ďábelské ódy. Řekl čtyři věty.\n" * 10),
        ("cp1250", "Zażółć gęślą jaźń. Łódź to piękne miasto, są tam ładne ulice.\n" * 10),
        ("cp1251", "Привет, как дела? Это субтитры на русском языке.\n" * 10),
        ("cp1253", "Καλημέρα, τι κάνεις; Αυτοί είναι υπότιτλοι.\n" * 10),
        ("shift_jis", "こんにちは、元気ですか？これは字幕です。\n" * 10),
        ("big5", "你好，這是字幕。我們今天去看電影。\n" * 10),
    ],
)
def test_legacy_encodings_are_detected(codec: str, text: str) -> None:
    data = ("1\n00:00:01,000 --> 00:00:02,000\n" + text).encode(codec)
    assert decode_text(data, source="x") == "1\n00:00:01,000 --> 00:00:02,000\n" + text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark(codec: str) -> None:
    assert decode_text(TEXT.encode(codec), source="x") == TEXT


def test_decode_names_the_encoding_and_whether_it_was_a_guess() -> None:
    from mediabase.transcripts.formats import decode

    def how(data: bytes, encoding: str | None = None) -> tuple[str, bool]:
        d = decode(data, source="x", encoding=encoding)
        return d.encoding, d.guessed

    assert how(TEXT.encode()) == ("utf-8", False)
    assert how(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")) == ("utf-16-le", False)
    assert how("café".encode("cp1252"), "windows-1252") == ("cp1252", False)
    assert how("Très bien, déjà vu.\n".encode("cp1252")) == ("cp1252", True)
    assert how(TEXT.encode("utf-16-le")) == ("utf-16-le", True)


def test_damaged_utf8_is_refused_with_its_line_not_read_as_cp1252() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nGröße café\n".encode() + b"and \xff here\n"
    with pytest.raises(TranscriptFormatError) as info:
        decode_text(data, source="d.srt")
    assert info.value.line == 4
    assert str(info.value).startswith("d.srt:4: not valid UTF-8 (byte 0xff at offset")
    assert "--encoding" in str(info.value)


def test_bytes_no_candidate_encoding_reads_are_refused_with_their_line() -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\nhello \x81\x8d world\n"  # undefined in windows-1252
    with pytest.raises(TranscriptFormatError) as info:
        decode_text(data, source="s.srt")
    assert info.value.line == 3 and "nor windows-1252" in str(info.value)
