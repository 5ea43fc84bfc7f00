"""Demo factory audits: a quality-system checklist (20 questions in 5 sections, 3 critical) and a social-compliance
checklist (12 questions), and about 40 audits across the suppliers: passed, failed (one on a critical item
despite a good score), in progress, and planned, some for the agent on suppliers assigned to them: two of theirs
submitted and awaiting quality's review, one reviewed and accepted; findings with owners and due dates, some
overdue and some closed. Everything goes through the services."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from sourcing.actors import Actor
from sourcing.categories.requirements import AuditType
from sourcing.models import Membership, Tenant
from suppliers.models import AuditItem, AuditTemplate, FactoryAudit, Severity, Site, Supplier
from suppliers.services import audit_findings as finding_services
from suppliers.services import audit_review
from suppliers.services import audit_templates as template_services
from suppliers.services import audits as services

# (section, question, weight, critical)
QUALITY_SYSTEM: list[tuple[str, str, int, bool]] = [
    ("Quality management", "Is there a documented quality manual, approved and under revision control?", 2, False),
    (
        "Quality management",
        "Are quality objectives set, measured and reviewed by management at least yearly?",
        2,
        False,
    ),
    ("Quality management", "Are internal audits planned and performed, with findings followed up?", 2, False),
    (
        "Quality management",
        "Is there a documented procedure for customer complaints and corrective action (8D)?",
        3,
        False,
    ),
    ("Incoming material", "Are incoming materials inspected or tested to a written sampling plan?", 3, False),
    ("Incoming material", "Are approved sub-suppliers listed and evaluated at least yearly?", 2, False),
    ("Incoming material", "Are raw-material certificates (e.g. food-contact, RoHS) kept for each lot?", 3, False),
    ("Incoming material", "Is non-conforming incoming material identified and segregated?", 2, False),
    ("Production control", "Are work instructions posted at each station, in the operators' language?", 2, False),
    (
        "Production control",
        "Is a first-article inspection recorded at each production start and change-over?",
        3,
        False,
    ),
    ("Production control", "Are in-process checks recorded at the frequency of the control plan?", 3, False),
    ("Production control", "Is product traceable from finished lot back to raw-material lot?", 4, True),
    ("Inspection and testing", "Is final inspection performed to AQL before packing, with records kept?", 4, False),
    ("Inspection and testing", "Are measuring instruments and gauges calibrated, with valid labels?", 3, True),
    ("Inspection and testing", "Are reliability and safety tests run at the required frequency?", 3, False),
    ("Inspection and testing", "Are the golden samples approved by the buyer available at the line?", 2, False),
    ("Non-conforming product", "Is non-conforming product tagged, segregated and kept from shipment?", 4, True),
    ("Non-conforming product", "Is rework done to a written instruction and re-inspected?", 2, False),
    ("Non-conforming product", "Are defect rates tracked by line and reviewed weekly?", 2, False),
    ("Non-conforming product", "Is the warehouse dry, clean and organised, with FIFO applied?", 1, False),
]

SOCIAL: list[tuple[str, str, int, bool]] = [
    ("Labour", "Are all workers at or above the legal minimum working age, with ID copies on file?", 5, True),
    ("Labour", "Is all work voluntary: no retained ID documents, deposits or recruitment fees?", 5, True),
    ("Labour", "Does every worker have a written contract in a language they understand?", 2, False),
    ("Working hours and wages", "Do working hours, overtime included, stay within 60 hours a week?", 3, False),
    ("Working hours and wages", "Are wages at least the local legal minimum, paid on time with payslips?", 3, False),
    ("Working hours and wages", "Is overtime paid at the legal premium and recorded by a time system?", 2, False),
    ("Working hours and wages", "Is social insurance paid for all workers as the law requires?", 2, False),
    ("Health and safety", "Are fire exits marked, unlocked and free of obstruction, with drills held?", 3, False),
    ("Health and safety", "Is personal protective equipment provided and worn where needed?", 2, False),
    ("Health and safety", "Are chemicals labelled and stored with safety data sheets available?", 2, False),
    ("Health and safety", "Are dormitories (if any) separate from production, safe and clean?", 2, False),
    ("Management systems", "Is there a grievance channel workers can use without fear of retaliation?", 2, False),
]

FINDINGS: dict[str, list[tuple[str, str]]] = {
    AuditType.QUALITY_SYSTEM: [
        ("Final inspection records missing for two of five lots sampled.", "Record every lot; train QC staff."),
        ("Three torque gauges past their calibration date.", "Calibrate and add a calibration schedule."),
        ("Work instructions at the welding line only in draft.", "Approve and post the instructions."),
        ("Golden sample at assembly line 2 not the approved revision.", "Replace with the signed sample."),
        ("Rework of scratched lids done without written instruction.", "Write and approve a rework instruction."),
        ("Defect rate not tracked for the polishing line.", "Add the line to the weekly defect review."),
    ],
    AuditType.SOCIAL: [
        ("Overtime reached 68 hours in peak weeks of March.", "Cap overtime; add a second shift in peak season."),
        ("One fire exit in warehouse B blocked by pallets.", "Clear the exit and add a daily check."),
        ("Social insurance paid for only 70 % of workers.", "Enrol all workers; show proof of payment."),
        ("Chemical store without safety data sheets in Chinese.", "Post the sheets in Chinese by each product."),
    ],
}


# The mix of outcomes among the internal audits.
OUTCOMES = ["passed"] * 5 + ["failed", "in_progress", "planned"]


def _template(
    tenant: Tenant,
    by: Actor,
    name: str,
    audit_type: str,
    description: str,
    pass_score: int,
    questions: list[tuple[str, str, int, bool]],
) -> AuditTemplate:
    template = template_services.audit_template_create(
        tenant=tenant, by=by, name=name, audit_type=audit_type, description=description, pass_score=pass_score
    )
    for section, text, weight, critical in questions:
        template_services.audit_question_add(
            tenant=tenant,
            by=by,
            template_id=template.pk,
            section=section,
            text=text,
            weight=weight,
            is_critical=critical,
        )
    return template


def _answers(rng: random.Random, items: list[AuditItem], *, misses: int, critical_miss: bool) -> list[str]:
    """Mostly compliant; ``misses`` non-critical items not met, a few not applicable, and one critical item not
    met when ``critical_miss``."""
    answers = ["compliant"] * len(items)
    ordinary = [n for n, i in enumerate(items) if not i.is_critical]
    for n in rng.sample(ordinary, min(misses, len(ordinary))):
        answers[n] = "non_compliant"
    for n in rng.sample(ordinary, 2):
        if answers[n] == "compliant":
            answers[n] = "not_applicable"
    if critical_miss:
        answers[rng.choice([n for n, i in enumerate(items) if i.is_critical])] = "non_compliant"
    return answers


def _perform(
    tenant: Tenant,
    by: Actor,
    rng: random.Random,
    *,
    audit: FactoryAudit,
    audits: list[FactoryAudit],
    template: AuditTemplate,
    outcome: str,
    auditor: Membership,
    internal: Membership,
    owners: list[Membership],
    performed: datetime.date,
    today: datetime.date,
    critical_done: bool,
) -> bool:
    """Answer, find and submit a planned audit as ``outcome`` says (in progress: half answered); whether a
    critical miss has been used up."""
    performer = Actor.for_membership(auditor)
    items = list(AuditItem.objects.filter(audit_id=audit.pk).order_by("position"))
    critical_miss = outcome == "failed" and not critical_done
    misses = {"passed": rng.randint(0, 2), "social": rng.randint(0, 2), "in_progress": 1}.get(outcome, 0)
    if outcome == "submitted":
        misses = 1 + len(audits) % 2
    if outcome == "failed":
        misses = 1 if critical_miss else rng.randint(6, 9)  # one on a critical item, the others on the score
        critical_done = critical_done or critical_miss
    answers = _answers(rng, items, misses=misses, critical_miss=critical_miss)
    if outcome == "in_progress":
        answers = [a if n < len(items) // 2 else "" for n, a in enumerate(answers)]
    services.audit_answers_save(
        tenant=tenant,
        by=performer,
        audit_id=audit.pk,
        answers={
            str(i.pk): (a, "Seen on site." if a == "non_compliant" else "") for i, a in zip(items, answers, strict=True)
        },
    )
    texts = FINDINGS[template.audit_type]
    for n, (item, answer) in enumerate(zip(items, answers, strict=True)):
        if answer != "non_compliant" or item.is_critical:
            continue  # critical items get their finding from the submission
        description, action = texts[(n + len(audits)) % len(texts)]
        finding_services.audit_finding_add(
            tenant=tenant,
            by=performer,
            audit_id=audit.pk,
            item_id=item.pk,
            severity=Severity.MAJOR if item.weight >= 3 else Severity.MINOR,
            description=description,
            action=action,
            owner_id=None if auditor.role == "agent" else rng.choice(owners).pk,
            due_on=(performed if outcome != "in_progress" else today)
            + datetime.timedelta(days=rng.choice([30, 45, 60])),
        )
    if outcome == "in_progress":
        return critical_done
    services.audit_submit(
        tenant=tenant,
        by=performer,
        audit_id=audit.pk,
        performed_on=performed,
        summary="Factory well organised; follow-up on the findings agreed with the plant manager."
        if outcome != "failed"
        else "Significant gaps; a re-audit is needed after corrective actions.",
    )
    if auditor.role == "agent" and outcome in {"passed", "failed"}:  # the agent's submission, reviewed
        audit_review.audit_review_accept(
            tenant=tenant, by=Actor.for_membership(internal), audit_id=audit.pk, note="Photos and records checked."
        )
    # Findings of audits long past are mostly closed; recent ones stay open (some overdue).
    if (today - performed).days > 200:
        for finding in audit.findings.filter(is_closed=False).exclude(severity=Severity.CRITICAL):
            if rng.random() < 0.7:
                finding_services.audit_finding_close(
                    tenant=tenant, by=by, finding_id=finding.pk, note="Evidence of the correction received."
                )
    return critical_done


def _plan_list(
    chosen: list[Supplier],
    agents_suppliers: list[Supplier],
    assigned: set[Any],
    agent: Membership | None,
    internal: Membership,
) -> list[tuple[Supplier, str, Membership]]:
    """(supplier, outcome, auditor) of each audit to make: the agent's suppliers by the agent, one of each
    state, a second submitted one awaiting review, and a social audit beside every fourth quality audit."""

    plans: list[tuple[Supplier, str, Membership]] = []
    for n, supplier in enumerate(chosen):
        by_agent = agent is not None and supplier.pk in assigned
        auditor = agent if by_agent and agent is not None else internal
        if supplier in agents_suppliers:
            outcome = ["planned", "in_progress", "submitted", "passed"][agents_suppliers.index(supplier) % 4]
        else:
            outcome = OUTCOMES[n % len(OUTCOMES)]
        plans.append((supplier, outcome, auditor))
        if by_agent and agent is not None and supplier == agents_suppliers[0]:
            plans.append((supplier, "submitted", agent))  # a second one awaiting review
        if n % 4 == 0 and outcome in {"passed", "failed"}:
            plans.append((supplier, "social", internal))  # a social audit as well
    return plans


def seed_audits(
    *, tenant: Tenant, by: Actor, suppliers: Sequence[Supplier], members: dict[str, Membership], seed: int = 6
) -> list[FactoryAudit]:
    """Two checklists and about 40 audits of ``suppliers``. The internal auditor is quality (or the admin); the
    agent audits only suppliers assigned to them. Returns the audits."""
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic on purpose
    today = timezone.localdate()
    quality_template = _template(
        tenant,
        by,
        "Factory quality-system audit",
        AuditType.QUALITY_SYSTEM,
        "On-site audit of the factory's quality system, from incoming material to shipment. Any critical item "
        "not met fails the audit.",
        75,
        QUALITY_SYSTEM,
    )
    social_template = _template(
        tenant,
        by,
        "Social-compliance audit",
        AuditType.SOCIAL,
        "Labour, wages, working hours, health and safety, after the amfori BSCI code of conduct.",
        80,
        SOCIAL,
    )
    internal = members.get("quality") or members["admin"]
    owners = [m for role, m in members.items() if role in {"quality", "category_manager", "buyer"}] or [internal]
    agent = members.get("agent")
    assigned: set[Any] = set()
    if agent is not None:
        from suppliers.selectors.master import suppliers_assigned_to

        assigned = set(suppliers_assigned_to(user=agent.user).values_list("pk", flat=True))
    pool = list(suppliers)
    rng.shuffle(pool)
    chosen = pool[:33]
    # The agent's suppliers first, so the agent has work whatever the shuffle did.
    agents_suppliers = [s for s in suppliers if s.pk in assigned][:4]
    chosen = agents_suppliers + [s for s in chosen if s not in agents_suppliers]
    sites = {s.supplier_id: s for s in Site.objects.filter(supplier__in=chosen).order_by("name")}

    plans = _plan_list(chosen, agents_suppliers, assigned, agent, internal)
    audits: list[FactoryAudit] = []
    critical_done = False
    for supplier, outcome, auditor in plans:
        template = social_template if outcome == "social" else quality_template
        performed = today - datetime.timedelta(days=rng.randint(10, 420))
        if outcome == "submitted":  # an agent's visit of last week, waiting for quality's review
            performed = today - datetime.timedelta(days=2 + len(audits) % 5)
        planned_on = (
            today + datetime.timedelta(days=rng.randint(5, 60))
            if outcome in {"planned", "in_progress"}
            else performed - datetime.timedelta(days=rng.randint(7, 30))
        )
        site = sites.get(supplier.pk)
        audit = services.audit_plan(
            tenant=tenant,
            by=by,
            supplier_id=supplier.pk,
            template_id=template.pk,
            auditor_id=auditor.pk,
            planned_on=planned_on,
            site_id=site.pk if site and rng.random() < 0.6 else None,
        )
        audits.append(audit)
        if outcome == "planned":
            continue
        critical_done = _perform(
            tenant,
            by,
            rng,
            audit=audit,
            audits=audits,
            template=template,
            outcome=outcome,
            auditor=auditor,
            internal=internal,
            owners=owners,
            performed=performed,
            today=today,
            critical_done=critical_done,
        )
    return audits
