"""The exports' SQL: reading the chart and the journal for ``flowtui ledger export`` (read only)."""

from __future__ import annotations

ACCOUNTS = "SELECT code, name, type, created_at::DATE AS created FROM accounts ORDER BY code"

JOURNAL_LINES = """
SELECT e.date, e.id AS entry_id, e.kind, e.memo, d.number AS document_number, d.kind AS document_kind,
       c.name AS contact, jl.account_code, jl.debit, jl.credit
FROM journal_lines jl
JOIN journal_entries e ON e.id = jl.entry_id
LEFT JOIN documents d ON d.id = e.document_id
LEFT JOIN contacts c ON c.id = d.contact_id
WHERE ($start IS NULL OR e.date >= $start) AND ($end IS NULL OR e.date <= $end)
ORDER BY e.date, e.id, jl.line_no
"""

BROUGHT_FORWARD = """
SELECT jl.account_code, sum(jl.debit) - sum(jl.credit) AS balance
FROM journal_lines jl JOIN journal_entries e ON e.id = jl.entry_id
WHERE e.date < $start
GROUP BY jl.account_code
HAVING sum(jl.debit) <> sum(jl.credit)
ORDER BY jl.account_code
"""
