import sys

from django.core.management.base import BaseCommand, CommandError

from catalog import article


class Command(BaseCommand):
    help = (
        "Erase the whole catalogue (every OST, show, group, member, agency, network and language, with every edit "
        "made in the admin) and every comment, then load the article's catalogue. Admin accounts are kept. "
        "Asks before erasing anything unless --no-input is given. Take a `backup` first to keep a copy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Do not ask for confirmation: erase and reload at once.",
        )

    def handle(self, *args, interactive, verbosity, **options):
        found = article.counts()
        if found and interactive:
            self.stdout.write(
                f"This erases everything in the catalogue and every comment: {article.describe(found)}.\n"
                "Every edit, deletion and addition made in the admin is lost; admin accounts are kept.\n"
                "Then the article's catalogue (fixtures/catalog.json) is loaded."
            )
            try:
                answer = input("Type 'yes' to erase and reset, or anything else to stop: ")
            except EOFError:
                answer = ""
            if not sys.stdin.isatty():  # The answer came from a pipe, without the newline a terminal echoes.
                self.stdout.write("")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was changed.")
        article.reset()
        if verbosity >= 1:
            if found:
                self.stdout.write(f"Erased {article.describe(found)}.")
            self.stdout.write(self.style.SUCCESS(f"Loaded the article's catalogue: {article.describe(article.counts())}."))
