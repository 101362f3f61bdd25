"""Who may do what: roles, their powers, and the power each route needs (SEC-08).

Deny by default: a route missing from ROUTE_POWERS can be reached by nobody
(a test walks the route table to keep this list complete).
"""

from __future__ import annotations

ROLES = ("agency_lead", "product_owner", "scrum_master", "team_member", "viewer")
ROLE_LABELS = {
    "agency_lead": "Agency lead",
    "product_owner": "Product owner",
    "scrum_master": "Scrum master",
    "team_member": "Team member",
    "viewer": "Viewer",
    "liaison": "Center for States liaison",
}
# A liaison is not a membership role: they are assigned to the agencies they support.
LIAISON = "liaison"

# Powers inside one agency. "read" is every page of the agency's content.
READ = "read"
COMMENT = "comment"
AGENCY_MANAGE = "agency.manage"  # members and roles, C&I stages, new initiatives
INITIATIVE_EDIT = "initiative.edit"  # an initiative's charter, board columns
BACKLOG_RANK = "backlog.rank"  # rank moves and bulk changes
ITEM_WRITE = "item.write"  # create and edit stories, estimates
BOARD_MOVE = "board.move"
SPRINT_PLAN = "sprint.plan"  # create and edit sprints, choose their items
SPRINT_RUN = "sprint.run"  # start and complete sprints
RELEASE_MANAGE = "release.manage"
# C&I work: key tasks, readiness, findings, data plan, theory of change, practice profiles
CHANGE_WRITE = "change.write"
GATE_DECIDE = "gate.decide"  # stage gate decisions; approving and retiring profile versions
SIGN_OFF = "sign-off"  # a liaison's sign-off comment on a gate decision

_TEAM = {READ, COMMENT, ITEM_WRITE, BOARD_MOVE, SPRINT_RUN, CHANGE_WRITE}
ROLE_POWERS: dict[str, frozenset[str]] = {
    "agency_lead": frozenset(
        _TEAM
        | {AGENCY_MANAGE, INITIATIVE_EDIT, BACKLOG_RANK, SPRINT_PLAN, RELEASE_MANAGE, GATE_DECIDE}
    ),
    "product_owner": frozenset(
        _TEAM | {INITIATIVE_EDIT, BACKLOG_RANK, SPRINT_PLAN, RELEASE_MANAGE}
    ),
    "scrum_master": frozenset(_TEAM | {BACKLOG_RANK, SPRINT_PLAN}),
    "team_member": frozenset(_TEAM),
    "viewer": frozenset({READ}),
    LIAISON: frozenset({READ, COMMENT, SIGN_OFF}),
}

# Powers that are not about one agency.
PUBLIC = "public"  # no session needed
SIGNED_IN = "signed-in"  # any signed-in person; the page shows only what they may see
SITE_ADMIN = "site-admin"

# Litestar names its OpenAPI handlers itself; the API's description is for
# signed-in people and scripts.
SIGNED_IN_PATH_PREFIXES = ("/api/schema",)

ROUTE_POWERS: dict[str, str] = {
    # public
    "health": PUBLIC,
    "static": PUBLIC,
    "static/head": PUBLIC,
    "accounts.sign_in": PUBLIC,
    "accounts.sign_in_submit": PUBLIC,
    "accounts.code": PUBLIC,  # checks its own half-finished session
    "accounts.code_submit": PUBLIC,
    "accounts.invitation": PUBLIC,  # the one-time token is the credential
    "accounts.invitation_submit": PUBLIC,
    # any signed-in person
    "home": SIGNED_IN,
    "initiatives.list": SIGNED_IN,
    "accounts.sign_out": SIGNED_IN,
    "accounts.extend": SIGNED_IN,
    "accounts.account": SIGNED_IN,
    "accounts.password": SIGNED_IN,
    "accounts.totp": SIGNED_IN,
    "accounts.totp_submit": SIGNED_IN,
    "accounts.totp_disable": SIGNED_IN,
    "accounts.token_create": SIGNED_IN,
    "accounts.token_revoke": SIGNED_IN,
    "api.initiatives": SIGNED_IN,
    # site administration
    "admin.home": SITE_ADMIN,
    "admin.agency_create": SITE_ADMIN,
    "admin.user_create": SITE_ADMIN,
    "admin.user_active": SITE_ADMIN,
    "admin.liaison_add": SITE_ADMIN,
    "admin.liaison_remove": SITE_ADMIN,
    # one agency
    "agencies.detail": READ,
    "agencies.members": READ,
    "agencies.member_add": AGENCY_MANAGE,
    "agencies.member_role": AGENCY_MANAGE,
    "agencies.member_active": AGENCY_MANAGE,
    "initiatives.detail": READ,
    "initiatives.new": AGENCY_MANAGE,
    "initiatives.create": AGENCY_MANAGE,
    "initiatives.edit": INITIATIVE_EDIT,
    "initiatives.update": INITIATIVE_EDIT,
    "initiatives.stages": READ,
    "initiatives.stages_update": AGENCY_MANAGE,
    "scrum.backlog": READ,
    "scrum.backlog_export": READ,
    "scrum.item_rank": BACKLOG_RANK,
    "scrum.item_estimate": ITEM_WRITE,
    "scrum.backlog_bulk": BACKLOG_RANK,
    "scrum.board": READ,
    "scrum.item_move": BOARD_MOVE,
    "scrum.board_columns": INITIATIVE_EDIT,
    "scrum.board_columns_update": INITIATIVE_EDIT,
    "scrum.charts": READ,
    "scrum.item_new": ITEM_WRITE,
    "scrum.item_create": ITEM_WRITE,
    "scrum.item": READ,
    "scrum.item_edit": ITEM_WRITE,
    "scrum.item_update": ITEM_WRITE,
    "scrum.releases": READ,
    "scrum.release": READ,
    "scrum.release_new": RELEASE_MANAGE,
    "scrum.release_create": RELEASE_MANAGE,
    "scrum.release_edit": RELEASE_MANAGE,
    "scrum.release_update": RELEASE_MANAGE,
    "scrum.sprints": READ,
    "scrum.sprint_new": SPRINT_PLAN,
    "scrum.sprint_create": SPRINT_PLAN,
    "scrum.sprint": READ,
    "scrum.sprint_add_items": SPRINT_PLAN,
    "scrum.sprint_remove_item": SPRINT_PLAN,
    "scrum.sprint_start": SPRINT_RUN,
    "scrum.sprint_edit": SPRINT_PLAN,
    "scrum.sprint_update": SPRINT_PLAN,
    "scrum.sprint_complete_form": SPRINT_RUN,
    "scrum.sprint_complete": SPRINT_RUN,
    "api.initiative": READ,
    "api.initiative_sprints": READ,
    "api.items": READ,
    "api.item_create": ITEM_WRITE,
    "api.sprint": READ,
    "api.item": READ,
    "api.item_update": ITEM_WRITE,
    "api.item_move": BOARD_MOVE,
    "api.item_rank": BACKLOG_RANK,
    "api.item_sprint": SPRINT_PLAN,
    # ---- personal-information guard (backend/web/pii.py)
    "agencies.case_number_shapes": AGENCY_MANAGE,
    # ---- end personal-information guard
    # ---- C&I stage map, gates and readiness (backend/initiatives/progress.py)
    "initiatives.stage_map": READ,
    "initiatives.stage": READ,
    "initiatives.stage_status": CHANGE_WRITE,
    "initiatives.stage_task_add": CHANGE_WRITE,
    "initiatives.stage_task_update": CHANGE_WRITE,
    "initiatives.gate_decide": GATE_DECIDE,
    "initiatives.gate_sign_off": SIGN_OFF,
    "initiatives.readiness": READ,
    "initiatives.readiness_add": CHANGE_WRITE,
    "api.stage_map": READ,
    "api.readiness": READ,
    "api.stage_task_update": CHANGE_WRITE,
    # ---- end stage map
    # ---- problem exploration and theory of change (backend/exploration/)
    "exploration.findings": READ,
    "exploration.finding_new": CHANGE_WRITE,
    "exploration.finding_create": CHANGE_WRITE,
    "exploration.finding": READ,
    "exploration.finding_edit": CHANGE_WRITE,
    "exploration.finding_update": CHANGE_WRITE,
    "exploration.finding_delete_confirm": CHANGE_WRITE,
    "exploration.finding_delete": CHANGE_WRITE,
    "exploration.data_plan": READ,
    "exploration.question_create": CHANGE_WRITE,
    "exploration.question_edit": CHANGE_WRITE,
    "exploration.question_update": CHANGE_WRITE,
    "exploration.problem_statement": READ,
    "exploration.problem_statement_version": READ,
    "exploration.problem_statement_save": CHANGE_WRITE,
    "exploration.theory": READ,
    "exploration.theory_start": CHANGE_WRITE,
    "exploration.theory_version": READ,
    "exploration.theory_update": CHANGE_WRITE,
    "exploration.theory_new_version": CHANGE_WRITE,
    "exploration.link_create": CHANGE_WRITE,
    "exploration.link": READ,
    "exploration.link_edit": CHANGE_WRITE,
    "exploration.link_update": CHANGE_WRITE,
    "exploration.link_move": CHANGE_WRITE,
    "exploration.link_delete": CHANGE_WRITE,
    "exploration.assumption_create": CHANGE_WRITE,
    "exploration.assumption_delete": CHANGE_WRITE,
    "api.findings": READ,
    "api.finding_create": CHANGE_WRITE,
    "api.finding": READ,
    "api.finding_update": CHANGE_WRITE,
    "api.theory": READ,
    # ---- end exploration
    # ---- interventions and practice profiles (backend/practice/)
    "practice.interventions": READ,
    "practice.intervention_new": CHANGE_WRITE,
    "practice.intervention_create": CHANGE_WRITE,
    "practice.intervention": READ,
    "practice.intervention_edit": CHANGE_WRITE,
    "practice.intervention_update": CHANGE_WRITE,
    "practice.profile_create": CHANGE_WRITE,
    "practice.profile": READ,
    # Draft <-> testing for the team; approving and retiring also need GATE_DECIDE,
    # checked in the handler.
    "practice.profile_status": CHANGE_WRITE,
    "practice.profile_new_version": CHANGE_WRITE,
    "practice.profile_print": READ,
    "practice.profile_diff": READ,
    "practice.component_create": CHANGE_WRITE,
    "practice.component": READ,
    "practice.component_edit": CHANGE_WRITE,
    "practice.component_update": CHANGE_WRITE,
    "practice.component_move": CHANGE_WRITE,
    "practice.component_delete_confirm": CHANGE_WRITE,
    "practice.component_delete": CHANGE_WRITE,
    "practice.behaviour_create": CHANGE_WRITE,
    "practice.behaviour_edit": CHANGE_WRITE,
    "practice.behaviour_update": CHANGE_WRITE,
    "practice.behaviour_move": CHANGE_WRITE,
    "practice.behaviour_delete_confirm": CHANGE_WRITE,
    "practice.behaviour_delete": CHANGE_WRITE,
    "practice.levels": CHANGE_WRITE,
    "practice.levels_update": CHANGE_WRITE,
    "api.interventions": READ,
    "api.profile": READ,
    "api.profile_new_version": CHANGE_WRITE,
    # ---- end practice
    # ---- traceability (backend/traceability/)
    "traceability.item_links_update": ITEM_WRITE,
    "traceability.view": READ,
    "traceability.rule_update": INITIATIVE_EDIT,
    "api.item_links": READ,
    "api.item_links_update": ITEM_WRITE,
    "api.traceability": READ,
    # ---- end traceability
    # ---- sites (backend/sites/)
    "sites.index": READ,
    "sites.create": AGENCY_MANAGE,
    "sites.edit": AGENCY_MANAGE,
    "sites.update": AGENCY_MANAGE,
    "sites.delete_confirm": AGENCY_MANAGE,
    "sites.delete": AGENCY_MANAGE,
    "api.sites": READ,
    # ---- end sites
    # ---- CFSR reference and item links (backend/cfsr/)
    # Reference pages for any signed-in person; the item page lists links only from
    # the agencies the person belongs to or supports.
    "cfsr.index": SIGNED_IN,
    "cfsr.item": SIGNED_IN,
    "api.cfsr_items": SIGNED_IN,
    # ---- end cfsr
    # ---- measures and run charts (backend/measures/)
    "measures.index": READ,
    "measures.new": CHANGE_WRITE,
    "measures.create": CHANGE_WRITE,
    "measures.detail": READ,
    "measures.edit": CHANGE_WRITE,
    "measures.update": CHANGE_WRITE,
    "measures.delete_confirm": CHANGE_WRITE,
    "measures.delete": CHANGE_WRITE,
    "measures.point_new": CHANGE_WRITE,
    "measures.point_create": CHANGE_WRITE,
    "measures.point_edit": CHANGE_WRITE,
    "measures.point_update": CHANGE_WRITE,
    "measures.point_delete": CHANGE_WRITE,
    "measures.import_form": CHANGE_WRITE,
    "measures.import": CHANGE_WRITE,
    # READ: the export suppresses small cells for everyone.
    "measures.export": READ,
    "api.measures": READ,
    "api.measure": READ,
    "api.point_create": CHANGE_WRITE,
    # ---- end measures
    # ---- PDSA cycles (backend/pdsa/)
    "pdsa.index": READ,
    "pdsa.ramps": READ,
    "pdsa.new": CHANGE_WRITE,
    "pdsa.create": CHANGE_WRITE,
    "pdsa.detail": READ,
    "pdsa.plan": CHANGE_WRITE,
    "pdsa.plan_update": CHANGE_WRITE,
    "pdsa.do": CHANGE_WRITE,
    "pdsa.do_update": CHANGE_WRITE,
    "pdsa.study": CHANGE_WRITE,
    "pdsa.study_update": CHANGE_WRITE,
    "pdsa.act": CHANGE_WRITE,
    "pdsa.act_update": CHANGE_WRITE,
    "pdsa.next": CHANGE_WRITE,
    "pdsa.links": CHANGE_WRITE,
    "pdsa.links_update": CHANGE_WRITE,
    "pdsa.backlog_item": CHANGE_WRITE,
    "pdsa.delete_confirm": CHANGE_WRITE,
    "pdsa.delete": CHANGE_WRITE,
    "api.pdsa_cycles": READ,
    "api.pdsa_cycle_create": CHANGE_WRITE,
    "api.pdsa_cycle": READ,
    # ---- end pdsa
    # ---- fidelity assessments (backend/fidelity/)
    "fidelity.index": READ,
    "fidelity.coaching": READ,
    "fidelity.new": CHANGE_WRITE,
    "fidelity.create": CHANGE_WRITE,
    "fidelity.detail": READ,
    "fidelity.edit": CHANGE_WRITE,
    "fidelity.update": CHANGE_WRITE,
    "fidelity.delete_confirm": CHANGE_WRITE,
    "fidelity.delete": CHANGE_WRITE,
    "api.fidelity": READ,
    "api.fidelity_assessment_create": CHANGE_WRITE,
    "api.fidelity_assessment": READ,
    # ---- end fidelity
    # ---- program improvement plan (backend/pip/)
    # The plan, its goals, strategies and measurement plan are the agency lead's;
    # key activities are the team's (deleting one changes the plan: the lead's).
    "pip.index": READ,
    "pip.for_initiative": READ,
    "pip.detail": READ,
    "pip.status": READ,
    "pip.new": AGENCY_MANAGE,
    "pip.create": AGENCY_MANAGE,
    "pip.edit": AGENCY_MANAGE,
    "pip.update": AGENCY_MANAGE,
    "pip.goal_new": AGENCY_MANAGE,
    "pip.goal_create": AGENCY_MANAGE,
    "pip.goal_edit": AGENCY_MANAGE,
    "pip.goal_update": AGENCY_MANAGE,
    "pip.goal_delete": AGENCY_MANAGE,
    "pip.strategy_new": AGENCY_MANAGE,
    "pip.strategy_create": AGENCY_MANAGE,
    "pip.strategy_edit": AGENCY_MANAGE,
    "pip.strategy_update": AGENCY_MANAGE,
    "pip.strategy_delete": AGENCY_MANAGE,
    "pip.activity_new": CHANGE_WRITE,
    "pip.activity_create": CHANGE_WRITE,
    "pip.activity_edit": CHANGE_WRITE,
    "pip.activity_update": CHANGE_WRITE,
    "pip.activity_delete": AGENCY_MANAGE,
    "pip.activity_backlog": CHANGE_WRITE,
    "pip.measurement_new": AGENCY_MANAGE,
    "pip.measurement_create": AGENCY_MANAGE,
    "pip.measurement_edit": AGENCY_MANAGE,
    "pip.measurement_update": AGENCY_MANAGE,
    "pip.measurement_delete": AGENCY_MANAGE,
    "api.pip": READ,
    "api.pip_activity_update": CHANGE_WRITE,
    # ---- end pip
    # ---- review threads, sign-offs, inbox and digest (backend/reviews/)
    # comment threads (backend/reviews/comments.py): anyone who can read the thing
    # comments; resolving is checked in the handler (author, team or liaison).
    "reviews.sprint_review_comment": READ,
    "reviews.sprint_retrospective_comment": READ,
    "reviews.gate_comment": READ,
    "reviews.profile_comment": READ,
    "reviews.finding_comment": READ,
    "reviews.item_comment": READ,
    "reviews.reply": READ,
    "reviews.resolve": READ,
    "reviews.reopen": READ,
    # inbox (backend/reviews/inbox.py): a person's own notifications only
    "reviews.inbox": SIGNED_IN,
    "reviews.inbox_read": SIGNED_IN,
    "reviews.inbox_read_all": SIGNED_IN,
    "reviews.digest_settings": SIGNED_IN,  # own setting only
    "reviews.digest_settings_save": SIGNED_IN,
    "reviews.sprint_sign_off": SIGN_OFF,  # a liaison, on a closed sprint
    "api.sprint_sign_offs": READ,
    "api.sprint_sign_off": SIGN_OFF,
    # ---- end reviews
    # ---- liaison portfolio (backend/portfolio/)
    # Shows only the agencies the person belongs to or supports (SEC-08).
    "portfolio.index": SIGNED_IN,
    # ---- end portfolio
    # ---- progress packet (backend/packet/)
    "packet.page": READ,
    "packet.csv": READ,
    "packet.pdf": READ,
    # The portfolio packet: only the initiatives of the person's own agencies (SEC-08).
    "packet.portfolio": SIGNED_IN,
    "packet.portfolio_pdf": SIGNED_IN,
    # ---- end packet
    # ---- collaboratives (backend/collaboratives/; access checked in collaboratives/access.py)
    "collaboratives.measures": SIGNED_IN,
    "collaboratives.measure_create": SIGNED_IN,
    "collaboratives.measure_link": SIGNED_IN,
    "collaboratives.cross_team": SIGNED_IN,
    "collaboratives.feed": SIGNED_IN,
    "collaboratives.index": SIGNED_IN,
    "collaboratives.create": SITE_ADMIN,
    "collaboratives.detail": SIGNED_IN,
    "collaboratives.edit": SIGNED_IN,  # faculty or site admin (access.require_run)
    "collaboratives.update": SIGNED_IN,
    "collaboratives.session_new": SIGNED_IN,
    "collaboratives.session_create": SIGNED_IN,
    "collaboratives.session_edit": SIGNED_IN,
    "collaboratives.session_update": SIGNED_IN,
    "collaboratives.session_delete": SIGNED_IN,
    "collaboratives.idea_new": SIGNED_IN,
    "collaboratives.idea_create": SIGNED_IN,
    "collaboratives.idea_edit": SIGNED_IN,
    "collaboratives.idea_update": SIGNED_IN,
    # Site admins only, checked after collaborative_or_404 (an impossible id is a 404).
    "collaboratives.team_add": SIGNED_IN,
    "collaboratives.team_remove": SIGNED_IN,
    "collaboratives.faculty_add": SIGNED_IN,
    "collaboratives.faculty_remove": SIGNED_IN,
    "collaboratives.adopt": SIGNED_IN,  # ITEM_WRITE in the team's agency, checked there
    # ---- end collaboratives
}


def route_power(name: str, path: str) -> str | None:
    if path.startswith(SIGNED_IN_PATH_PREFIXES):
        return SIGNED_IN
    return ROUTE_POWERS.get(name)


def role_can(role: str | None, power: str) -> bool:
    return role is not None and power in ROLE_POWERS.get(role, frozenset())
