"""Accounts: invitations by email and password resets.

In ``projects``, the top app, because the emails go through the outbox (``notifications``,
which ``cpts_portal`` may not import) and invitations start from a project's page.

An invited person gets an account (or their existing one is used) and a link to choose a
password; anyone with an account can ask for a new link. Both links are Django's
password-reset link (``default_token_generator``): valid ``PASSWORD_RESET_TIMEOUT`` seconds
(72 h), single use (the token hashes the password and the last login, which change once
the password is set), bound to one account. They are built on ``SITE_URL``
(``cpts_portal.links.absolute_url``), never on the request's Host header, so a forged
Host cannot make the portal email a link to another site. Emails go through the outbox.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from cpts_portal.links import absolute_url
from cpts_portal.roles import Role, roles_of
from notifications.services import queue_email

# Who the ARS may invite from a project's page.
INVITABLE_ROLES = (Role.COORDINATOR, Role.URPS, Role.ASSURANCE_MALADIE)


def set_password_url(user: AbstractBaseUser) -> str:
    """The single-use link (``PASSWORD_RESET_TIMEOUT``) to choose this account's password,
    on ``SITE_URL``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("password_set", kwargs={"uidb64": uid, "token": token}))


def link_hours() -> int:
    from django.conf import settings

    return settings.PASSWORD_RESET_TIMEOUT // 3600


@dataclass(frozen=True)
class Invitation:
    user: AbstractBaseUser
    created: bool  # a new account (else an existing one, now with the role)
    needs_password: bool  # the email carries a link to choose a password


def account_for(email: str) -> AbstractBaseUser | None:
    """The one account with this email (case-insensitive); ValidationError if several."""
    accounts = list(get_user_model().objects.filter(email__iexact=email.strip())[:2])
    if len(accounts) > 1:
        raise ValidationError(
            _("Plusieurs comptes ont cette adresse : un administrateur doit les départager."),
            code="ambiguous",
        )
    return accounts[0] if accounts else None


@transaction.atomic
def invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    template: str,
    context: dict,
    related: models.Model | None = None,
) -> Invitation:
    """Create the account of ``email`` with ``role`` (or give an existing one the role) and
    queue the invitation email ``template`` with ``context`` plus ``user``,
    ``set_password_url`` (when the account has no password yet), ``login_url`` and
    ``link_hours``.

    An existing account is used only if it is active, not an administrator, and has no
    other role than ``role`` (an invitation never turns a coordinator into a partner agent
    or the reverse); otherwise ``ValidationError`` with a French message.
    """
    if role not in INVITABLE_ROLES:
        raise ValidationError(_("Ce rôle ne s’attribue pas par invitation."), code="role")
    email = email.strip()
    user = account_for(email)
    created = user is None
    if created:
        User = get_user_model()
        username = email.lower()[: User._meta.get_field("username").max_length]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("Un compte a déjà cet identifiant : un administrateur doit l’examiner."),
                code="username",
            )
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
    else:
        if not user.is_active or user.is_staff or user.is_superuser:
            raise ValidationError(
                _("Ce compte ne peut pas être invité ainsi : voyez un administrateur."),
                code="account",
            )
        other_roles = roles_of(user) - {role}
        if other_roles:
            raise ValidationError(
                _(
                    "Cette adresse est celle d’un compte « %(roles)s » : un compte n’a qu’un "
                    "rôle. Utilisez une autre adresse."
                )
                % {"roles": ", ".join(sorted(other_roles))},
                code="other_role",
            )
    user.groups.add(Group.objects.get(name=role))
    needs_password = not user.has_usable_password()
    queue_email(
        [user.email],
        template,
        {
            **context,
            "user": user,
            "set_password_url": set_password_url(user) if needs_password else "",
            "login_url": absolute_url(reverse("login")),
            "reset_url": absolute_url(reverse("password_reset")),
            "link_hours": link_hours(),
        },
        related=related,
    )
    return Invitation(user=user, created=created, needs_password=needs_password)


def request_password_reset(email: str) -> int:
    """Queue a password-reset email to each active account of ``email`` (none: nothing, and
    the page says the same either way); at most ``PASSWORD_RESET_EMAILS_PER_HOUR`` per
    address and hour, whoever asks. Returns how many were queued."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from notifications.models import OutgoingEmail

    sent = 0
    for user in reset_recipients(email):
        recent = OutgoingEmail.objects.filter(
            recipient__iexact=user.email,
            template=RESET_EMAIL,
            created_at__gte=timezone.now() - timedelta(hours=1),
        ).count()
        if recent < settings.PASSWORD_RESET_EMAILS_PER_HOUR:
            send_password_reset(user)
            sent += 1
    return sent


RESET_EMAIL = "registration/emails/password_reset"


def send_password_reset(user: AbstractBaseUser) -> None:
    """Queue the « choisir un nouveau mot de passe » email with its single-use link."""
    queue_email(
        [user.email],
        RESET_EMAIL,
        {
            "user": user,
            "set_password_url": set_password_url(user),
            "link_hours": link_hours(),
            "reset_url": absolute_url(reverse("password_reset")),
        },
    )


def reset_recipients(email: str) -> list[AbstractBaseUser]:
    """The active accounts of this address, an invited one without a password included
    (Django's own form leaves those out: they could never get a new link)."""
    return [
        user
        for user in get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
        if user.email
    ]
