"""English and Korean text of the data layer (registered into ``hyperlab.i18n``): what loading a file
did to its features (``data.notes``)."""

from hyperlab.i18n import register

register({
    "data.one_hot": {
        "en": "text columns one-hot encoded (one 0/1 feature per value): {columns}; {n} features in all",
        "ko": "문자 열을 원-핫 인코딩함 (값마다 0/1 특성 하나): {columns}; 특성 모두 {n}개"},
    "data.one_hot.column": {"en": "{column!r}, {n} values ({values})", "ko": "{column!r}, 값 {n}개 ({values})"},
    "data.cp949": {"en": "the file is not UTF-8; read as cp949 (EUC-KR, Korean Windows' encoding), as its Hangul "
                         "shows",
                   "ko": "파일이 UTF-8이 아니어서 한글을 보고 cp949(EUC-KR, 한국어 Windows의 인코딩)로 읽었습니다"},
})
