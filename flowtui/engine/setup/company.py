"""What a printed document says about the company: name, address, registration and SST numbers.

Everything lives in the ``settings`` key/value table next to the name,
currency and time zone that :mod:`flowtui.engine.ledger.books` keeps, so a notebook
can read it with one query. ``template_dir`` is where the operator's own copy
of the PDF templates lives (see ``reports/README.md``).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger import books
from flowtui.engine.setup import sql
from flowtui.engine.storage.database import Connection

#: Field -> settings key. ``name``, ``currency`` and ``timezone`` are books.py's.
KEYS: dict[str, str] = {
    "address": "company_address",
    "registration_no": "company_registration_no",
    "sst_no": "company_sst_no",
    "tin": "company_tin",
    "phone": "company_phone",
    "email": "company_email",
    "template_dir": "template_dir",
}
TEMPLATE_DIR_ENV = "FLOWTUI_TEMPLATE_DIR"


@dataclass(frozen=True)
class CompanyProfile:
    name: str
    currency: str
    timezone: str
    address: tuple[str, ...] = ()
    registration_no: str | None = None
    sst_no: str | None = None
    tin: str | None = None
    phone: str | None = None
    email: str | None = None
    template_dir: str | None = None

    def printable(self) -> dict:
        """The company as the templates see it (no template_dir: that is not for print)."""
        data = asdict(self)
        data.pop("template_dir")
        data["address"] = list(self.address)
        return data


def profile(con: Connection) -> CompanyProfile:
    base = books.company(con)
    values = {field: books._setting(con, key) for field, key in KEYS.items()}
    address = tuple(line for line in (values.pop("address") or "").split("\n") if line.strip())
    return CompanyProfile(base.name, base.currency, base.timezone, address, **values)


def check_template_dir(value: str | os.PathLike[str]) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise InvalidInput(f"Template folder {path} does not exist (or is not a folder); "
                           "`flowtui company templates DIR` copies the packaged templates there to start from.")
    return path.resolve()


def update(con: Connection, now: datetime, *, name: str | None = None, address: list[str] | None = None,
           registration_no: str | None = None, sst_no: str | None = None, tin: str | None = None,
           phone: str | None = None, email: str | None = None,
           template_dir: str | os.PathLike[str] | None = None) -> CompanyProfile:
    """Set the fields given (not None). An empty value clears a field; the name cannot be cleared."""
    if not books.is_initialised(con):
        books.initialise(con, now)
    if name is not None:
        if not name.strip():
            raise InvalidInput("The company name cannot be empty.")
        books._put_setting(con, "company_name", name.strip())
    given = {"registration_no": registration_no, "sst_no": sst_no, "tin": tin, "phone": phone, "email": email}
    if address is not None:
        given["address"] = "\n".join(line.strip() for line in address if line.strip())
    if template_dir is not None:
        given["template_dir"] = str(check_template_dir(template_dir)) if str(template_dir).strip() else ""
    for field, value in given.items():
        if value is None:
            continue
        value = value.strip()
        if value:
            books._put_setting(con, KEYS[field], value)
        else:
            con.execute(sql.SETTING_DELETE, [KEYS[field]])
    return profile(con)


def template_dir(explicit: str | os.PathLike[str] | None, configured: str | None) -> Path | None:
    """Which template folder to use: ``--template-dir``, else ``$FLOWTUI_TEMPLATE_DIR``, else the setting.

    ``None`` means the packaged templates. A folder may hold only some of the
    files: whatever it lacks comes from the packaged set.
    """
    for value in (explicit, os.environ.get(TEMPLATE_DIR_ENV), configured):
        if value is not None and str(value).strip():
            return check_template_dir(value)
    return None
