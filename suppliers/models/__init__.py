"""Supplier master data and everything that qualifies a supplier: sites, contacts, bank details (with a second
person's approval), certifications, versioned documents, factory audits against checklist templates, risk
flags and onboarding checklists. Agents reach suppliers through object grants (``SupplierAgentGrant``).

One module per subdomain; every model is importable from ``suppliers.models``."""

from suppliers.models.audits import (
    AnswerChoice,
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    FactoryAudit,
    Severity,
)
from suppliers.models.bank import BankAccount, BankStatus
from suppliers.models.evidence import Certification, CertificationState, Document, DocumentType, DocumentVersion
from suppliers.models.files import StoredFile
from suppliers.models.master import (
    EXPIRING_DAYS,
    ROW_FACTS,
    Contact,
    NameIndexVersion,
    Site,
    SiteKind,
    StatusChange,
    Supplier,
    SupplierAgentGrant,
    SupplierCategory,
    SupplierStatus,
    SupplierType,
    Tier,
)
from suppliers.models.onboarding import OnboardingItem, OnboardingTask, OnboardingTemplate, TaskStatus
from suppliers.models.risk import RiskFlag, RiskKind

__all__ = [
    "EXPIRING_DAYS",
    "ROW_FACTS",
    "AnswerChoice",
    "AuditEvidence",
    "AuditFinding",
    "AuditItem",
    "AuditQuestion",
    "AuditStatus",
    "AuditTemplate",
    "BankAccount",
    "BankStatus",
    "Certification",
    "CertificationState",
    "Contact",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "FactoryAudit",
    "NameIndexVersion",
    "OnboardingItem",
    "OnboardingTask",
    "OnboardingTemplate",
    "RiskFlag",
    "RiskKind",
    "Severity",
    "Site",
    "SiteKind",
    "StatusChange",
    "StoredFile",
    "Supplier",
    "SupplierAgentGrant",
    "SupplierCategory",
    "SupplierStatus",
    "SupplierType",
    "TaskStatus",
    "Tier",
]
