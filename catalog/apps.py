from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self):
        from .cache import bump_catalogue_version

        # Every model of the catalogue and the comments feeds the cached pages.
        for model in self.get_models():
            post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=f"bump-save-{model.__name__}")
            post_delete.connect(bump_catalogue_version, sender=model, dispatch_uid=f"bump-delete-{model.__name__}")
        for model in self.apps.get_app_config("comments").get_models():
            post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=f"bump-save-{model.__name__}")
            post_delete.connect(bump_catalogue_version, sender=model, dispatch_uid=f"bump-delete-{model.__name__}")
        m2m_changed.connect(bump_catalogue_version, dispatch_uid="bump-m2m")
        # Deploys run migrate: pages, cards and rows cached by the old code must not outlive it.
        post_migrate.connect(bump_catalogue_version, sender=self, dispatch_uid="bump-migrate")
