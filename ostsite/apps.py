from axes.apps import AppConfig as AxesConfig


class SignInLimitsConfig(AxesConfig):
    """django-axes under a name editors understand: its records of failed sign-ins head the desk as
    "Sign-in limits", not "Axes"."""

    verbose_name = "Sign-in limits"
