"""The 54 ethnic groups of Vietnam + foreigners (QĐ 1019/QĐ-TCTK, codes used by QCVN 109:2017)."""

from __future__ import annotations

from .text import fold

ETHNIC_GROUPS: dict[str, str] = {
    "01": "Kinh", "02": "Tày", "03": "Thái", "04": "Mường", "05": "Khơ-me", "06": "Hoa", "07": "Nùng",
    "08": "Mông", "09": "Dao", "10": "Gia-rai", "11": "Ê-đê", "12": "Ba-na", "13": "Sán Chay", "14": "Chăm",
    "15": "Cơ-ho", "16": "Xơ-đăng", "17": "Sán Dìu", "18": "Hrê", "19": "Ra-glai", "20": "Mnông", "21": "Thổ",
    "22": "Xtiêng", "23": "Khơ-mú", "24": "Bru-Vân Kiều", "25": "Cơ-tu", "26": "Giáy", "27": "Tà-ôi", "28": "Mạ",
    "29": "Giẻ-Triêng", "30": "Co", "31": "Chơ-ro", "32": "Xinh-mun", "33": "Hà Nhì", "34": "Chu-ru", "35": "Lào",
    "36": "La Chí", "37": "Kháng", "38": "Phù Lá", "39": "La Hủ", "40": "La Ha", "41": "Pà Thẻn", "42": "Lự",
    "43": "Ngái", "44": "Chứt", "45": "Lô Lô", "46": "Mảng", "47": "Cơ Lao", "48": "Bố Y", "49": "Cống",
    "50": "Si La", "51": "Pu Péo", "52": "Rơ-măm", "53": "Brâu", "54": "Ơ-đu", "55": "Người nước ngoài",
}

# Spellings seen in real lists; the folded key removes diacritics, hyphens, spaces and apostrophes.
_ALIASES: dict[str, str] = {
    "khmer": "05", "khome": "05", "hmong": "08", "meo": "08", "raglai": "19", "raglay": "19", "xtieng": "22", "stieng": "22",
    "gietrieng": "29", "gieitrieng": "29", "jrai": "10", "giarai": "10", "ede": "11", "bahnar": "12", "bana": "12",
    "hoa": "06", "han": "06", "nuocngoai": "55", "nguoinuocngoai": "55", "kinhviet": "01", "viet": "01",
    "khmu": "23", "khomu": "23", "bruvankieu": "24", "vankieu": "24", "katu": "25", "cotu": "25", "taoi": "27",
    "paco": "27", "mnong": "20", "sanchi": "13", "caolan": "13", "hani": "33", "lolo": "45", "pupeo": "51",
    "xo dang": "16", "sedang": "16", "koho": "15", "coho": "15", "churu": "34", "chro": "31", "odu": "54",
}

_BY_KEY: dict[str, str] = {fold(name): code for code, name in ETHNIC_GROUPS.items()}
_BY_KEY.update({fold(k): v for k, v in _ALIASES.items()})


def ethnic_code(label: str | None) -> str | None:
    """The 2-digit code for a label as people write it, or None when it is not one of the 55."""
    if label is None:
        return None
    key = fold(label)
    if key.startswith("dantoc"):
        key = key[len("dantoc"):]
    if key.isdigit() and key.zfill(2) in ETHNIC_GROUPS:
        return key.zfill(2)
    return _BY_KEY.get(key)


def ethnic_name(code: str) -> str:
    return ETHNIC_GROUPS[code]
