"""The sealed yearly archive: a BagIt bag (RFC 8493) sealed with a CMS signature over its tag manifest.

Layout of one archive folder (what `hocbaso archive verify` checks, and the README explains):

    bagit.txt                  BagIt declaration (version 1.0, UTF-8)
    bag-info.txt               school, year, counts, audit chain head, software, Loại CHÍNH THỨC / TẠM
    manifest-sha256.txt        SHA-256 of every payload file under data/
    tagmanifest-sha256.txt     SHA-256 of bagit.txt, bag-info.txt, manifest-sha256.txt
    seal/tagmanifest-sha256.txt.p7s   the seal: detached CMS SignedData (DER) over tagmanifest-sha256.txt
    seal/chain.pem             the sealing certificate and its intermediates (PEM), for openssl by hand
    data/...                   the payload (see services/archive_content.py)

The seal signs the tag manifest, so it cannot be listed in it: `seal/` sits outside both manifests,
holds exactly those two files, and bag-info (which the tag manifest covers) names the seal file, so
removing the seal is itself a detected change. Nothing else may sit outside the manifests.

Qt-free, database-free: `verify.py` in particular imports neither storage nor gui.
"""

from .bagit_format import (
    BAG_INFO,
    BAGIT_TXT,
    MANIFEST,
    SEAL_CHAIN,
    SEAL_DIR,
    SEAL_FILE,
    TAGMANIFEST,
    UnsafePath,
    check_relative_path,
)

__all__ = [
    "BAG_INFO", "BAGIT_TXT", "MANIFEST", "SEAL_CHAIN", "SEAL_DIR", "SEAL_FILE", "TAGMANIFEST", "UnsafePath",
    "check_relative_path",
]
