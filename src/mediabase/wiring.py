"""Where the domains meet the worker: the modules whose import registers mediabase's own job
handlers and periodic upkeep. The adapters (``mediabase worker``, ``mediabase up``) pass this
list to :func:`mediabase.jobs.worker.import_handler_modules`; the worker itself names no domain.
A module that cannot be imported (an optional extra missing) is skipped with a warning.
"""

from __future__ import annotations

WORKER_MODULES: tuple[str, ...] = (
    "mediabase.jobs.upkeep",  # partitions of every registered table
    "mediabase.search.jobs",  # transcript.index
    "mediabase.transcripts.processing",  # a video's processing status follows its jobs (video_id)
    "mediabase.insights.decision_vectors",  # decision.embed
    "mediabase.insights.jobs",  # topic trends age
    "mediabase.stories.jobs",  # story.continuation
    "mediabase.integrations.jobs",  # integrations.process (incoming webhooks)
    "mediabase.mail.jobs",  # mail.send, and the outbox's recovery sweep
    "mediabase.collab.digests",  # daily and weekly decision digests into the mail outbox
    "mediabase.events.dispatch",  # the outbox's dispatcher (a poller) and its pruning
    "mediabase.workflows.engine",  # workflow runs: the event subscriber, workflow.step, the reaper
    "mediabase.webhooks.delivery",  # webhook.deliver, and the webhooks fan-out (an event subscriber)
    "mediabase.knowledge.build",  # knowledge.build, knowledge.embed (the knowledge graph)
    "mediabase.billing.jobs",  # the offline billing provider's clock (renewals, ends at period end)
    "mediabase.analytics.rollups",  # viewing analytics' rollups (upkeep: dirty days, talk time)
    "mediabase.governance.retention",  # retention: the purge policies (upkeep)
    "mediabase.governance.requests",  # governance.data_request (export, erasure), archive expiry
)
