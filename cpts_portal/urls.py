from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from projects.views import accounts

from . import health, views
from .forms import AdminLoginForm

admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Portail CPTS — administration")
admin.site.site_title = _("Portail CPTS")
admin.site.index_title = _("Suivi des appels à manifestation d'intérêt et des projets")

FAVICON = "dsfr/dist/favicon/favicon.ico"


class FaviconRedirect(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says: send them to the static file."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static(FAVICON)


urlpatterns = [
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("admin/", admin.site.urls),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    # Password reset and invitations (projects/accounts.py): one token segment, masked in logs.
    path("mot-de-passe/oubli/", accounts.password_reset, name="password_reset"),
    path("mot-de-passe/oubli/envoye/", accounts.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/nouveau/<uidb64>.<token>/", accounts.password_set, name="password_set"),
    path(
        "mot-de-passe/enregistre/",
        accounts.password_reset_complete,
        name="password_reset_complete",
    ),
    path("espace/", views.agent_home, name="agent_home"),
    path("sante/", health.health, name="health"),
    path("mentions-legales/", views.legal, name="legal"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("territoires/", include("territories.urls")),
    path("tableau-de-bord/", include("ami.staff_urls")),
    path("projets/", include("projects.urls")),
    path("", include("publication.urls")),
    path("", include("ami.urls")),
]
