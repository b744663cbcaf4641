"""``Flow`` is a facade over one service per area: each method the faces call is the service's of the same name."""

from __future__ import annotations

import inspect
from dataclasses import fields

from flowtui.engine.services.flow import Flow, Services
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.storage.database import Database


def _shape(method) -> list[tuple]:
    """A method's parameters: names, kinds and defaults (annotations may name the same type differently)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()]


def _public(obj) -> set[str]:
    return {name for name, _ in inspect.getmembers(type(obj), inspect.isfunction) if not name.startswith("_")}


def test_every_method_of_flow_is_one_of_its_services_methods_of_the_same_name(tmp_path):
    flow = Flow(Database(tmp_path / "flow.duckdb"), SecretStore(tmp_path / "secrets.json"))
    owners = {name: [f.name for f in fields(Services) if name in _public(getattr(flow.services, f.name))]
              for name in _public(flow) - {"till"}}
    assert {name: found for name, found in owners.items() if len(found) != 1} == {}
    for name, [area] in owners.items():
        assert _shape(getattr(flow, name)) == _shape(getattr(getattr(flow.services, area), name)), name


def test_the_services_share_the_flows_database_and_secrets(tmp_path):
    flow = Flow(Database(tmp_path / "flow.duckdb"), SecretStore(tmp_path / "secrets.json"))
    for f in fields(Services):
        service = getattr(flow.services, f.name)
        assert service.db is flow.db
        assert getattr(service, "secrets", flow.secrets) is flow.secrets
    assert flow.services.ledger.listing is flow.services.digests
