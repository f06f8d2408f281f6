"""Staff pages: the batch jobs run by workers, and one job's batches with their errors."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.jobs import services
from coopcis.apps.jobs.models import Job
from coopcis.apps.staff.access import staff_view

VIEW_JOBS = "jobs.view_job"


@staff_view(VIEW_JOBS)
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = [(job, services.progress(job)) for job in Job.objects.all()[:50]]
    return render(request, "jobs/jobs.html", {"jobs": jobs})


@staff_view(VIEW_JOBS)
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("no such job")
    batches = job.batches.all()  # type: ignore[attr-defined]
    workers = sorted({batch.worker for batch in batches if batch.worker})
    return render(
        request,
        "jobs/job.html",
        {"job": job, "state": services.progress(job), "batches": batches, "workers": workers},
    )
