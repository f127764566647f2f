"""Everything the settings dialog shows, as one snapshot; saved in ONE audited transaction.

One "Lưu" = one transaction: a refused value on the last tab leaves the first tabs unchanged too,
and the audit log shows the whole change as one user action. The language is per machine
(services/machine_config.py) and saved after the database part succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..domain.errors import InvalidValue
from ..domain.rights import EDIT_SETTINGS, require
from ..domain.roles import Actor
from ..storage.engine import Store
from . import account_admin, backup, board_signer, machine_config, outbox_service, school_settings, settings


@dataclass(frozen=True)
class SettingsForm:
    # Trường
    school: dict[str, str] = field(default_factory=dict)  # SCHOOL_FIELDS keys
    principal: str = ""  # read-only (see school_settings)
    # Năm học (the year shown in the main window)
    year: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    lock_date: date | None = None
    correction_cutoff: date | None = None
    main_deadline: date | None = None
    final_deadline: date | None = None
    # Ký số
    pkcs11_module: str = ""
    softhsm_conf: str = ""
    token_label: str = ""
    trust_dirs: tuple[str, ...] = ()
    gvbm_signs: bool = False  # seed 004 Điều 5, 11: each GVBM signs their subjects before the GVCN
    board_signer: str = ""  # the authorised vice-principal's code, "" = the principal signs (board_signer.py)
    board_choices: tuple[tuple[str, str], ...] = ()  # read-only: (code, label) the combo offers
    # Gửi CSDL
    endpoint: str = ""
    token_env: str = ""
    # Bảo mật
    idle_minutes: float = account_admin.DEFAULT_IDLE_MINUTES
    # Sao lưu
    backup_dir: str = ""  # "" = the default folder
    backup_keep: int = 14
    # Ngôn ngữ (this machine)
    language: str = machine_config.DEFAULT_LANGUAGE

    def with_(self, **kw: Any) -> "SettingsForm":  # the fields by name, as dataclasses.replace takes them
        return replace(self, **kw)


def load_form(store: Store, year: str | None) -> SettingsForm:
    det = school_settings.school_details(store)
    sig = settings.signing_settings(store)
    out = outbox_service.outbox_settings(store)
    bk = backup.backup_settings(store)
    with store.read() as s:
        signer, signer_choices = board_signer.authorisation_in(s), board_signer.choices_in(s)
    form = SettingsForm(
        school={k: getattr(det, k) for k in school_settings.SCHOOL_FIELDS}, principal=det.principal,
        pkcs11_module=sig.pkcs11_module or "", softhsm_conf=sig.softhsm_conf or "", token_label=sig.token_label or "",
        trust_dirs=sig.trust_dirs, gvbm_signs=sig.gvbm_signs, board_signer=signer, board_choices=signer_choices,
        endpoint=out.endpoint or "", token_env=out.token_env or "",
        idle_minutes=account_admin.idle_lock_minutes(store), backup_dir=bk.folder_setting or "", backup_keep=bk.keep,
        language=machine_config.load().language)
    if year:
        ys = school_settings.year_settings(store, year)
        form = form.with_(year=year, start_date=ys.start_date, end_date=ys.end_date, lock_date=ys.lock_date,
                          correction_cutoff=ys.correction_cutoff, main_deadline=ys.main_deadline,
                          final_deadline=ys.final_deadline)
    return form


def _db_part(f: SettingsForm) -> SettingsForm:
    return f.with_(language=machine_config.DEFAULT_LANGUAGE, principal="", board_choices=())


def _or_none(text: str) -> str | None:
    return text.strip() or None


def save_form(store: Store, actor: Actor, new: SettingsForm, old: SettingsForm | None = None) -> int:
    """Write what changed; returns the number of changed values (database + language)."""
    old = old or load_form(store, new.year)
    changed = 0
    if _db_part(new) != _db_part(old):
        require(actor, EDIT_SETTINGS)  # the language alone is anyone's choice on their PC
        if not 1 <= new.idle_minutes <= 240:
            raise InvalidValue("Thời gian tự khóa", f"{new.idle_minutes:g}", "từ 1 đến 240 phút")
        for key, value in ((outbox_service.ENDPOINT, new.endpoint), (outbox_service.TOKEN_ENV, new.token_env)):
            if value.strip():
                outbox_service._validate(key, value.strip())  # the outbox's own rules, shared with its dialog
        backup_rows = backup.settings_values(new.backup_dir, new.backup_keep)
        with store.transaction(actor.code) as tx:
            s, audit = tx.session, tx.audit
            changed += school_settings.write_school(tx, new.school)
            if new.year:
                changed += school_settings.write_year(tx, new.year, new.start_date, new.end_date, new.lock_date,
                                                      new.correction_cutoff, new.main_deadline, new.final_deadline)
            rows: dict[str, str | None] = {
                settings.PKCS11_MODULE: _or_none(new.pkcs11_module), settings.SOFTHSM_CONF: _or_none(new.softhsm_conf),
                settings.TOKEN_LABEL: _or_none(new.token_label),
                settings.TRUST_DIRS: settings.encode_dirs(new.trust_dirs) if new.trust_dirs else None, **backup_rows}
            if new.gvbm_signs != old.gvbm_signs:
                rows[settings.GVBM_SIGNS] = "1" if new.gvbm_signs else "0"
            changed += sum(settings.write(s, audit, k, v) for k, v in rows.items())
            if new.board_signer != old.board_signer:  # the principal's own decision (AUTHORISE_SIGNER)
                changed += board_signer.write_authorisation(tx, actor, new.board_signer)
            changed += school_settings._put(tx, outbox_service.ENDPOINT, _or_none(new.endpoint))
            changed += school_settings._put(tx, outbox_service.TOKEN_ENV, _or_none(new.token_env))
            if new.idle_minutes != old.idle_minutes:
                changed += school_settings._put(tx, account_admin.IDLE_LOCK_KEY, f"{new.idle_minutes:g}")
    if new.language != old.language:
        machine_config.save(machine_config.MachineConfig(language=new.language))
        changed += 1
    return changed
