"""Supplier pages under /t/<tenant_slug>/suppliers/ and partner pages under /t/<tenant_slug>/portal/.
One section per subdomain."""

from django.urls import URLPattern, path

from suppliers.views import audits as audit_views
from suppliers.views import bank as bank_views
from suppliers.views import evidence as evidence_views
from suppliers.views import exports as export_views
from suppliers.views import master, portal, portal_evidence
from suppliers.views import onboarding as onboarding_views
from suppliers.views import portal_audits as portal_audit_views
from suppliers.views import risk as risk_views

# Master data, qualification, duplicates
page_patterns: list[URLPattern] = [
    path("", master.supplier_list, name="supplier_list"),
    path("export/", master.supplier_export, name="supplier_export"),
    path("new/", master.supplier_create, name="supplier_create"),
    path("board/", master.qualification_board, name="qualification_board"),
    path("duplicates/", master.supplier_duplicates, name="supplier_duplicates"),
    path("duplicates/merge/", master.supplier_merge, name="supplier_merge"),
    path("<uuid:supplier_id>/", master.supplier_detail, name="supplier_detail"),
    path("<uuid:supplier_id>/edit/", master.supplier_edit, name="supplier_edit"),
    path("<uuid:supplier_id>/status/", master.supplier_transition, name="supplier_transition"),
    path("<uuid:supplier_id>/sites/", master.supplier_sites, name="supplier_sites"),
    path("<uuid:supplier_id>/sites/new/", master.site_create, name="site_create"),
    path("<uuid:supplier_id>/sites/<uuid:site_id>/", master.site_edit, name="site_edit"),
    path("<uuid:supplier_id>/sites/<uuid:site_id>/delete/", master.site_delete, name="site_delete"),
    path("<uuid:supplier_id>/contacts/", master.supplier_contacts, name="supplier_contacts"),
    path("<uuid:supplier_id>/contacts/new/", master.contact_create, name="contact_create"),
    path("<uuid:supplier_id>/contacts/<uuid:contact_id>/", master.contact_edit, name="contact_edit"),
    path("<uuid:supplier_id>/contacts/<uuid:contact_id>/delete/", master.contact_delete, name="contact_delete"),
    path("<uuid:supplier_id>/activity/", master.supplier_activity, name="supplier_activity"),
]

portal_patterns: list[URLPattern] = [
    path("suppliers/<uuid:supplier_id>/", portal.portal_supplier_detail, name="portal_supplier_detail"),
    path("suppliers/propose/", portal.portal_supplier_propose, name="portal_supplier_propose"),
]

# Certifications and documents
page_patterns += [
    path(
        "<uuid:supplier_id>/certifications/",
        evidence_views.supplier_certifications,
        name="supplier_certifications",
    ),
    path(
        "<uuid:supplier_id>/certifications/add/",
        evidence_views.certification_create,
        name="certification_create",
    ),
    path(
        "certifications/<uuid:certification_id>/edit/",
        evidence_views.certification_edit,
        name="certification_edit",
    ),
    path(
        "certifications/<uuid:certification_id>/delete/",
        evidence_views.certification_delete,
        name="certification_delete",
    ),
    path(
        "certifications/<uuid:certification_id>/file/",
        evidence_views.certification_download,
        name="certification_download",
    ),
    path("certificates/expiring/", evidence_views.certificate_expiring, name="certificate_expiring"),
    path(
        "certificates/expiring/export/",
        evidence_views.certificate_expiring_export,
        name="certificate_expiring_export",
    ),
    path("<uuid:supplier_id>/documents/", evidence_views.supplier_documents, name="supplier_documents"),
    path("<uuid:supplier_id>/documents/upload/", evidence_views.document_upload, name="document_upload"),
    path(
        "documents/versions/<uuid:version_id>/file/",
        evidence_views.document_version_download,
        name="document_version_download",
    ),
    path("documents/<uuid:document_id>/edit/", evidence_views.document_edit, name="document_edit"),
    path("documents/<uuid:document_id>/delete/", evidence_views.document_delete, name="document_delete"),
]
portal_patterns += [
    path(
        "suppliers/<uuid:supplier_id>/certifications/",
        portal_evidence.portal_supplier_certifications,
        name="portal_supplier_certifications",
    ),
    path(
        "suppliers/<uuid:supplier_id>/documents/",
        portal_evidence.portal_supplier_documents,
        name="portal_supplier_documents",
    ),
    path(
        "certifications/<uuid:certification_id>/file/",
        portal_evidence.portal_certification_download,
        name="portal_certification_download",
    ),
    path(
        "documents/versions/<uuid:version_id>/file/",
        portal_evidence.portal_document_download,
        name="portal_document_download",
    ),
]

# Factory audits and their checklist templates
page_patterns += [
    path("audits/", audit_views.factory_audit_list, name="factory_audit_list"),
    path("audits/export/", export_views.factory_audit_export, name="factory_audit_export"),
    path("audits/findings/", audit_views.audit_finding_list, name="audit_finding_list"),
    path("audits/templates/", audit_views.audit_template_list, name="audit_template_list"),
    path("audits/templates/new/", audit_views.audit_template_create, name="audit_template_create"),
    path(
        "audits/templates/<uuid:audit_template_id>/",
        audit_views.audit_template_detail,
        name="audit_template_detail",
    ),
    path(
        "audits/templates/<uuid:audit_template_id>/edit/",
        audit_views.audit_template_edit,
        name="audit_template_edit",
    ),
    path(
        "audits/templates/<uuid:audit_template_id>/active/",
        audit_views.audit_template_set_active,
        name="audit_template_set_active",
    ),
    path(
        "audits/templates/<uuid:audit_template_id>/questions/",
        audit_views.audit_question_add,
        name="audit_question_add",
    ),
    path("audits/questions/<uuid:audit_question_id>/", audit_views.audit_question_edit, name="audit_question_edit"),
    path(
        "audits/questions/<uuid:audit_question_id>/delete/",
        audit_views.audit_question_delete,
        name="audit_question_delete",
    ),
    path(
        "audits/questions/<uuid:audit_question_id>/move/",
        audit_views.audit_question_move,
        name="audit_question_move",
    ),
    path("<uuid:supplier_id>/audits/", audit_views.supplier_audits, name="supplier_audits"),
    path("<uuid:supplier_id>/audits/plan/", audit_views.audit_plan, name="audit_plan"),
    path("audits/<uuid:audit_id>/", audit_views.audit_detail, name="audit_detail"),
    path("audits/<uuid:audit_id>/answers/", audit_views.audit_answer, name="audit_answer"),
    path("audits/<uuid:audit_id>/evidence/", audit_views.audit_evidence_upload, name="audit_evidence_upload"),
    path("audits/<uuid:audit_id>/findings/", audit_views.audit_finding_add, name="audit_finding_add"),
    path("audits/<uuid:audit_id>/submit/", audit_views.audit_submit, name="audit_submit"),
    path("audits/<uuid:audit_id>/review/accept/", audit_views.audit_review_accept, name="audit_review_accept"),
    path("audits/<uuid:audit_id>/review/return/", audit_views.audit_review_return, name="audit_review_return"),
    path(
        "audits/evidence/<uuid:audit_evidence_id>/",
        audit_views.audit_evidence_download,
        name="audit_evidence_download",
    ),
    path(
        "audits/findings/<uuid:audit_finding_id>/close/",
        audit_views.audit_finding_close,
        name="audit_finding_close",
    ),
]
portal_patterns += [
    path("audits/", portal_audit_views.portal_audit_list, name="portal_audit_list"),
    path("audits/<uuid:audit_id>/", portal_audit_views.portal_audit_detail, name="portal_audit_detail"),
    path("audits/<uuid:audit_id>/answers/", portal_audit_views.portal_audit_answer, name="portal_audit_answer"),
    path(
        "audits/<uuid:audit_id>/evidence/",
        portal_audit_views.portal_audit_evidence_upload,
        name="portal_audit_evidence_upload",
    ),
    path(
        "audits/<uuid:audit_id>/findings/",
        portal_audit_views.portal_audit_finding_add,
        name="portal_audit_finding_add",
    ),
    path("audits/<uuid:audit_id>/submit/", portal_audit_views.portal_audit_submit, name="portal_audit_submit"),
    path(
        "audits/evidence/<uuid:audit_evidence_id>/",
        portal_audit_views.portal_audit_evidence_download,
        name="portal_audit_evidence_download",
    ),
]

# Onboarding, bank details and risk flags
page_patterns += [
    path("<uuid:supplier_id>/onboarding/", onboarding_views.supplier_onboarding, name="supplier_onboarding"),
    path("<uuid:supplier_id>/onboarding/start/", onboarding_views.onboarding_start, name="onboarding_start"),
    path(
        "onboarding/tasks/<uuid:onboarding_task_id>/assign/",
        onboarding_views.onboarding_task_assign,
        name="onboarding_task_assign",
    ),
    path(
        "onboarding/tasks/<uuid:onboarding_task_id>/due/",
        onboarding_views.onboarding_task_due,
        name="onboarding_task_due",
    ),
    path(
        "onboarding/tasks/<uuid:onboarding_task_id>/complete/",
        onboarding_views.onboarding_task_complete,
        name="onboarding_task_complete",
    ),
    path(
        "onboarding/tasks/<uuid:onboarding_task_id>/waive/",
        onboarding_views.onboarding_task_waive,
        name="onboarding_task_waive",
    ),
    path(
        "onboarding/tasks/<uuid:onboarding_task_id>/reopen/",
        onboarding_views.onboarding_task_reopen,
        name="onboarding_task_reopen",
    ),
    path(
        "onboarding/tasks/<uuid:onboarding_task_id>/evidence/",
        onboarding_views.onboarding_evidence,
        name="onboarding_evidence",
    ),
    path("onboarding/overdue/", onboarding_views.onboarding_overdue, name="onboarding_overdue"),
    path("onboarding/templates/", onboarding_views.onboarding_template_list, name="onboarding_template_list"),
    path(
        "onboarding/templates/<uuid:onboarding_template_id>/",
        onboarding_views.onboarding_template_detail,
        name="onboarding_template_detail",
    ),
    path(
        "onboarding/templates/<uuid:onboarding_template_id>/items/",
        onboarding_views.onboarding_item_add,
        name="onboarding_item_add",
    ),
    path(
        "onboarding/items/<uuid:onboarding_item_id>/",
        onboarding_views.onboarding_item_edit,
        name="onboarding_item_edit",
    ),
    path(
        "onboarding/items/<uuid:onboarding_item_id>/remove/",
        onboarding_views.onboarding_item_remove,
        name="onboarding_item_remove",
    ),
    path("<uuid:supplier_id>/bank/", bank_views.supplier_bank, name="supplier_bank"),
    path("<uuid:supplier_id>/bank/request/", bank_views.supplier_bank_request, name="supplier_bank_request"),
    path("bank-changes/", bank_views.bank_change_list, name="bank_change_list"),
    path(
        "bank-changes/<uuid:bank_account_id>/approve/",
        bank_views.bank_change_approve,
        name="bank_change_approve",
    ),
    path(
        "bank-changes/<uuid:bank_account_id>/reject/",
        bank_views.bank_change_reject,
        name="bank_change_reject",
    ),
    path("<uuid:supplier_id>/risk/", risk_views.supplier_risk, name="supplier_risk"),
    path("<uuid:supplier_id>/risk/raise/", risk_views.supplier_risk_raise, name="supplier_risk_raise"),
    path("risk/", risk_views.risk_flag_list, name="risk_flag_list"),
    path("risk/export/", export_views.risk_flag_export, name="risk_flag_export"),
    path("risk/<uuid:risk_flag_id>/close/", risk_views.risk_flag_close, name="risk_flag_close"),
]
