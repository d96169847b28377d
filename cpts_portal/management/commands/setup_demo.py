from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ami.demo import load_demo_campaigns, load_demo_submissions
from cpts_portal.roles import Role

DEMO_USERNAME = "agent.ars"
DEMO_PASSWORD = "demo-cpts-bretagne"  # noqa: S105 - published demo credentials, refused in production


class Command(BaseCommand):
    help = "Charge les données de démonstration et crée un compte agent ARS de démonstration."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Données de démonstration refusées : DEBUG est désactivé.")
        campaigns = load_demo_campaigns()
        self.stdout.write(f"Campagnes AMI : {len(campaigns)}")
        created = load_demo_submissions()
        self.stdout.write(f"Réponses de démonstration créées : {created}")

        user, _created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={
                "first_name": "Agent",
                "last_name": "ARS Bretagne",
                "email": "agent.ars@example.org",
            },
        )
        user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=Role.ARS))
        self.stdout.write(
            self.style.SUCCESS(
                f"Compte agent ARS de démonstration : identifiant « {DEMO_USERNAME} », "
                f"mot de passe « {DEMO_PASSWORD} » — http://127.0.0.1:8000/admin/"
            )
        )
