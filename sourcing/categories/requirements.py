"""The vocabulary of what a category requires of its suppliers. The suppliers capability records evidence
in the same terms (certificates, audits), so the two can be compared."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    """How much governance a category needs."""

    STRATEGIC = "strategic", _("Strategic")
    OPERATIONAL = "operational", _("Operational")
    TRANSACTIONAL = "transactional", _("Transactional")


class ComplianceRequirement(models.TextChoices):
    FDA = "fda", _("FDA (food contact, facility registration)")
    CPSIA = "cpsia", _("CPSIA (children's products, CPC)")
    PROP65 = "prop65", _("California Proposition 65")
    FORCED_LABOUR = "forced_labour", _("Forced-labour supply-chain tracing (UFLPA)")
    REACH = "reach", _("EU REACH")
    ROHS = "rohs", _("RoHS")
    FCC = "fcc", _("FCC")
    UL = "ul", _("UL / ETL safety listing")


class CertificationType(models.TextChoices):
    ISO_9001 = "iso_9001", _("ISO 9001")
    ISO_14001 = "iso_14001", _("ISO 14001")
    AMFORI_BSCI = "amfori_bsci", _("amfori BSCI")
    SMETA = "smeta", _("SMETA")
    FDA_FEI = "fda_fei", _("FDA facility registration / FEI")
    CPSIA_CPC = "cpsia_cpc", _("CPSIA test report / CPC")
    PROP65 = "prop65", _("Prop 65 test report")
    FORCED_LABOUR_TRACING = "forced_labour_tracing", _("Forced-labour tracing evidence")
    OTHER = "other", _("Other")


class AuditType(models.TextChoices):
    QUALITY_SYSTEM = "quality_system", _("Factory quality-system audit")
    SOCIAL = "social", _("Social-compliance audit")
    ENVIRONMENTAL = "environmental", _("Environmental audit")
    SECURITY = "security", _("Supply-chain security audit (C-TPAT)")
