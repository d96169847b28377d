"""Layout objects of the ``crispy_dsfr`` template pack.

crispy-forms' own layout objects (``Layout``, ``Div``, ``Row``, ``Column``, ``Field``,
``Fieldset``, ``MultiField``, ``ButtonHolder``, ``Submit``, ``Button``, ``Reset``,
``Hidden``, ``HTML``, ``InlineRadios``, ``InlineCheckboxes``, ``FormActions``,
``StrictButton``) all work with the pack. This module only adds what the DSFR has and
crispy-forms has not.
"""

from crispy_forms import layout


class Fieldset(layout.Fieldset):
    """crispy's ``Fieldset`` whose legend may carry a hint (``fr-hint-text``).

    ::

        Fieldset(
            "Adresse",
            "street",
            "postcode",
            "city",
            hint="L'adresse où le courrier vous sera envoyé.",
        )
    """

    def __init__(self, legend, *fields, hint=None, **kwargs):
        super().__init__(legend, *fields, **kwargs)
        self.hint = hint
