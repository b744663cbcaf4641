"""The books: the company, its chart of accounts, locations and contacts, and what printed documents say about it."""

from __future__ import annotations

from dataclasses import dataclass

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger import books
from flowtui.engine.services.unit import Service
from flowtui.engine.setup import company
from flowtui.engine.setup.company import CompanyProfile  # by name: the method `company` hides the module in the class


@dataclass
class BooksService(Service):
    """Set-up of the books (``flowtui init`` and what it seeds) and the company profile."""

    def init(self, name: str | None = None, currency: str | None = None, timezone: str | None = None) -> books.Company:
        with self.db.write() as con:
            return books.initialise(con, clock.now(), name=name, currency=currency, timezone=timezone)

    def company(self) -> books.Company:
        with self.db.read() as con:
            return books.company(con)

    def add_account(self, code: str, name: str, kind: str) -> books.Account:
        with self._write() as con:
            return books.add_account(con, code, name, kind, clock.now())

    def accounts(self) -> list[books.Account]:
        """The chart of accounts; a read (books never set up list none: `init` or any change seeds them)."""
        with self.db.read() as con:
            return books.accounts(con)

    def add_location(self, name: str, timezone: str | None = None) -> books.Location:
        with self._write() as con:
            return books.add_location(con, name, timezone, clock.now())

    def locations(self) -> list[books.Location]:
        with self.db.read() as con:
            return books.locations(con)

    def add_contact(self, name: str) -> books.Contact:
        with self._write() as con:
            return books.add_contact(con, name, clock.now())

    def contacts(self) -> list[books.Contact]:
        """The contacts; a read, like :meth:`accounts`."""
        with self.db.read() as con:
            return books.contacts(con)

    # -- what printed documents say about the company ------------------------------------
    def company_profile(self) -> CompanyProfile:
        with self.db.read() as con:
            return company.profile(con)

    def set_company(self, *, name: str | None = None, address: list[str] | None = None,
                    registration_no: str | None = None, sst_no: str | None = None, tin: str | None = None,
                    phone: str | None = None, email: str | None = None,
                    template_dir: str | None = None) -> CompanyProfile:
        """Set the company details printed on documents (an empty value clears a field); a template folder is
        checked before it is kept."""
        if template_dir:
            from flowtui.engine.printing.render import check_templates

            problems = check_templates(company.check_template_dir(template_dir))
            if problems:
                raise InvalidInput(problems[0])
        with self.db.write() as con:
            return company.update(con, clock.now(), name=name, address=address, registration_no=registration_no,
                                  sst_no=sst_no, tin=tin, phone=phone, email=email, template_dir=template_dir)
