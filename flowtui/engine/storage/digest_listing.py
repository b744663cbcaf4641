"""The digest attention rules, each stated once, and the listing SQL compiled from them.

A digest *needs attention* when posting it would be wrong or impossible; each
:class:`Rule` below says when, and the reason the operator reads (with the
command that fixes it). From this one list come:

* ``DIGESTS_SQL`` — every reason written out: ``flowtui digests``, ``digest show``,
  printing and posting (:mod:`flowtui.engine.ledger.posting` refuses a digest with
  exactly these reasons), with ``$`` parameters and a ``{page}`` cut;
* ``ROWS_SQL`` — the console's lean twin: the same rows and statuses, but it only
  asks *whether* a rule holds (semi-joins), so listing 100,000 digests by status
  costs a quarter as much; tests/integration/test_digest_listing.py checks the two agree;
* the notebooks' ``v_digests`` view (:mod:`flowtui.engine.storage.views`, through
  :func:`bound`, which binds the parameters to "everything, now").

It lives in the storage layer, beside the views, so that the views (built on every
migration) need no feature package: the digests feature (:mod:`flowtui.engine.digests.store`)
and the ledger import it, never the other way round.

An open rejection (:mod:`flowtui.engine.pipeline.rejections`) on a digest's day — its
own day, or a day in the scope of an entry whose day could not be read — puts
the digest in need of attention even when it is posted or changed. So does a
day the source handed over only in part (a rejection keyed ``short:``, whose
reason is the source's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowtui.engine.core.accounts import POSTING_CATEGORIES

#: Why an open day (its business day not over yet in the location's time zone) cannot post.
OPEN_DAY = "the business day is not over yet in the location's time zone"


@dataclass(frozen=True)
class Rule:
    """One reason a digest cannot post.

    Either a *row* rule — ``when`` is a condition on the digest's listing row ``b`` —
    or a *set* rule — ``hits`` selects ``digest_id`` and the facts the reason needs,
    one row per thing wrong, for the digests in ``{scope} b``. ``reason`` is the text
    (an SQL expression over ``b.stream``, ``b.pos_store_id`` and a hit ``h``); with
    ``each`` one reason per hit (in ``order``), else one for all of them (``reason``
    may then aggregate over ``h``).

    The reason names the command that fixes it; the console says it in its own words:
    ``reads`` (a pattern) reads a reason of the rule back, ``says`` is the cause in short
    with the pattern's named parts (the same for every digest it holds, so that many are
    told at once) and ``fix`` where it is fixed (one of :data:`FIXES`).
    """

    name: str
    reason: str
    reads: str
    says: str
    fix: str
    when: str | None = None
    hits: str | None = None
    each: bool = True
    order: str = ""


#: Where the cause of a refusal is fixed: the stream's mappings, the source (then sync again), nowhere (wait for
#: the day to end), or somewhere the reason itself says.
MAPPINGS, SOURCE, WAIT, ELSEWHERE = "mappings", "source", "wait", "elsewhere"
FIXES = (MAPPINGS, SOURCE, WAIT, ELSEWHERE)


_FIX_REJECTIONS = ("' --reason TEXT (all: flowtui rejections --stream \"' || b.stream || '\")'")

RULES: tuple[Rule, ...] = (
    Rule("location", when="b.location_id IS NULL",
         reads=r'POS store "(?P<store>.*)" is not mapped to a location', says="store {store} has no location",
         fix=MAPPINGS,
         reason="""'POS store "' || b.pos_store_id || '" is not mapped to a location (flowtui map location "'
                || b.stream || '" "' || b.pos_store_id || '" --location NAME)'"""),
    Rule("payment", order="h.method",
         reads=r'payment method "(?P<method>.*)" is not mapped to an account',
         says="payment method {method} has no account", fix=MAPPINGS,
         hits="""SELECT p.digest_id, p.method FROM digest_payments p
    JOIN {scope} b ON b.id = p.digest_id
    JOIN unmapped u ON u.stream_id = b.stream_id AND u.method = p.method""",
         reason="""'payment method "' || h.method || '" is not mapped to an account (flowtui map payment "'
                || b.stream || '" "' || h.method || '" --account CODE)'"""),
    Rule("account", order="h.category",  # only the categories the day uses
         reads=r'no account for "(?P<category>[a-z_]*)"', says="no account for {category}", fix=MAPPINGS,
         hits="""SELECT b.id AS digest_id, m.category FROM {scope} b JOIN missing m ON m.stream_id = b.stream_id
    WHERE CASE m.category WHEN 'sales' THEN b.order_count > 0 WHEN 'returns' THEN b.returns <> 0
                          WHEN 'discount' THEN b.discount <> 0 WHEN 'service_charge' THEN b.service_charge <> 0
                          WHEN 'shipping' THEN b.shipping <> 0 WHEN 'tips' THEN b.tips <> 0
                          WHEN 'tax' THEN b.tax <> 0 ELSE b.rounding <> 0 END""",
         reason="""'no account for "' || h.category || '" (flowtui map account "' || b.stream || '" '
                || h.category || ' --account CODE)'"""),
    Rule("rejected orders", each=False,
         reads=r"\d+ order\(s\) of this day were rejected", says="orders of the day were rejected", fix=SOURCE,
         hits="SELECT * FROM rejected WHERE dated AND NOT short",
         reason="""count(*) || ' order(s) of this day were rejected (first: ' || min(h.ref)
                || '); fix them at the source and sync again, or dismiss on the record: '
                || 'flowtui rejections dismiss ' || arg_min(h.rejection_id, h.ref) || """ + _FIX_REJECTIONS),
    Rule("unreadable entries", each=False,
         reads=r"\d+ entr(y|ies) that could not be read may belong", says="entries that could not be read may belong "
         "to the day", fix=SOURCE,
         hits="SELECT * FROM rejected WHERE NOT dated",
         reason="""count(*) || CASE WHEN count(*) = 1 THEN ' entry' ELSE ' entries' END
                || ' that could not be read may belong to this day (first: ' || min(h.ref)
                || '); fix the file and sync again, or dismiss on the record: flowtui rejections dismiss '
                || arg_min(h.rejection_id, h.ref) || """ + _FIX_REJECTIONS),
    Rule("short day", each=False,  # a day the source handed over in part: the reason is the source's
         reads=r".* Check the day at the source; when it is complete", says="the source handed over part of the day",
         fix=SOURCE,
         hits="SELECT * FROM rejected WHERE short",
         reason="""arg_min(h.reason, h.ref) || ' Check the day at the source; when it is '
                || 'complete, dismiss on the record: flowtui rejections dismiss ' || arg_min(h.rejection_id, h.ref)
                || ' --reason TEXT'"""),
)

_CATEGORIES = ", ".join(f"('{category}')" for category in POSTING_CATEGORIES)
_MISSING = f"""missing AS (  -- posting categories a stream has no account for (usually none)
    SELECT s.id AS stream_id, c.category
    FROM streams s
    CROSS JOIN (VALUES {_CATEGORIES}) c(category)
    WHERE NOT EXISTS (SELECT 1 FROM account_mappings am WHERE am.stream_id = s.id AND am.category = c.category)
      AND NOT EXISTS (SELECT 1 FROM account_defaults ad WHERE ad.category = c.category)
),
"""

# -- what the rules look in (``{scope}``: the digests being listed; ``{methods}``: their payment methods) --
_SUPPORT = """unmapped AS (  -- (stream, payment method) pairs that no mapping sends to an account
    SELECT s.id AS stream_id, x.method
    FROM streams s CROSS JOIN ({methods}) x
    WHERE NOT EXISTS (SELECT 1 FROM payment_mappings pm WHERE pm.stream_id = s.id AND pm.pos_method = x.method)
      AND NOT EXISTS (SELECT 1 FROM payment_methods g WHERE lower(g.name) = lower(x.method))
),
""" + _MISSING + """rejected AS (  -- (digest, open rejection): the rejection's own day, or the days an entry may belong to
    SELECT b.id AS digest_id, r.id AS rejection_id, r.ref, true AS dated,
           starts_with(r.order_key, 'short:') AS short, r.errors[1] AS reason  -- short: a day handed over in part
    FROM order_rejections r
    JOIN {scope} b ON r.stream_id = b.stream_id AND r.pos_store_id = b.pos_store_id AND r.business_date = b.business_date
    WHERE r.resolved_at IS NULL
    UNION ALL  -- no day (or no store) could be read: every store's days in its scope (open rejections: few)
    SELECT b.id, r.id, r.ref, r.business_date IS NOT NULL, starts_with(r.order_key, 'short:'), r.errors[1]
    FROM (SELECT * FROM order_rejections WHERE resolved_at IS NULL AND (business_date IS NULL OR pos_store_id IS NULL)) r
    JOIN {scope} b ON r.stream_id = b.stream_id AND (r.pos_store_id IS NULL OR r.pos_store_id = b.pos_store_id)
        AND b.business_date >= coalesce(r.business_date, r.scope_from, b.business_date)
        AND b.business_date <= coalesce(r.business_date, r.scope_to, b.business_date)
),
"""
_SET_RULES = [rule for rule in RULES if rule.hits]


def _cte(rule: Rule) -> str:
    return "rule_" + rule.name.replace(" ", "_")


def _reasons_ctes() -> str:
    """One CTE per set rule: ``(digest_id, reasons)``, the rule's reasons for each digest it holds."""
    ctes = []
    for rule in _SET_RULES:
        reasons = f"list({rule.reason} ORDER BY {rule.order})" if rule.each else f"[{rule.reason}]"
        ctes.append(f"""{_cte(rule)} AS (
    SELECT h.digest_id, {reasons} AS reasons
    FROM ({rule.hits}) h JOIN base b ON b.id = h.digest_id
    GROUP BY h.digest_id, b.stream
),
""")
    return "".join(ctes)


def _attention() -> str:
    """Every rule's reasons for the digest ``b``, in the rules' order."""
    parts = [f"CASE WHEN {rule.when} THEN [{rule.reason}] ELSE [] END" if rule.when
             else f"coalesce({_cte(rule)}.reasons, [])" for rule in RULES]
    return "list_concat(\n            " + ",\n            ".join(parts) + "\n        )"


def _needs_attention() -> str:
    """Whether any rule holds for the digest ``b`` (``f``: the set rules' digests)."""
    return " OR ".join([f"({rule.when})" for rule in RULES if rule.when] + ["f.id IS NOT NULL"])


_FILTERS = """    WHERE ($stream IS NULL OR s.name = $stream)
      AND ($location IS NULL OR l.name = $location OR d.pos_store_id = $location)
      AND ($start IS NULL OR d.business_date >= $start)
      AND ($end IS NULL OR d.business_date <= $end)
      AND ($ids IS NULL OR d.id IN (SELECT unnest($ids)))
"""
_CLOSES = """    LEFT JOIN day_closes c
        ON c.stream_id = b.stream_id AND c.pos_store_id = b.pos_store_id AND c.business_date = b.business_date
    LEFT JOIN (SELECT DISTINCT digest_id FROM rejected) r ON r.digest_id = b.id
"""
_STATUS = """    CASE WHEN p.posted_version IS NOT NULL AND d.rejected THEN 'needs_attention'  -- held open, posted or not
         WHEN p.posted_version = d.version THEN 'posted'
         WHEN p.posted_version IS NOT NULL THEN 'changed'
         WHEN d.business_date >= d.local_today AND NOT d.closed THEN 'open'
         WHEN {attention} THEN 'needs_attention'
         ELSE 'ready' END AS status,
"""
_POSTED_AND_INVOICE = """LEFT JOIN (
    SELECT digest_id, max(digest_version) AS posted_version FROM postings WHERE reversed_at IS NULL GROUP BY digest_id
) p ON p.digest_id = d.id
LEFT JOIN (
    SELECT digest_id, arg_min(number, (kind <> 'invoice', id)) AS invoice_number FROM documents
    WHERE status = 'posted' AND coalesce(role, 'original') <> 'reversal' GROUP BY digest_id
) n ON n.digest_id = d.id
"""

#: The digests that match the filters, with stream, location and time zone (no status yet).
BASE_SQL = """SELECT d.*, s.name AS stream, m.location_id, l.name AS location,
           coalesce(l.timezone, $default_tz) AS tz
    FROM digests d
    JOIN streams s ON s.id = d.stream_id
    LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
    LEFT JOIN locations l ON l.id = m.location_id
""" + _FILTERS

# Everything a listing row needs, with attention reasons and status worked out.
DIGESTS_SQL = """
WITH base AS (
  SELECT * FROM (
    """ + BASE_SQL + """  ) {page}
),
today AS (  -- "today" once per time zone, not once per digest
    SELECT tz, (CAST($now AS TIMESTAMPTZ) AT TIME ZONE tz)::DATE AS local_today FROM (SELECT DISTINCT tz FROM base)
),
""" + _SUPPORT.replace("{scope}", "base").replace(
    "{methods}", "SELECT DISTINCT p.method FROM digest_payments p JOIN base b ON b.id = p.digest_id"
) + _reasons_ctes().replace("{scope}", "base") + """described AS (
    SELECT b.*,
        """ + _attention() + """ AS attention,
        r.digest_id IS NOT NULL AS rejected,
        t.local_today,
        c.stream_id IS NOT NULL AS closed
    FROM base b
    JOIN today t ON t.tz = b.tz
""" + _CLOSES + "".join(f"    LEFT JOIN {_cte(rule)} ON {_cte(rule)}.digest_id = b.id\n" for rule in _SET_RULES) + """)
SELECT d.*,
""" + _STATUS.replace("{attention}", "len(d.attention) > 0") + """    n.invoice_number, p.posted_version
FROM described d
""" + _POSTED_AND_INVOICE

# The console's rows (DigestRow's columns) and status, without the attention reasons.
# ``{page}`` cuts the digests before their status is worked out; ``{scope}`` is where the
# attention checks look and ``{methods}`` the payment methods they check: see ``ROWS_PAGE``
# and ``ROWS_ALL``.
ROWS_SQL = """
WITH base AS (
  SELECT * FROM (
    SELECT d.id, d.stream_id, d.pos_store_id, d.business_date, d.version, d.order_count, d.return_count,
           d.returns, d.discount, d.service_charge, d.shipping, d.tax, d.tips, d.rounding, d.net_total, d.created_at,
           s.name AS stream, m.location_id, l.name AS location,
           coalesce(l.local_today, (CAST($now AS TIMESTAMPTZ) AT TIME ZONE $default_tz)::DATE) AS local_today
    FROM digests d
    JOIN streams s ON s.id = d.stream_id
    LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
    LEFT JOIN (  -- "today" once per location, not once per digest
        SELECT id, name, (CAST($now AS TIMESTAMPTZ) AT TIME ZONE coalesce(timezone, $default_tz))::DATE AS local_today
        FROM locations
    ) l ON l.id = m.location_id
""" + _FILTERS + """  ) {page}
),
""" + _SUPPORT + """flagged AS (  -- the digests some set rule holds for
    """ + "\n    UNION\n    ".join(f"SELECT digest_id AS id FROM ({rule.hits})" for rule in _SET_RULES) + """
),
described AS (
    SELECT b.*, """ + _needs_attention() + """ AS needs_attention,
           r.digest_id IS NOT NULL AS rejected, c.stream_id IS NOT NULL AS closed
    FROM base b
""" + _CLOSES + """    LEFT JOIN (SELECT DISTINCT id FROM flagged) f ON f.id = b.id
)
SELECT d.id, d.stream, d.location, d.pos_store_id, d.business_date, d.order_count, d.return_count, d.net_total,
       d.created_at,
""" + _STATUS.replace("{attention}", "d.needs_attention") + """    n.invoice_number
FROM described d
""" + _POSTED_AND_INVOICE

# A page of digests: only its own digests and payment methods are looked at.
ROWS_PAGE = {"scope": "base", "methods": "SELECT DISTINCT p.method FROM digest_payments p JOIN base b ON b.id = p.digest_id"}
# All the digests that match (to pick those of a status): every digest and method, no copies made.
ROWS_ALL = {"page": "", "scope": "digests", "methods": "SELECT DISTINCT method FROM digest_payments"}


def bound(values: dict[str, str]) -> str:
    """``DIGESTS_SQL`` with every ``$name`` replaced by the SQL expression ``values[name]`` and no page cut."""
    return re.sub(r"\$(\w+)", lambda m: values[m.group(1)], DIGESTS_SQL.format(page=""))
