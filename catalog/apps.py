from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete

from ostsite.page_cache import SITE, bump


def deployed(**kwargs):
    # Deploys run migrate: pages and fragments cached by the old code must not outlive it.
    bump(SITE)


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self):
        from . import publication
        from .models import OST, Credit, ListenLink

        # What editors change most makes only the pages that show it stale (see publication.py).
        post_save.connect(publication.ost_changed, sender=OST, dispatch_uid="ost-saved")
        pre_delete.connect(publication.ost_changed, sender=OST, dispatch_uid="ost-deleted")
        for signal in (post_save, post_delete):
            signal.connect(publication.credit_changed, sender=Credit, dispatch_uid=f"credit-{signal}")
            signal.connect(publication.listen_link_changed, sender=ListenLink, dispatch_uid=f"listen-link-{signal}")
        for through in (OST.singers.through, OST.languages.through):
            m2m_changed.connect(publication.ost_m2m_changed, sender=through, dispatch_uid=f"ost-m2m-{through}")
        # The rest may show on any page.
        for model in self.get_models():
            if model not in (OST, Credit, ListenLink):
                post_save.connect(publication.catalogue_changed, sender=model, dispatch_uid=f"saved-{model.__name__}")
                post_delete.connect(publication.catalogue_changed, sender=model, dispatch_uid=f"deleted-{model.__name__}")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                if through not in (OST.singers.through, OST.languages.through):
                    m2m_changed.connect(publication.catalogue_changed, sender=through, dispatch_uid=f"m2m-{field}")
        post_migrate.connect(deployed, sender=self, dispatch_uid="catalogue-migrate")
