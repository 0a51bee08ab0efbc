"""What a batch write writes: the items of batch writer puts and of BatchWriteItem requests."""
from __future__ import annotations

from typing import List, Optional

from ddblint.dynamo.calls import Operation
from ddblint.dynamo.values import DictValue, ListValue


def put_items(op: Operation) -> Optional[List[DictValue]]:
    """The resolved items a BatchWriteItem operation puts; None when they cannot all be seen."""
    if op.name != "BatchWriteItem":
        return []
    if op.call.via == "batch_writer" or "Item" in op.params or "Key" in op.params:
        item = op.param("Item")
        if op.call.method == "delete_item":
            return []
        return [item] if isinstance(item, DictValue) else None
    requests = op.param("Requests")
    if not isinstance(requests, ListValue):
        return None
    items = []
    for request in requests.items:
        if not isinstance(request.value, DictValue):
            return None
        put = request.value.entries.get("PutRequest")
        if put is None:
            continue
        item = put.value.entries.get("Item") if isinstance(put.value, DictValue) else None
        if item is None or not isinstance(item.value, DictValue):
            return None
        items.append(item.value)
    return items
