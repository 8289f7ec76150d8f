"""Error and help attributes of the accessible forms point at the right ids, prefixed forms included."""

from django import forms

from maillage.structures.forms import AccessibleFormMixin


class EmailForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label="Adresse", help_text="Celle du compte.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


def test_help_and_error_ids_carry_the_form_prefix():
    form = EmailForm({"assign-email": "pas une adresse"}, prefix="assign")
    assert not form.is_valid()
    attrs = form.fields["email"].widget.attrs
    assert attrs["aria-describedby"] == "id_assign-email-error id_assign-email-help"
    assert attrs["aria-invalid"] == "true"
    assert EmailForm().fields["email"].widget.attrs["aria-describedby"] == "id_email-help"
