"""The world of the controls tests: six declarations, five controlled, results recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from controls.world import NL_ANALYST, NL_OFFICER, TODAY, profile
from factories import goods, import_h1
from tollgate.authorities.service import SYSTEM
from tollgate.controls import service as controls
from tollgate.controls.tables import ControlTask
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.consignments import assess_consignment_events
from tollgate.risk.tables import Assessment


@pytest.fixture
def controlled(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Three shirt and two shoe declarations controlled; shirts: two irregular (duties
    100 and 50) and one clean; shoes: both clean. A bag is released."""
    with factory() as session, session.begin():
        risk.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[
                profile("P-SHIRTS", "6109"),
                profile("P-SHOES", "6403"),
                profile("P-NEVER", "01"),
                profile("P-ENDING", "9701", valid_to=(TODAY + timedelta(days=10)).isoformat()),
            ],
        )
        records = [import_h1(lrn=f"SHIRT-{n}", htd=None) for n in range(3)]
        records += [
            import_h1(lrn=f"SHOE-{n}", htd=None, goods_items=[goods(commodity_code="64039900")])
            for n in range(2)
        ]
        records.append(
            import_h1(lrn="BAG", htd=None, goods_items=[goods(commodity_code="42022100")])
        )
        submit(session, actor=SYSTEM, records=records)
    risk.assess_pending(factory, actor=SYSTEM)
    assess_consignment_events(factory, actor=SYSTEM)
    assert controls.queue_controls(factory, actor=SYSTEM) == {"created": 5}
    outcomes = {
        "SHIRT-0": {"outcome": "irregularity", "irregularities": ["ipr"], "duties_at_stake": 100},
        "SHIRT-1": {"outcome": "irregularity", "irregularities": ["ipr"], "duties_at_stake": 50},
        "SHIRT-2": {"outcome": "no-irregularity"},
        "SHOE-0": {"outcome": "no-irregularity"},
        "SHOE-1": {"outcome": "no-irregularity"},
    }
    with factory() as session, session.begin():
        for task, lrn in session.execute(
            select(ControlTask, FilingRecord.lrn)
            .join(Assessment, Assessment.id == ControlTask.assessment_id)
            .join(FilingVersion, FilingVersion.id == Assessment.filing_version_id)
            .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        ):
            controls.record_result(session, NL_OFFICER, task.id, outcomes[lrn])
    return factory
