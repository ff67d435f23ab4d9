"""A CSV or a config that is not UTF-8: Korean cp949 (what Excel on Korean Windows saves as "CSV")
is read as such and said so; any other encoding is refused naming the byte and its line."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.data import load_data
from hyperlab.errors import ConfigError, DataError
from hyperlab.hparams import load_yaml
from hyperlab.textfiles import KOREAN_LEGACY, UTF8, NotText, text_encoding

runner = CliRunner()

ROWS = ["크기,색,가격"] + [f"{i},{('빨강', '파랑')[i % 2]},{2 * i + 5 * (i % 2)}" for i in range(40)]


def write(path, encoding, rows=ROWS):
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_a_korean_csv_reads_the_same_in_each_encoding(tmp_path, encoding):
    reference = load_data(write(tmp_path / "utf8.csv", "utf-8"), label="가격")
    data = load_data(write(tmp_path / f"{encoding}.csv", encoding), label="가격")
    assert data.label == "가격" and data.encoded == {"색": ["빨강", "파랑"]}  # names and values decoded, no BOM
    assert data.text_encoding == (KOREAN_LEGACY if encoding == "cp949" else UTF8)
    for split in ("train", "val", "test"):
        ours, theirs = getattr(data, split).tensors, getattr(reference, split).tensors
        assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(ours, theirs))


def test_only_hangul_beyond_ascii_counts_as_cp949(tmp_path):
    latin = write(tmp_path / "latin.csv", "latin-1", ["a,b,c", "1,café,2", "2,thé,3"])
    with pytest.raises(NotText, match=r"byte 0xe9 on line 2"):
        text_encoding(latin)
    # decodes as cp949 (0xb0a1.. are Hangul there) but holds Hanja too: not taken for Korean text
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("a,b\n가,1\n".encode("cp949") + "漢,2\n".encode("cp949"))
    with pytest.raises(NotText, match=r"on line 2"):
        text_encoding(mixed)
    with pytest.raises(DataError, match=r"latin.csv: is not UTF-8 text \(byte 0xe9 on line 2\); save it as UTF-8"):
        load_data(latin)


@pytest.mark.parametrize("lang, says", [
    ("en", "note: the file is not UTF-8; read as cp949 (EUC-KR, Korean Windows' encoding)"),
    ("ko", "note: 파일이 UTF-8이 아니어서 한글을 보고 cp949(EUC-KR, 한국어 Windows의 인코딩)로 읽었습니다"),
])
def test_the_command_line_says_it_read_cp949(tmp_path, lang, says):
    path = write(tmp_path / "prices.csv", "cp949")
    result = runner.invoke(app, ["train", "--dataset", str(path), "--label", "가격", "--epochs", "1", "--lang", lang,
                                 "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert says in result.output
    utf8 = runner.invoke(app, ["train", "--dataset", str(write(tmp_path / "u.csv", "utf-8")), "--label", "가격",
                               "--epochs", "1", "--out", str(tmp_path / "run2")])
    assert "cp949" not in utf8.output


def test_a_config_in_cp949_is_read_and_one_in_another_encoding_refused(tmp_path):
    korean = tmp_path / "kr.yaml"
    korean.write_bytes("# 학습률\nlr: 0.05\n".encode("cp949"))
    assert load_yaml(korean) == {"lr": 0.05}
    other = tmp_path / "other.yaml"
    other.write_bytes(b"lr: 0.1\n# \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"config='.*other.yaml' is invalid: must be UTF-8 text "
                                          r"\(byte 0xff on line 2 is not\)"):
        load_yaml(other)
    result = runner.invoke(app, ["train", "--config", str(other)])
    assert result.exit_code == 2 and result.output.startswith("error: config=") and "Traceback" not in result.output
