from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_default_preset(sender, using="default", **kwargs):
    """After `migrate` (and after tests flush the database) the rule book is never missing."""
    from django.conf import settings

    from kesu.rulebook import cache
    from kesu.rulebook.services import ensure_rule_book

    ensure_rule_book(settings.KESU_PRESET)
    cache.bump(using=using)  # migrations (and a test's flush) write without the signals


class RulebookConfig(AppConfig):
    name = "kesu.rulebook"
    label = "rulebook"
    verbose_name = _("rule book")

    def ready(self) -> None:
        from kesu.rulebook import cache, sections
        from kesu.rulebook.models import RecusalSubstitute, RuleBook
        from kesu.rulebook.services import load_recusal

        sections.register("recusal", order=30, load=load_recusal)
        cache.watch(RuleBook, RecusalSubstitute)
        # Sent once per app; hook on the last app that the preset writes to.
        post_migrate.connect(_load_default_preset, sender=self, dispatch_uid="kesu-load-default-preset")
