"""The batch assessment on Apache Spark, for stored history that outgrows one machine.

The same query as on DuckDB (``batch.ProfileBatch.query``), in Spark SQL: rows and
anchors are temporary views, the hits come back as Arrow. Spark runs ``matches`` with
Java regex, translated from RE2 (``sql_patterns``); everything else is the same SQL.
The session's time zone is UTC so that instants read and written through Arrow keep
their value; comparisons are between instants whatever it is.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from tollgate.risk.batch import ProfileBatch
from tollgate.risk.fact_table import refuse_nan
from tollgate.risk.sql import Dialect, identifier

__all__ = ["assess_spark", "load_spark", "local_session"]


def local_session(*, cores: int = 1, memory: str = "1g", app_name: str = "tollgate") -> Any:
    """A Spark session on this machine (tests, small batches): no web UI, one shuffle
    partition per core, UTC. A cluster session is configured by its deployment instead.
    ``memory`` takes effect only when this starts the JVM."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.driver.memory", memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def load_spark(session: Any, table: pa.Table, name: str = "facts") -> None:
    """Rows (``fact_table.facts_table``) as a temporary view of ``session``."""
    refuse_nan(table)
    session.createDataFrame(table).createOrReplaceTempView(name)


def assess_spark(batch: ProfileBatch, session: Any, facts: str = "facts") -> pa.Table:
    """Every hit of ``batch`` over the rows in view ``facts``, as an Arrow table of
    ``(declaration_id, profile_no, row_no)`` (``batch.hits`` names the profiles)."""
    quoted = identifier(facts, Dialect.SPARK)
    query = batch.query(Dialect.SPARK, facts=quoted, columns=session.table(quoted).columns)
    if query is None:
        sql = (
            "SELECT declaration_id, CAST(NULL AS INT) AS profile_no, row_no "  # noqa: S608 -- identifier quoted
            f"FROM {quoted} LIMIT 0"
        )
    else:
        sql = query.sql
        for name, table in query.tables.items():
            session.createDataFrame(table).createOrReplaceTempView(name)
    result: pa.Table = session.sql(sql).toArrow()
    return result
