"""What every search result reports, and region/audience filters for llama-index retrievers
(Beacon's own retriever filters in memory: see app/retrieval.py)."""

from __future__ import annotations


# The metadata every result reports, in a stable order (part of the --json contract).
RESULT_METADATA = ("doc_type", "category", "region", "audience", "effective_date", "version", "tags",
                   "question", "line", "content_hash")


def metadata_filters(region: str | None, audience: str | None):
    from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters

    conditions = []
    if region:
        # A customer in a region sees that region's documents and the global ones.
        conditions.append(MetadataFilter(key="region", value=[region, "global"], operator=FilterOperator.IN))
    if audience:
        conditions.append(MetadataFilter(key="audience", value=[audience, "all"], operator=FilterOperator.IN))
    if not conditions:
        return None
    return MetadataFilters(filters=conditions, condition=FilterCondition.AND)
