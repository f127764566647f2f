"""Where things live inside the archive's payload, and the bag-info labels: shared by the writer,
the verifier and the archive browser so the three never disagree."""

from __future__ import annotations

RECORDS_DIR = "data/hoc-ba"  # <lớp>/<mã tra cứu>_v<N>.xml: the signed XML exactly as issued, every version
PAPER_DIR = "data/ban-giay"  # <lớp>/<mã tra cứu>_v<N>.pdf: the paper copy of each issued record
# <mã định danh>/<mã tra cứu>_v<N>.xml (+ .pdf when the old school sent one): records another school
# issued, received by transfer, of the pupils enrolled this year; kept apart because their signatures
# chain to that school, not to this archive's (verify.py judges them on their own).
RECEIVED_DIR = "data/nhan-chuyen-den"
# <mã định danh>/<mã tra cứu>_<năm học giấy>_v<N>.xml (+ .pdf): trích lục of paper years, signed by this
# school, in the archive of the live year during which they were issued (transcribed.archive_year_of)
TRANSCRIBED_DIR = "data/trich-luc"
SUMMARY_DIR = "data/tong-hop"  # <lớp>-CN.xlsx (and .pdf when the program can make one)
DB_SNAPSHOT = "data/co-so-du-lieu/hocbaso.sqlite3"  # SQLite online backup, journal_mode=DELETE
AUDIT_LOG = "data/nhat-ky/audit.jsonl"  # one canonical JSON object per audit entry, in order
AUDIT_HEAD = "data/nhat-ky/chain-head.txt"  # "<seq> <hash>" of the last entry
INDEX = "data/muc-luc.json"  # classes → students → record versions, with file paths and hashes
README = "data/README.txt"

INDEX_FORMAT = "hocbaso-archive-index/1"
MAX_INDEX_BYTES = 64 * 1024 * 1024

# bag-info.txt labels of ours (the BagIt reserved ones are used as RFC 8493 §2.2.2 defines them)
KIND = "Loại"
KIND_FINAL = "CHÍNH THỨC (final)"
KIND_INTERIM = "TẠM (interim)"
SCHOOL_CODE = "Hocbaso-School-Code"
SCHOOL_YEAR = "Hocbaso-School-Year"
YEAR_LOCKED = "Hocbaso-Year-Locked"
AUDIT_CHAIN_HEAD = "Hocbaso-Audit-Chain-Head"
SEAL = "Hocbaso-Seal"
NO_SEAL = "không"
