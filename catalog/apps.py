from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from ostsite.page_cache import SITE, bump, invalidate_site


def catalogue_changed(**kwargs):
    # Editors' saves are rare (docs/benchmarks.md measures one every 30 s): all pages go stale at once.
    invalidate_site()


def deployed(**kwargs):
    # Deploys run migrate: pages and fragments cached by the old code must not outlive it.
    bump(SITE)


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self):
        for model in self.get_models():
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
            post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    catalogue_changed, sender=field.remote_field.through, dispatch_uid=f"catalogue-m2m-{field}"
                )
        post_migrate.connect(deployed, sender=self, dispatch_uid="catalogue-migrate")
