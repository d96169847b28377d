"""POST data of a complete, valid answer to the fiche de renseignements."""

import uuid


def answer_data(**overrides: str) -> dict[str, str]:
    data = {
        "actors-TOTAL_FORMS": "1",
        "actors-INITIAL_FORMS": "0",
        "actors-MIN_NUM_FORMS": "1",
        "actors-MAX_NUM_FORMS": "50",
        "actors-0-name": "Dr Anne Le Goff",
        "actors-0-profession": "medecin_generaliste",
        "actors-0-practice_place": "Douarnenez",
        "actors-0-practice_setting": "msp",
        "actors-0-structure_name": "MSP du Port-Rhu",
        "referents-TOTAL_FORMS": "1",
        "referents-INITIAL_FORMS": "0",
        "referents-MIN_NUM_FORMS": "1",
        "referents-MAX_NUM_FORMS": "10",
        "referents-0-name": "Anne Le Goff",
        "referents-0-function": "Coordinatrice de la MSP",
        "referents-0-email": "anne.legoff@example.org",
        "referents-0-phone": "02 98 92 12 34",
        "objectives": "reflection",
        "context": "Nous réfléchissons à une CPTS sur le pays de Douarnenez.",
        "territory_text": "Douarnenez Communauté",
        "meeting_wished_by": "",
        "meeting_wish": "En septembre, plutôt en soirée",
        "consent": "on",
        "website": "",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
