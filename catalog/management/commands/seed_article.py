from django.core.management.base import BaseCommand

from catalog import article


class Command(BaseCommand):
    help = (
        "Load the article's catalogue (fixtures/catalog.json) when the catalogue is empty, as in a new database. "
        "A catalogue that holds anything is left exactly as it is, so scripts/serve runs this on every start."
    )

    def handle(self, *args, verbosity, **options):
        found = article.load_if_empty()
        if verbosity < 1:
            return
        if found:
            self.stdout.write(
                f"The catalogue already holds data ({article.describe(found)}): left as it is. "
                "`manage.py reset_to_article` replaces it with the article's catalogue."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded the article's catalogue: {article.describe(article.counts())}."))
