"""`patron worker`: run queued background tasks (email, bulk delete) from the database.

A thin wrapper around django-tasks-db's `db_worker`, so its flags apply:
  --batch              run what is queued, then exit (cron, tests)
  --max-tasks N        exit after N tasks (recycle a long-lived worker)
  --interval SECONDS   how long to sleep when the queue is empty (default 1)
  --queue-name NAMES   queues to serve, comma-separated, '*' for all (default "default")
  --worker-id ID       unique per worker when several run (default: random)
  --reload/--no-reload restart on code changes (default: DEBUG; not for production)
Start as many workers as you like: each task is claimed by one of them.
"""

from argparse import ArgumentTypeError

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run queued background tasks (needs PATRON_TASKS=db)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        backend = next(a for a in parser._actions if a.dest == "backend_name")
        check = backend.type

        def database_backend(name: str) -> str:
            try:
                return check(name)
            except ArgumentTypeError as error:
                raise ArgumentTypeError(
                    f"{error} (tasks run at once in the request: set PATRON_TASKS=db "
                    "to queue them for a worker)"
                ) from error

        backend.type = database_backend
