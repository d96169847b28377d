"""``manage.py setup_demo``: the demo of every app and its accounts.

In ``projects``, the top app, because it loads the demo of the apps below it (``ami``,
``projects``); ``cpts_portal`` is below every app and imports none.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ami.demo import load_demo_campaigns, load_demo_submissions
from cpts_portal.roles import Role
from projects.demo import DEMO_COORDINATOR_USERNAME, load_demo_projects

DEMO_PASSWORD = "demo-cpts-bretagne"  # noqa: S105 - published demo credentials, refused in production
# (username, first name, last name, role, admin access)
DEMO_ACCOUNTS = [
    ("agent.ars", "Agent", "ARS Bretagne", Role.ARS, True),
    ("agent.urps", "Agent", "URPS Bretagne", Role.URPS, False),
    ("agent.cpam", "Agent", "Assurance Maladie", Role.ASSURANCE_MALADIE, False),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration et crée des comptes de démonstration."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Données de démonstration refusées : DEBUG est désactivé.")
        campaigns = load_demo_campaigns()
        self.stdout.write(f"Campagnes AMI : {len(campaigns)}")
        created = load_demo_submissions()
        self.stdout.write(f"Réponses de démonstration créées : {created}")
        for username, first_name, last_name, role, is_staff in DEMO_ACCOUNTS:
            self.create_account(username, first_name, last_name, role, is_staff)
        # After the accounts: the demo ARS agent is recorded as the projects' author.
        demo_projects = load_demo_projects(coordinator_password=DEMO_PASSWORD)
        self.stdout.write(f"Projets de CPTS de démonstration créés : {len(demo_projects.created)}")
        self.stdout.write(
            self.style.SUCCESS(
                "Comptes de démonstration (mot de passe « "
                f"{DEMO_PASSWORD} ») : "
                + ", ".join(f"« {username} » ({role})" for username, *_, role, _ in DEMO_ACCOUNTS)
                + f", « {DEMO_COORDINATOR_USERNAME} » (coordinateur de projet)"
                + " — connexion sur http://127.0.0.1:8000/connexion/"
            )
        )

    def create_account(
        self, username: str, first_name: str, last_name: str, role: str, is_staff: bool
    ) -> None:
        user, _created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
            },
        )
        user.is_staff = is_staff
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
