"""``manage.py setup_demo``: the demo of every app and its accounts.

In ``publication``, the top app, because it loads the demo of the apps below it (``ami``,
``projects``, then its own published CPTS); ``cpts_portal`` is below every app and imports
none.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ami.demo import load_demo_campaigns, load_demo_submissions
from projects.demo import DEMO_ACCOUNTS, DEMO_INSTITUTIONS, DEMO_PASSWORD, load_demo_projects
from publication.demo import publish_demo_projects
from territories.demo import DEMO_REGIONS


class Command(BaseCommand):
    help = "Charge les données de démonstration et crée des comptes de démonstration."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Données de démonstration refusées : DEBUG est désactivé.")
        campaigns = load_demo_campaigns()
        self.stdout.write(f"Campagnes AMI : {len(campaigns)}")
        created = load_demo_submissions()
        self.stdout.write(f"Réponses de démonstration créées : {created}")
        # The accounts, then the story: answers triaged, a project at every stage.
        demo_projects = load_demo_projects(coordinator_password=DEMO_PASSWORD)
        self.stdout.write(f"Projets de CPTS de démonstration créés : {len(demo_projects.created)}")
        published = publish_demo_projects()
        self.stdout.write(f"CPTS publiées (« ma commune », données ouvertes) : {len(published)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} »), "
                "connexion sur http://127.0.0.1:8000/connexion/ :"
            )
        )
        for line in account_lines():
            self.stdout.write(line)


def account_lines() -> list[str]:
    """The demo accounts, region by region: « username » (role, institution)."""
    region_names = {region.code: region.name for region in DEMO_REGIONS}
    by_region: dict[str, list[str]] = {}
    for username, *_, role, _admin in DEMO_ACCOUNTS:
        code, institution = DEMO_INSTITUTIONS.get(username, ("", ""))
        # Coordinators and the national level belong to no region: grouped by role.
        group = region_names[code] if institution else str(role.label)
        label = f"{role}, {institution}" if institution else role
        by_region.setdefault(group, []).append(f"« {username} » ({label})")
    return [f"  {region} : " + ", ".join(accounts) for region, accounts in by_region.items()]
