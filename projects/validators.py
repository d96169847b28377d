"""Checks on what people type for a project: RNA and SIRET numbers.

Uploaded files are checked by ``cpts_portal.uploads`` (shared with the AMI's attachments)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RNA_PATTERN = re.compile(r"W\d{9}")
# SIRET of La Poste's establishments: their check is "sum of digits divisible by 5".
LA_POSTE_SIREN = "356000000"


def normalize_identifier(value: str) -> str:
    """Spaces, dots and dashes people type in official numbers removed, letters upper-cased."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_rna(value: str) -> None:
    """Répertoire national des associations: « W » followed by nine digits (W751234567)."""
    if not RNA_PATTERN.fullmatch(normalize_identifier(value)):
        raise ValidationError(
            _("Le numéro RNA commence par W suivi de 9 chiffres, par exemple W751234567."),
            code="invalid_rna",
        )


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """14 digits whose Luhn key is right (La Poste's establishments: digit sum divisible by 5)."""
    siret = normalize_identifier(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError(_("Le SIRET compte 14 chiffres."), code="invalid_siret")
    la_poste = siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0
    if not (luhn_is_valid(siret) or la_poste):
        raise ValidationError(
            _("Ce SIRET n’existe pas : sa clé de contrôle est fausse. Vérifiez les chiffres."),
            code="invalid_siret",
        )
