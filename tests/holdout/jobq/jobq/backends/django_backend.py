"""Django ORM backend (jobq < 1.0 stored jobs in the application database)."""
from django.db import models, transaction
from django.utils import timezone


class Job(models.Model):
    queue = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, default="queued")
    payload = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    worker_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "jobq"


def claim(job_id, worker_id):
    with transaction.atomic():
        updated = Job.objects.filter(pk=job_id, status="queued").update(status="running", worker_id=worker_id)  # label: ok
    return updated == 1


def record_failure(job_id):
    job = Job.objects.select_for_update().get(pk=job_id)
    job.attempts += 1
    job.status = "failed"
    job.save(update_fields=["attempts", "status", "updated_at"])  # label: ok
    return job


def purge_finished(older_than):
    cutoff = timezone.now() - older_than
    for job in Job.objects.filter(status="succeeded", updated_at__lt=cutoff).iterator():
        job.delete()  # label: ok
