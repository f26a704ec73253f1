from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from ostsite import backups


class Command(BaseCommand):
    help = (
        "Take a consistent backup of the SQLite database while the site runs (SQLite's online backup API): "
        "every comment and edit saved before the backup started is in it. Writes PATH, by default "
        "var/backups/db-YYYYMMDD-HHMMSS.sqlite3. For PostgreSQL use pg_dump (see the README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="The new backup file (it must not exist yet).")

    def handle(self, *args, path, verbosity, **options):
        if path is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.BASE_DIR) / "var" / "backups" / f"db-{stamp}.sqlite3"
        def starting():
            if verbosity >= 1:
                self.stdout.write(f"Backing up {backups.database_name()} ({backups.live_summary()}) to {path} …")

        try:
            size, seconds = backups.backup(path, starting)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Backed up {filesizeformat(size)} in {seconds:.1f} s, checked: {path}"))
            self.stdout.write(f"Restore it with: python manage.py restore {path}")
