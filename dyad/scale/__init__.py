"""dyad past one machine: extraction and ingest on a Dask cluster (the ``distributed`` extra).

Importing this package imports Dask; dyad imports it only when ``--workers`` or ``--scheduler`` is given.
"""

from dyad.scale.cluster import connect
from dyad.scale.run import bulk_load, extract_lines, extract_to_dataset, ingest_on_cluster, worker_figures

__all__ = ["bulk_load", "connect", "extract_lines", "extract_to_dataset", "ingest_on_cluster", "worker_figures"]
