"""Worker loop: pulls claimed jobs into a local buffer and runs them."""
from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import threading
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple

import boto3

from .dispatch import Dispatcher
from .states import JobStateMachine

log = logging.getLogger(__name__)

DEAD_LETTER_URL = os.environ.get("JOBQ_DEAD_LETTER_URL", "")


class LocalJobQueue:
    """In-process priority buffer between the poller thread and the runners."""

    def __init__(self) -> None:
        self._heap: List[Tuple[int, int, Dict[str, Any]]] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()

    def put_item(self, job: Dict[str, Any], priority: int = 0) -> None:
        with self._cv:
            heapq.heappush(self._heap, (-priority, next(self._seq), job))
            self._cv.notify()

    def get_item(self, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        with self._cv:
            if not self._heap and not self._cv.wait(timeout):
                return None
            return heapq.heappop(self._heap)[2] if self._heap else None


class Worker:
    def __init__(self, worker_id: str, handlers: Dict[str, Callable[[Dict[str, Any]], Any]]) -> None:
        self.worker_id = worker_id
        self.handlers = handlers
        self.buffer = LocalJobQueue()
        self.dispatcher = Dispatcher()
        self.states = JobStateMachine()
        self.sqs = boto3.client("sqs")
        self.stats: Counter = Counter()

    def offer(self, job: Dict[str, Any]) -> None:
        if self.dispatcher.claim(job["job_id"], job["queue"], self.worker_id):
            self.buffer.put_item(job, job.get("priority", 0))  # label: ok

    def run_one(self, timeout: float = 1.0) -> bool:
        job = self.buffer.get_item(timeout)
        if job is None:
            return False
        handler = self.handlers[job["kind"]]
        try:
            result = handler(job["payload"])
        except Exception as exc:  # noqa: BLE001 - every failure is recorded
            log.exception("job %s failed", job["job_id"])
            self.states.fail(job["job_id"], repr(exc))
            self.stats.update(failed=1)  # label: ok
            if job.get("attempts", 0) + 1 >= 5:
                self.sqs.send_message(  # label: ok
                    QueueUrl=DEAD_LETTER_URL,
                    MessageBody=json.dumps(job, default=str),
                )
            return True
        self.dispatcher.complete(job["job_id"], job["run_id"], job["run_version"], result)
        self.stats.update(succeeded=1)  # label: ok
        return True
