"""Forms for certifications and documents. References (site, document, owner) are plain choices of ids built
inside the tenant scope; the services resolve them again through the scoped managers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.categories.requirements import CertificationType
from sourcing.forms import Form
from sourcing.models import Membership
from suppliers.models import EXPIRING_DAYS, Certification, CertificationState, Document, DocumentType, Site, Tier
from suppliers.selectors.evidence import NO_OWNER, ExpiringFilters

# A choice that is not offered gets the same message whatever it was, so the answer never depends on
# whether an id exists elsewhere.
_NOT_OFFERED = {"invalid_choice": _("Choose one of the listed options.")}
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _file_field(label: Any, *, required: bool, help_text: Any = "") -> forms.FileField:
    # Empty files are let through to the service, which judges every file by its bytes with one message.
    return forms.FileField(label=label, required=required, allow_empty_file=True, help_text=help_text)


FILE_HELP = _("PDF, image, Word or Excel; at most 25 MB.")


class CertificationForm(Form):
    cert_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *CertificationType.choices])
    name = forms.CharField(label=_("Name"), required=False, max_length=200, help_text=_("For the type Other."))
    number = forms.CharField(label=_("Number"), required=False, max_length=100)
    issuer = forms.CharField(label=_("Issuer"), required=False, max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=_DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=_DATE)
    site = forms.ChoiceField(label=_("Site"), required=False, error_messages=_NOT_OFFERED)
    file = _file_field(_("File"), required=False, help_text=FILE_HELP)

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_("Whole supplier"))), *((str(s.pk), s.name) for s in sites)]
        self.fields["site"].choices = choices  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(certification: Certification) -> dict[str, Any]:
        return {
            "cert_type": certification.cert_type,
            "name": certification.name,
            "number": certification.number,
            "issuer": certification.issuer,
            "valid_from": certification.valid_from,
            "valid_until": certification.valid_until,
            "site": str(certification.site_id) if certification.site_id else "",
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data.get("file")
        return {
            "cert_type": data["cert_type"],
            "name": data["name"],
            "number": data["number"],
            "issuer": data["issuer"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
            "site_id": data["site"] or None,
            "file": upload,
            "file_name": upload.name if upload else "",
        }


class DocumentUploadForm(Form):
    document = forms.ChoiceField(
        label=_("Document"),
        required=False,
        error_messages=_NOT_OFFERED,
        help_text=_("Choose a document to add a new version to it, or leave empty to start a new one."),
    )
    doc_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "—"), *DocumentType.choices])
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=_DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    file = _file_field(_("File"), required=True, help_text=FILE_HELP)

    def __init__(self, *args: Any, documents: list[Document], with_note: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_("A new document"))), *((str(d.pk), d.title) for d in documents)]
        self.fields["document"].choices = choices  # type: ignore[attr-defined]
        if not with_note:
            del self.fields["note"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data["file"]
        return {
            "document_id": data["document"] or None,
            "doc_type": data["doc_type"],
            "title": data["title"],
            "expires_on": data["expires_on"],
            "note": data.get("note", ""),
            "file": upload,
            "file_name": upload.name,
        }


class DocumentEditForm(Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=_DATE)

    @staticmethod
    def initial_for(document: Document) -> dict[str, Any]:
        return {"doc_type": document.doc_type, "title": document.title, "expires_on": document.expires_on}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"doc_type": data["doc_type"], "title": data["title"], "expires_on": data["expires_on"]}


class ExpiringFilterForm(Form):
    within = forms.IntegerField(label=_("Ending within (days)"), required=False, min_value=1, max_value=366)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Expiring and expired")),
            (CertificationState.EXPIRING, _("Expiring")),
            (CertificationState.EXPIRED, _("Expired")),
        ],
    )
    cert_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *CertificationType.choices]
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])
    owner = forms.ChoiceField(label=_("Owner"), required=False, error_messages=_NOT_OFFERED)

    def __init__(self, *args: Any, owners: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_("Anyone"))), (NO_OWNER, str(_("Nobody")))]
        choices += [(str(m.pk), m.user.full_name or m.user.email) for m in owners]
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> ExpiringFilters:
        """What the selector takes; the defaults when the form is not valid."""
        if not self.is_valid():
            return ExpiringFilters()
        data = self.cleaned_data
        return ExpiringFilters(
            within_days=data["within"] or EXPIRING_DAYS,
            state=data["state"],
            cert_type=data["cert_type"],
            tier=data["tier"],
            owner=data["owner"],
        )
