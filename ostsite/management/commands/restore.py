import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ostsite import backups


class Command(BaseCommand):
    help = (
        "Replace the whole SQLite database (catalogue, comments, accounts) with a backup made by `backup`, then "
        "migrate it to this version of the code. Asks before replacing anything unless --no-input is given. "
        "For PostgreSQL use pg_restore (see the README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A backup file made by `manage.py backup`.")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, path, interactive, verbosity, **options):
        try:
            source = backups.open_backup(path)
            try:
                if interactive:
                    self.stdout.write(
                        f"This replaces everything in {backups.database_name()} ({backups.live_summary()})\n"
                        f"with the backup {path} ({backups.summary(source)}).\n"
                        "Whatever was saved since that backup was taken is lost."
                    )
                    try:
                        answer = input("Type 'yes' to restore, or anything else to stop: ")
                    except EOFError:
                        answer = ""
                    if not sys.stdin.isatty():
                        self.stdout.write("")
                    if answer.strip().lower() != "yes":
                        raise CommandError("Nothing was changed.")
                seconds = backups.restore(source)
            finally:
                source.close()
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            self.stdout.write(f"Restored {path} in {seconds:.1f} s. Migrating it to this version of the code …")
        # Brings an older backup's tables up to date, and (as every migrate does) tells the page caches that
        # the catalogue changed.
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Restored: {backups.live_summary()}."))
