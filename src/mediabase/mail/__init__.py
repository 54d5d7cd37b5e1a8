"""Outgoing mail: an outbox table, a transport chosen by configuration (SMTP, or .eml files by
default) and the jobs that send (docs/mail.md). Any domain queues mail with
:func:`mediabase.mail.service.queue_message` in its own transaction; this package knows no domain."""
