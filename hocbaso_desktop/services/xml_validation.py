"""Is this file a valid record or upload package? (`hocbaso validate`.)

A record is checked against schemas/hocba-tieuhoc-<phienbanxsd>.xsd; an upload package against
goitin-<version>.xsd, and the record inside it against its own schema. Nothing is stored: the
answer is what the file is taken for and every problem found, each in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import InputFileError
from ..exchange.record_xml import validate_record_xml
from ..safe_xml import parse_xml
from ..sync.package import NS as PACKAGE_NS
from ..sync.package import package_problems, parse_package


@dataclass(frozen=True)
class Validation:
    what: str  # "lược đồ hocba-tieuhoc-2.0.xsd", "gói tin phiên bản 2 (goitin-2.xsd)"
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def validate_file(path: str | Path) -> Validation:
    """Read and validate; an unreadable file or one that is not XML raises InputFileError naming it."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputFileError(f"{name}: không đọc được tệp ({e.strerror})") from None
    root = parse_xml(data, name)
    if root.tag == f"{{{PACKAGE_NS}}}goitin":
        version = root.get("phienbangoitin")
        what = f"gói tin phiên bản {version} (goitin-{version}.xsd)"
        problems = list(package_problems(root))
        if not problems:
            try:
                inner = parse_package(data, name).payload
            except InputFileError as e:
                problems = [e.message]
            else:
                problems = [f"học bạ bên trong: {p}" for p in validate_record_xml(inner)]
        return Validation(what, tuple(problems))
    what = f"lược đồ hocba-tieuhoc-{root.get('phienbanxsd') or '?'}.xsd"
    return Validation(what, tuple(validate_record_xml(data)))
