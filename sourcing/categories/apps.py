from django.apps import AppConfig


class CategoriesConfig(AppConfig):
    name = "sourcing.categories"
    label = "categories"
    verbose_name = "Categories"
    default_auto_field = "django.db.models.BigAutoField"
