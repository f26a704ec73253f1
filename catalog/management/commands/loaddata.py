from django.core.management.commands import loaddata

from ostsite.history import record_first_versions


class Command(loaddata.Command):
    """Django's loaddata, after which every loaded row with a history (see ostsite/history.py) has its first entry,
    so an editor can see and undo the first change made to a fixture's facts."""

    help = f"{loaddata.Command.help} Rows of models with a history get their first history entry."

    def loaddata(self, fixture_labels):
        super().loaddata(fixture_labels)
        models = sorted(self.models, key=lambda model: model._meta.label)
        count = record_first_versions(models, comment="First version, loaded from the fixtures.")
        if self.verbosity >= 1:
            self.stdout.write(f"Recorded the first history entry of {count} loaded row(s).")
